//! Plans of protective measures for a site: the Pareto-optimal plans (residual risk, whole-life
//! cost, openness lost) under a budget, the user's own selection evaluated the same way, and, for
//! vehicle measures, the entry points and required ratings of the site's HVM study they must
//! answer.
//!
//! The pure part ([`propose_plans`]) takes a scored assessment, the catalogue and the HVM study's
//! entries; `App::site_plans` fetches those for a site.

use serde::{Deserialize, Serialize};

use risk::{
    Assessment, Catalogue, MAX_CANDIDATES, Measure, MeasureCategory, MeasureId, PlanEvaluation,
    PlanOptions, ThreatFactors, evaluate_plan, pareto_plans,
};

use domain::SiteId;

use crate::hvm::EntryReport;
use crate::{Actor, App, AppError};

/// How many candidates are picked when the user names none: the exact search over 18 measures
/// takes a few milliseconds (risk's benchmark: 20 candidates 0.03 s in release), so the page
/// answers at once even in a debug build; the user may name up to [`MAX_CANDIDATES`].
pub const AUTOMATIC_CANDIDATES: usize = 18;

/// How many plans of the front the page and the report list in their table (all of them are
/// drawn in the chart).
pub const LISTED_PLANS: usize = 12;

/// What the user asks of the planner.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PlanRequest {
    /// Highest whole-life cost of a plan, EUR; none: no budget.
    #[serde(default)]
    pub budget_eur: Option<u64>,
    /// Highest openness a plan may take, in loss points (0-24 per measure, summed); none: no cap.
    #[serde(default)]
    pub max_openness_loss: Option<u32>,
    /// Years of running cost in the whole-life cost (default 10).
    #[serde(default)]
    pub horizon_years: Option<u32>,
    /// The measures the planner may combine; empty: the [`AUTOMATIC_CANDIDATES`] that remove the
    /// most risk on their own.
    #[serde(default)]
    pub candidates: Vec<MeasureId>,
    /// A plan of the user's own to evaluate beside the front (may be empty).
    #[serde(default)]
    pub selected: Vec<MeasureId>,
}

/// A measure the planner considered and why.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CandidateMeasure {
    /// The measure.
    pub id: MeasureId,
    /// Risk it removes alone (sum over the scored threats).
    pub risk_reduction_alone: f64,
    /// Its whole-life cost alone, EUR.
    pub whole_life_cost_eur: u64,
    /// Its openness loss points.
    pub openness_loss: u32,
}

/// The plans for a site.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PlanProposal {
    /// How plans were costed and bounded.
    pub options: PlanOptions,
    /// The openness cap applied, if any.
    pub max_openness_loss: Option<u32>,
    /// Total risk of the scored threats before any measure.
    pub total_risk_before: f64,
    /// The measures the planner combined.
    pub candidates: Vec<CandidateMeasure>,
    /// True when the planner picked the candidates itself.
    pub candidates_automatic: bool,
    /// Every Pareto-optimal plan within the budget and openness cap, cheapest first.
    pub front: Vec<PlanEvaluation>,
    /// Indices into `front` of the plans listed in tables (at most [`LISTED_PLANS`]).
    pub listed: Vec<usize>,
    /// The user's own selection, evaluated.
    pub selected: Option<PlanEvaluation>,
    /// What the HVM study asks of each vehicle measure among the candidates and the selection.
    pub hvm_links: Vec<HvmMeasureLink>,
}

/// A vehicle measure and the entries of the site's HVM study it would have to close.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HvmMeasureLink {
    /// The measure.
    pub measure: MeasureId,
    /// The rating the measure provides, as the catalogue states it.
    pub measure_rating: Option<String>,
    /// The open entries and what each needs.
    pub entries: Vec<EntryNeed>,
}

/// One open entry of the HVM study and the rating it needs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EntryNeed {
    /// The entry's label (`E3`).
    pub entry: String,
    /// The street, if named.
    pub way_name: Option<String>,
    /// The vehicle with the most energy there.
    pub vehicle: String,
    /// Its impact speed, km/h.
    pub speed_kmh: f64,
    /// Its energy, kJ.
    pub energy_kj: f64,
    /// The rating the entry needs against it.
    pub required_rating: String,
}

/// The Pareto-optimal plans for a scored assessment (see the module docs).
///
/// Errors name the field: an unknown measure in `candidates[i]` or `selected[i]`, more than
/// [`MAX_CANDIDATES`] candidates, two alternatives of one group in the selection, an
/// assessment with no scored threat.
pub fn propose_plans(
    assessment: &Assessment,
    catalogue: &Catalogue,
    hvm_entries: Option<&[EntryReport]>,
    request: &PlanRequest,
) -> Result<PlanProposal, AppError> {
    let site = assessment.scored_factors();
    if site.is_empty() {
        return Err(AppError::Invalid(
            "the assessment has no threat with a risk yet: answer its questions and set the \
             threat likelihoods before planning measures"
                .into(),
        ));
    }
    let options = PlanOptions {
        horizon_years: request.horizon_years.unwrap_or(10),
        budget_eur: request.budget_eur,
        ..PlanOptions::default()
    };
    if options.horizon_years > 50 {
        return Err(AppError::Invalid(format!(
            "horizon_years: {} is more than 50 years",
            options.horizon_years
        )));
    }
    let named = |field: &str, ids: &[MeasureId]| -> Result<Vec<&Measure>, AppError> {
        ids.iter()
            .enumerate()
            .map(|(index, id)| {
                catalogue.measure(id).ok_or_else(|| {
                    AppError::Invalid(format!(
                        "{field}[{index}]: no measure '{id}' in the catalogue (version {})",
                        catalogue.version
                    ))
                })
            })
            .collect()
    };
    let plan_error =
        |field: &str, error: risk::PlanError| AppError::Invalid(format!("{field}: {error}"));

    let candidates_automatic = request.candidates.is_empty();
    let mut candidates = if candidates_automatic {
        strongest_alone(&site, catalogue, &options)?
    } else {
        let mut chosen = named("candidates", &request.candidates)?;
        chosen.sort_by(|a, b| a.id.cmp(&b.id));
        chosen.dedup_by(|a, b| a.id == b.id);
        chosen
    };
    candidates.sort_by(|a, b| a.id.cmp(&b.id));
    let mut front = pareto_plans(&site, &candidates, &options)
        .map_err(|error| plan_error("candidates", error))?;
    if let Some(cap) = request.max_openness_loss {
        // Filtering the front is exact: whatever dominates a plan within the cap takes no more
        // openness, so it is within the cap too.
        front.retain(|plan| plan.openness_loss_points <= cap);
    }
    let selected = if request.selected.is_empty() {
        None
    } else {
        let selection = named("selected", &request.selected)?;
        Some(
            evaluate_plan(&site, &selection, &options)
                .map_err(|error| plan_error("selected", error))?,
        )
    };

    let candidate_rows = candidates
        .iter()
        .map(|measure| {
            let alone = evaluate_plan(&site, &[measure], &options)
                .map_err(|error| plan_error("candidates", error))?;
            Ok(CandidateMeasure {
                id: measure.id.clone(),
                risk_reduction_alone: alone.risk_reduction(),
                whole_life_cost_eur: alone.whole_life_cost_eur,
                openness_loss: alone.openness_loss_points,
            })
        })
        .collect::<Result<Vec<_>, AppError>>()?;

    let mut vehicle_measures: Vec<&Measure> = candidates
        .iter()
        .copied()
        .chain(named("selected", &request.selected)?)
        .filter(|measure| measure.category == MeasureCategory::Hvm)
        .collect();
    vehicle_measures.sort_by(|a, b| a.id.cmp(&b.id));
    vehicle_measures.dedup_by(|a, b| a.id == b.id);
    let needs = hvm_entries.map(open_entry_needs).unwrap_or_default();
    let hvm_links = if needs.is_empty() {
        Vec::new()
    } else {
        vehicle_measures
            .into_iter()
            .map(|measure| HvmMeasureLink {
                measure: measure.id.clone(),
                measure_rating: measure.vehicle_rating.clone(),
                entries: needs.clone(),
            })
            .collect()
    };

    Ok(PlanProposal {
        listed: listed_plans(&front),
        total_risk_before: front
            .first()
            .map_or_else(|| total_risk(&site), |plan| plan.total_risk_before),
        options,
        max_openness_loss: request.max_openness_loss,
        candidates: candidate_rows,
        candidates_automatic,
        front,
        selected,
        hvm_links,
    })
}

fn total_risk(site: &[ThreatFactors]) -> f64 {
    site.iter()
        .map(|threat| threat.threat_likelihood * threat.vulnerability * threat.consequence)
        .sum()
}

/// The [`AUTOMATIC_CANDIDATES`] measures that remove the most risk on their own at this site
/// (ties: the cheaper, then the id), leaving out those that act on no scored threat.
fn strongest_alone<'a>(
    site: &[ThreatFactors],
    catalogue: &'a Catalogue,
    options: &PlanOptions,
) -> Result<Vec<&'a Measure>, AppError> {
    let mut ranked = Vec::new();
    for measure in &catalogue.measures {
        let alone = evaluate_plan(site, &[measure], options)
            .map_err(|error| AppError::Invalid(format!("measure {}: {error}", measure.id)))?;
        if alone.risk_reduction() > 0.0 {
            ranked.push((alone.risk_reduction(), alone.whole_life_cost_eur, measure));
        }
    }
    ranked.sort_by(|a, b| {
        b.0.total_cmp(&a.0)
            .then(a.1.cmp(&b.1))
            .then(a.2.id.cmp(&b.2.id))
    });
    Ok(ranked
        .into_iter()
        .take(AUTOMATIC_CANDIDATES.min(MAX_CANDIDATES))
        .map(|(_, _, measure)| measure)
        .collect())
}

/// Up to [`LISTED_PLANS`] plans spread along the front: the cheapest (doing nothing or the least),
/// the one with the lowest residual risk, and between them plans at evenly spaced positions in
/// cost order, so a reader sees the whole trade-off without reading hundreds of rows.
pub fn listed_plans(front: &[PlanEvaluation]) -> Vec<usize> {
    if front.len() <= LISTED_PLANS {
        return (0..front.len()).collect();
    }
    let lowest_risk = front
        .iter()
        .enumerate()
        .min_by(|a, b| {
            a.1.total_risk_after
                .total_cmp(&b.1.total_risk_after)
                .then(a.1.whole_life_cost_eur.cmp(&b.1.whole_life_cost_eur))
        })
        .map_or(0, |(index, _)| index);
    let mut listed: Vec<usize> = (0..LISTED_PLANS - 1)
        .map(|step| step * (front.len() - 1) / (LISTED_PLANS - 2))
        .collect();
    listed.push(lowest_risk);
    listed.sort_unstable();
    listed.dedup();
    listed
}

/// The open entries of an HVM study, each with its most energetic vehicle and the rating that
/// entry needs; entries every vehicle class is stopped at are left out.
fn open_entry_needs(entries: &[EntryReport]) -> Vec<EntryNeed> {
    entries
        .iter()
        .filter_map(|entry| {
            let (vehicle, approach) = entry.most_energetic()?;
            Some(EntryNeed {
                entry: entry.entry.clone(),
                way_name: entry.way_name.clone(),
                vehicle: vehicle.vehicle.clone(),
                speed_kmh: approach.speed_kmh,
                energy_kj: approach.energy_kj,
                required_rating: approach.required_rating.clone(),
            })
        })
        .collect()
}

/// A site's plans and the assessment they start from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SitePlans {
    /// How the assessment is named ("assessment 3, final, ...").
    pub assessment: String,
    /// The plans.
    pub proposal: PlanProposal,
}

impl App {
    /// The Pareto-optimal plans for a site, from its latest final assessment (else its latest
    /// draft) and its latest HVM study.
    pub async fn site_plans(
        &self,
        actor: &Actor,
        site_id: SiteId,
        request: &PlanRequest,
    ) -> Result<SitePlans, AppError> {
        let site = self.site(actor, site_id).await?;
        let assessment = self
            .assessment_for_report(actor, site_id)
            .await?
            .ok_or_else(|| {
                AppError::Invalid(format!(
                    "{} has no assessment yet: plans start from the risk an assessment scores",
                    site.draft.name
                ))
            })?;
        let hvm = self.latest_hvm_study(actor, site_id).await?;
        let entries = hvm.map(|(_, result)| result.entry_reports());
        let catalogue = risk::shipped_catalogue();
        let proposal = tokio::task::spawn_blocking({
            let request = request.clone();
            move || {
                propose_plans(&assessment.scored, &catalogue, entries.as_deref(), &request)
                    .map(|proposal| (assessment.label, proposal))
            }
        })
        .await
        .map_err(|error| AppError::Internal(anyhow::anyhow!("plan search failed: {error}")))??;
        Ok(SitePlans {
            assessment: proposal.0,
            proposal: proposal.1,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use risk::{AssessmentInput, QuestionId, Threat, assess, shipped_catalogue};

    fn scored_square() -> Assessment {
        let questionnaire = risk::shipped_questionnaire();
        let mut input = AssessmentInput {
            questionnaire_id: questionnaire.id.clone(),
            questionnaire_version: questionnaire.version.clone(),
            ..Default::default()
        };
        for question in questionnaire.questions() {
            input.answers.insert(question.id.clone(), 2);
        }
        input
            .answers
            .insert(QuestionId::from("vr.entry_barriers"), 1);
        for threat in Threat::ALL {
            input.threat_likelihoods.insert(threat, 5.0);
        }
        assess(&questionnaire, input).unwrap()
    }

    #[test]
    fn the_front_starts_with_doing_nothing_and_only_holds_undominated_plans() {
        let catalogue = shipped_catalogue();
        let proposal =
            propose_plans(&scored_square(), &catalogue, None, &PlanRequest::default()).unwrap();
        assert!(proposal.candidates_automatic);
        assert_eq!(proposal.candidates.len(), AUTOMATIC_CANDIDATES);
        assert!(proposal.front[0].measures.is_empty());
        assert_eq!(
            proposal.front[0].total_risk_after,
            proposal.total_risk_before
        );
        for a in &proposal.front {
            for b in &proposal.front {
                let dominates = a.total_risk_after <= b.total_risk_after
                    && a.whole_life_cost_eur <= b.whole_life_cost_eur
                    && a.openness_loss_points <= b.openness_loss_points
                    && (
                        a.total_risk_after,
                        a.whole_life_cost_eur,
                        a.openness_loss_points,
                    ) != (
                        b.total_risk_after,
                        b.whole_life_cost_eur,
                        b.openness_loss_points,
                    );
                assert!(!dominates, "{:?} dominates {:?}", a.measures, b.measures);
            }
        }
        assert!(proposal.listed.len() <= LISTED_PLANS);
        assert_eq!(proposal.listed[0], 0);
    }

    #[test]
    fn budget_and_openness_cap_bound_every_plan() {
        let catalogue = shipped_catalogue();
        let request = PlanRequest {
            budget_eur: Some(200_000),
            max_openness_loss: Some(4),
            ..PlanRequest::default()
        };
        let proposal = propose_plans(&scored_square(), &catalogue, None, &request).unwrap();
        assert!(proposal.front.len() > 1);
        for plan in &proposal.front {
            assert!(plan.whole_life_cost_eur <= 200_000);
            assert!(plan.openness_loss_points <= 4);
        }
    }

    #[test]
    fn unknown_measures_are_named_by_field_and_position() {
        let catalogue = shipped_catalogue();
        let request = PlanRequest {
            selected: vec![
                MeasureId::from("hvm.fixed_bollards_rated"),
                MeasureId::from("moat"),
            ],
            ..PlanRequest::default()
        };
        let error = propose_plans(&scored_square(), &catalogue, None, &request).unwrap_err();
        assert!(error.to_string().contains("selected[1]"), "{error}");
        assert!(error.to_string().contains("'moat'"), "{error}");
    }

    #[test]
    fn the_users_selection_is_evaluated_like_any_plan() {
        let catalogue = shipped_catalogue();
        let bollards = MeasureId::from("hvm.fixed_bollards_rated");
        let request = PlanRequest {
            selected: vec![bollards.clone()],
            ..PlanRequest::default()
        };
        let assessment = scored_square();
        let proposal = propose_plans(&assessment, &catalogue, None, &request).unwrap();
        let selected = proposal.selected.unwrap();
        let direct = evaluate_plan(
            &assessment.scored_factors(),
            &[catalogue.measure(&bollards).unwrap()],
            &proposal.options,
        )
        .unwrap();
        assert_eq!(selected, direct);
        assert!(selected.total_risk_after < selected.total_risk_before);
    }

    #[test]
    fn listed_plans_spread_over_the_front_and_keep_its_ends() {
        let catalogue = shipped_catalogue();
        let proposal =
            propose_plans(&scored_square(), &catalogue, None, &PlanRequest::default()).unwrap();
        assert!(proposal.front.len() > LISTED_PLANS);
        let listed = &proposal.listed;
        assert_eq!(listed.first(), Some(&0));
        assert!(listed.contains(&(proposal.front.len() - 1)));
        let lowest = proposal
            .front
            .iter()
            .map(|plan| plan.total_risk_after)
            .fold(f64::INFINITY, f64::min);
        assert!(
            listed
                .iter()
                .any(|&index| proposal.front[index].total_risk_after == lowest)
        );
    }
}
