//! Plans: a selection of measures evaluated on a site's risk (residual risk per threat, cost,
//! openness lost), and the exact Pareto front of plans under a budget.
//!
//! How reductions combine: for each threat and factor, the measures' remaining fractions
//! (1 - reduction) multiply, so two measures of 50 % leave 25 %; the product is capped below by
//! `1 - max_combined_reduction` (by default no combination removes more than 80 % of a factor:
//! residual risk is never argued away), and the reduced factor never drops below 1, the bottom
//! of FEMA's scale. Residual risk per threat is T' × V' × C'; a plan's risk is the sum over the
//! scored threats. Cost is the whole-life cost at the top of each range: capital max + horizon
//! years × running max (conservative for a budget). Openness lost is the sum of the measures'
//! [`OpennessImpact::loss_points`].

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::assessment::Assessment;
use crate::error::PlanError;
use crate::ids::MeasureId;
use crate::measures::{CostRangeEur, Measure, OpennessImpact};
use crate::score::{RiskScore, is_valid_score};
use crate::threat::{Factor, Threat};

/// T, V and C of one threat at a site, the starting point of a plan.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct ThreatFactors {
    /// The threat.
    pub threat: Threat,
    /// T, 1-10.
    pub threat_likelihood: f64,
    /// V, 1-10.
    pub vulnerability: f64,
    /// C, 1-10.
    pub consequence: f64,
}

impl ThreatFactors {
    fn get(&self, factor: Factor) -> f64 {
        match factor {
            Factor::ThreatLikelihood => self.threat_likelihood,
            Factor::Vulnerability => self.vulnerability,
            Factor::Consequence => self.consequence,
        }
    }
}

impl Assessment {
    /// T, V, C of every threat that has a risk, for [`evaluate_plan`] and [`pareto_plans`].
    pub fn scored_factors(&self) -> Vec<ThreatFactors> {
        self.threats
            .iter()
            .filter_map(|row| {
                Some(ThreatFactors {
                    threat: row.threat,
                    threat_likelihood: row.threat_likelihood.as_ref()?.value,
                    vulnerability: row.vulnerability.as_ref()?.value,
                    consequence: row.consequence.as_ref()?.value,
                })
            })
            .collect()
    }
}

/// How plans are costed and bounded.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct PlanOptions {
    /// Years of running cost counted in the whole-life cost (0: capital only).
    pub horizon_years: u32,
    /// The most that all measures together may remove from one factor, in [0, 1).
    pub max_combined_reduction: f64,
    /// Highest whole-life cost a plan may have, EUR (`None`: no budget).
    pub budget_eur: Option<u64>,
}

impl Default for PlanOptions {
    /// Ten years (the horizon of the UK impact assessment of the 2025 Act's costs), 80 % cap,
    /// no budget.
    fn default() -> Self {
        PlanOptions {
            horizon_years: 10,
            max_combined_reduction: 0.8,
            budget_eur: None,
        }
    }
}

/// A plan and what it does.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PlanEvaluation {
    /// The measures, ordered by id.
    pub measures: Vec<MeasureId>,
    /// Residual risk per scored threat, in the site's order.
    pub threats: Vec<ResidualRisk>,
    /// Sum of the threats' risks before the plan.
    pub total_risk_before: f64,
    /// Sum of the threats' risks with the plan.
    pub total_risk_after: f64,
    /// Sum of capital cost ranges, EUR.
    pub capital_cost_eur: CostRangeEur,
    /// Sum of running cost ranges, EUR per year.
    pub running_cost_eur_per_year: CostRangeEur,
    /// Capital max + horizon × running max, EUR: the cost the optimiser minimises.
    pub whole_life_cost_eur: u64,
    /// Openness lost, points (sum of the measures' loss points).
    pub openness_loss_points: u32,
    /// Openness lost per dimension (`pedestrian`, `cycle`, ...), summed over the measures.
    pub openness_loss_by_dimension: BTreeMap<String, u32>,
}

impl PlanEvaluation {
    /// Risk removed: before minus after.
    pub fn risk_reduction(&self) -> f64 {
        self.total_risk_before - self.total_risk_after
    }
}

/// One threat's risk before and after a plan.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct ResidualRisk {
    /// The threat.
    pub threat: Threat,
    /// Risk before.
    pub before: RiskScore,
    /// Risk after.
    pub after: RiskScore,
    /// T after the plan.
    pub threat_likelihood_after: f64,
    /// V after the plan.
    pub vulnerability_after: f64,
    /// C after the plan.
    pub consequence_after: f64,
}

/// The most candidates [`pareto_plans`] takes (a site's applicable set is 10-25).
pub const MAX_CANDIDATES: usize = 32;
/// The most candidates [`pareto_plans_exhaustive`] takes.
pub const MAX_EXHAUSTIVE_CANDIDATES: usize = 20;

/// Evaluates one selection of measures on a site.
///
/// ```
/// use risk::*;
/// let catalogue = shipped_catalogue();
/// let site = [ThreatFactors { threat: Threat::VehicleRamming, threat_likelihood: 6.0, vulnerability: 8.0, consequence: 8.0 }];
/// let bollards = catalogue.measure(&MeasureId::from("hvm.fixed_bollards_rated")).unwrap();
/// let plan = evaluate_plan(&site, &[bollards], &PlanOptions::default()).unwrap();
/// assert!(plan.total_risk_after < plan.total_risk_before);
/// ```
pub fn evaluate_plan(
    site: &[ThreatFactors],
    selection: &[&Measure],
    options: &PlanOptions,
) -> Result<PlanEvaluation, PlanError> {
    let model = Model::new(site, selection, options)?;
    if let Some((group, first, second)) = model.exclusive_conflict(model.all_mask()) {
        return Err(PlanError::ExclusiveConflict {
            group,
            first: model.measures[first].id.clone(),
            second: model.measures[second].id.clone(),
        });
    }
    Ok(model.evaluation(model.all_mask()))
}

/// The Pareto-optimal plans among `candidates`: every plan that no other plan beats or equals
/// on all three of total residual risk, whole-life cost and openness lost, within the budget,
/// one plan per distinct (risk, cost, openness) point, ordered by cost, then openness.
///
/// Exact: a depth-first branch and bound over subsets that prunes a branch only when a plan
/// already found is at least as good as a bound on every plan in the branch (cost and openness
/// so far, risk with every remaining candidate added, which no plan in the branch can beat
/// since measures only lower risk). Checked against [`pareto_plans_exhaustive`] in the tests.
///
/// ```
/// use risk::*;
/// let catalogue = shipped_catalogue();
/// let site = [ThreatFactors { threat: Threat::VehicleRamming, threat_likelihood: 6.0, vulnerability: 8.0, consequence: 8.0 }];
/// let candidates: Vec<&Measure> = catalogue.measures.iter().filter(|m| m.category == MeasureCategory::Hvm).collect();
/// let front = pareto_plans(&site, &candidates, &PlanOptions::default()).unwrap();
/// assert!(front[0].measures.is_empty()); // doing nothing is the cheapest plan
/// ```
pub fn pareto_plans(
    site: &[ThreatFactors],
    candidates: &[&Measure],
    options: &PlanOptions,
) -> Result<Vec<PlanEvaluation>, PlanError> {
    if candidates.len() > MAX_CANDIDATES {
        return Err(PlanError::TooManyCandidates {
            count: candidates.len(),
            max: MAX_CANDIDATES,
        });
    }
    let model = Model::new(site, candidates, options)?;
    let mut search = Search::new(&model);
    let products = vec![1.0; model.slot_count()];
    search.visit(0, &products, 0, 0, 0);
    Ok(model.front_evaluations(search.archive))
}

/// The same front as [`pareto_plans`], by evaluating every subset (2^n): the reference the
/// branch and bound is checked against, for at most [`MAX_EXHAUSTIVE_CANDIDATES`] candidates.
pub fn pareto_plans_exhaustive(
    site: &[ThreatFactors],
    candidates: &[&Measure],
    options: &PlanOptions,
) -> Result<Vec<PlanEvaluation>, PlanError> {
    if candidates.len() > MAX_EXHAUSTIVE_CANDIDATES {
        return Err(PlanError::TooManyCandidates {
            count: candidates.len(),
            max: MAX_EXHAUSTIVE_CANDIDATES,
        });
    }
    let model = Model::new(site, candidates, options)?;
    let mut archive = Vec::new();
    for mask in 0..(1u64 << model.measures.len()) {
        if model.exclusive_conflict(mask).is_some() {
            continue;
        }
        let cost = model.cost_of(mask);
        if options.budget_eur.is_some_and(|budget| cost > budget) {
            continue;
        }
        let point = Point {
            cost,
            openness: model.openness_of(mask),
            risk: model.risk_of(mask),
            mask,
        };
        insert_nondominated(&mut archive, point);
    }
    Ok(model.front_evaluations(archive))
}

/// The measures and the site in the form the search needs. Measures are kept in id order, and
/// every risk reported is computed by multiplying their remaining fractions in that order, so
/// that the same plan gives the same number, bit for bit, whichever way it was found.
struct Model<'a> {
    site: &'a [ThreatFactors],
    options: PlanOptions,
    measures: Vec<&'a Measure>,
    /// Per measure: (slot, remaining fraction) for each effect on a threat of the site; a slot
    /// is `threat index in site × 3 + factor index`.
    multipliers: Vec<Vec<(usize, f64)>>,
    costs: Vec<u64>,
    openness: Vec<u32>,
    groups: Vec<Option<usize>>,
}

fn factor_index(factor: Factor) -> usize {
    match factor {
        Factor::ThreatLikelihood => 0,
        Factor::Vulnerability => 1,
        Factor::Consequence => 2,
    }
}

impl<'a> Model<'a> {
    fn new(
        site: &'a [ThreatFactors],
        measures: &[&'a Measure],
        options: &PlanOptions,
    ) -> Result<Model<'a>, PlanError> {
        if !(options.max_combined_reduction >= 0.0 && options.max_combined_reduction < 1.0) {
            return Err(PlanError::InvalidOption {
                field: "max_combined_reduction".to_owned(),
                problem: format!("{} is outside [0, 1)", options.max_combined_reduction),
            });
        }
        for (index, threat) in site.iter().enumerate() {
            if site[..index]
                .iter()
                .any(|other| other.threat == threat.threat)
            {
                return Err(PlanError::InvalidOption {
                    field: format!("site[{index}].threat"),
                    problem: format!("{} is listed twice", threat.threat),
                });
            }
            for factor in Factor::ALL {
                let value = threat.get(factor);
                if !is_valid_score(value) {
                    return Err(PlanError::InvalidOption {
                        field: format!("site[{index}].{factor}"),
                        problem: format!("{value} is out of range 1-10"),
                    });
                }
            }
        }
        let mut sorted: Vec<&'a Measure> = measures.to_vec();
        sorted.sort_by(|a, b| a.id.cmp(&b.id));
        if let Some(pair) = sorted.windows(2).find(|pair| pair[0].id == pair[1].id) {
            return Err(PlanError::DuplicateMeasure(pair[0].id.clone()));
        }
        let mut group_names: Vec<&str> = Vec::new();
        let mut groups = Vec::with_capacity(sorted.len());
        for measure in &sorted {
            groups.push(measure.exclusive_group.as_deref().map(|name| {
                group_names
                    .iter()
                    .position(|known| *known == name)
                    .unwrap_or_else(|| {
                        group_names.push(name);
                        group_names.len() - 1
                    })
            }));
        }
        let multipliers = sorted
            .iter()
            .map(|measure| {
                measure
                    .effects
                    .iter()
                    .filter_map(|effect| {
                        let threat_index =
                            site.iter().position(|row| row.threat == effect.threat)?;
                        Some((
                            threat_index * 3 + factor_index(effect.factor),
                            1.0 - effect.reduction,
                        ))
                    })
                    .collect()
            })
            .collect();
        let costs = sorted
            .iter()
            .map(|measure| {
                measure.capital_cost_eur.max_eur.saturating_add(
                    u64::from(options.horizon_years)
                        .saturating_mul(measure.running_cost_eur_per_year.max_eur),
                )
            })
            .collect();
        let openness = sorted
            .iter()
            .map(|measure| measure.openness.loss_points())
            .collect();
        Ok(Model {
            site,
            options: *options,
            measures: sorted,
            multipliers,
            costs,
            openness,
            groups,
        })
    }

    fn slot_count(&self) -> usize {
        self.site.len() * 3
    }

    fn all_mask(&self) -> u64 {
        if self.measures.len() == 64 {
            u64::MAX
        } else {
            (1u64 << self.measures.len()) - 1
        }
    }

    fn selected(&self, mask: u64) -> impl Iterator<Item = usize> {
        (0..self.measures.len()).filter(move |&index| mask & (1u64 << index) != 0)
    }

    fn exclusive_conflict(&self, mask: u64) -> Option<(String, usize, usize)> {
        let chosen: Vec<usize> = self.selected(mask).collect();
        for (position, &first) in chosen.iter().enumerate() {
            for &second in &chosen[position + 1..] {
                if let (Some(a), Some(b)) = (self.groups[first], self.groups[second])
                    && a == b
                {
                    let name = self.measures[first]
                        .exclusive_group
                        .clone()
                        .unwrap_or_default();
                    return Some((name, first, second));
                }
            }
        }
        None
    }

    fn cost_of(&self, mask: u64) -> u64 {
        self.selected(mask)
            .fold(0u64, |sum, index| sum.saturating_add(self.costs[index]))
    }

    fn openness_of(&self, mask: u64) -> u32 {
        self.selected(mask).map(|index| self.openness[index]).sum()
    }

    /// Remaining fractions per slot, multiplied in id order.
    fn products_of(&self, mask: u64) -> Vec<f64> {
        let mut products = vec![1.0; self.slot_count()];
        for index in self.selected(mask) {
            for &(slot, remaining) in &self.multipliers[index] {
                products[slot] *= remaining;
            }
        }
        products
    }

    fn risk_of(&self, mask: u64) -> f64 {
        self.total_risk(&self.products_of(mask))
    }

    /// The reduced factor: base × the product, the product capped below, the result at least 1.
    fn reduced(&self, base: f64, product: f64) -> f64 {
        let floor = 1.0 - self.options.max_combined_reduction;
        (base * product.max(floor)).max(1.0)
    }

    fn reduced_factors(&self, products: &[f64], threat_index: usize) -> [f64; 3] {
        let row = &self.site[threat_index];
        let slot = threat_index * 3;
        [
            self.reduced(row.threat_likelihood, products[slot]),
            self.reduced(row.vulnerability, products[slot + 1]),
            self.reduced(row.consequence, products[slot + 2]),
        ]
    }

    fn total_risk(&self, products: &[f64]) -> f64 {
        (0..self.site.len())
            .map(|threat_index| {
                let [t, v, c] = self.reduced_factors(products, threat_index);
                t * v * c
            })
            .sum()
    }

    fn evaluation(&self, mask: u64) -> PlanEvaluation {
        let products = self.products_of(mask);
        let threats: Vec<ResidualRisk> = self
            .site
            .iter()
            .enumerate()
            .map(|(threat_index, row)| {
                let [t, v, c] = self.reduced_factors(&products, threat_index);
                ResidualRisk {
                    threat: row.threat,
                    before: RiskScore::from_factors(
                        row.threat_likelihood,
                        row.vulnerability,
                        row.consequence,
                    ),
                    after: RiskScore::from_factors(t, v, c),
                    threat_likelihood_after: t,
                    vulnerability_after: v,
                    consequence_after: c,
                }
            })
            .collect();
        let mut capital = CostRangeEur::default();
        let mut running = CostRangeEur::default();
        let mut by_dimension: BTreeMap<String, u32> = OpennessImpact::default()
            .dimensions()
            .iter()
            .map(|&(name, _)| (name.to_owned(), 0))
            .collect();
        for index in self.selected(mask) {
            let measure = self.measures[index];
            capital = capital.plus(measure.capital_cost_eur);
            running = running.plus(measure.running_cost_eur_per_year);
            for (name, loss) in measure.openness.dimensions() {
                *by_dimension.entry(name.to_owned()).or_default() += u32::from(loss);
            }
        }
        PlanEvaluation {
            measures: self
                .selected(mask)
                .map(|index| self.measures[index].id.clone())
                .collect(),
            total_risk_before: threats.iter().map(|row| row.before.value).sum(),
            total_risk_after: self.total_risk(&products),
            threats,
            capital_cost_eur: capital,
            running_cost_eur_per_year: running,
            whole_life_cost_eur: self.cost_of(mask),
            openness_loss_points: self.openness_of(mask),
            openness_loss_by_dimension: by_dimension,
        }
    }

    fn front_evaluations(&self, mut archive: Vec<Point>) -> Vec<PlanEvaluation> {
        archive.sort_by(|a, b| {
            (a.cost, a.openness)
                .cmp(&(b.cost, b.openness))
                .then(a.risk.total_cmp(&b.risk))
        });
        archive
            .iter()
            .map(|point| self.evaluation(point.mask))
            .collect()
    }
}

/// A plan found: its three objectives and its measures (bit i: the i-th measure in id order).
#[derive(Debug, Clone, Copy)]
struct Point {
    cost: u64,
    openness: u32,
    risk: f64,
    mask: u64,
}

fn weakly_dominated(archive: &[Point], cost: u64, openness: u32, risk: f64) -> bool {
    archive
        .iter()
        .any(|point| point.cost <= cost && point.openness <= openness && point.risk <= risk)
}

/// Adds `point` unless a plan in the archive is at least as good on all three objectives;
/// removes the plans it is at least as good as.
fn insert_nondominated(archive: &mut Vec<Point>, point: Point) {
    if weakly_dominated(archive, point.cost, point.openness, point.risk) {
        return;
    }
    archive.retain(|other| {
        !(point.cost <= other.cost && point.openness <= other.openness && point.risk <= other.risk)
    });
    archive.push(point);
}

/// Relative margin taken off the risk bound before pruning, larger than the rounding error of
/// multiplying up to 32 fractions in another order, so that rounding never prunes a plan.
const BOUND_MARGIN: f64 = 1e-9;

struct Search<'m, 'a> {
    model: &'m Model<'a>,
    /// The order in which the search adds measures: largest risk reduction alone first, so
    /// that good plans are found early and prune more.
    order: Vec<usize>,
    /// `suffix[k][slot]`: the product of the remaining fractions of `order[k..]`.
    suffix: Vec<Vec<f64>>,
    archive: Vec<Point>,
}

impl<'m, 'a> Search<'m, 'a> {
    fn new(model: &'m Model<'a>) -> Self {
        let mut order: Vec<usize> = (0..model.measures.len()).collect();
        let alone: Vec<f64> = order
            .iter()
            .map(|&index| model.risk_of(1u64 << index))
            .collect();
        order.sort_by(|&a, &b| alone[a].total_cmp(&alone[b]).then(a.cmp(&b)));
        let slots = model.slot_count();
        let mut suffix = vec![vec![1.0; slots]; order.len() + 1];
        for position in (0..order.len()).rev() {
            let mut products = suffix[position + 1].clone();
            for &(slot, remaining) in &model.multipliers[order[position]] {
                products[slot] *= remaining;
            }
            suffix[position] = products;
        }
        Search {
            model,
            order,
            suffix,
            archive: Vec::new(),
        }
    }

    /// Visits the plan `mask` (reached by adding measures in `order`, the last before
    /// position `next`) and every plan that adds measures from `order[next..]`.
    fn visit(&mut self, next: usize, products: &[f64], cost: u64, openness: u32, mask: u64) {
        let model = self.model;
        let bound: Vec<f64> = products
            .iter()
            .zip(&self.suffix[next])
            .map(|(product, rest)| product * rest)
            .collect();
        let risk_bound = model.total_risk(&bound) * (1.0 - BOUND_MARGIN);
        if weakly_dominated(&self.archive, cost, openness, risk_bound) {
            return;
        }
        let point = Point {
            cost,
            openness,
            risk: model.risk_of(mask),
            mask,
        };
        insert_nondominated(&mut self.archive, point);
        for position in next..self.order.len() {
            let index = self.order[position];
            let child_cost = cost.saturating_add(model.costs[index]);
            if model
                .options
                .budget_eur
                .is_some_and(|budget| child_cost > budget)
            {
                continue;
            }
            if let Some(group) = model.groups[index]
                && model
                    .selected(mask)
                    .any(|chosen| model.groups[chosen] == Some(group))
            {
                continue;
            }
            let mut child = products.to_vec();
            for &(slot, remaining) in &model.multipliers[index] {
                child[slot] *= remaining;
            }
            self.visit(
                position + 1,
                &child,
                child_cost,
                openness + model.openness[index],
                mask | (1u64 << index),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ids::Text;
    use crate::measures::{MeasureCategory, MeasureEffect};

    /// A small deterministic generator (SplitMix64) so that the random catalogues are the
    /// same on every run.
    struct SplitMix(u64);

    impl SplitMix {
        fn next(&mut self) -> u64 {
            self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
            let mut z = self.0;
            z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
            z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
            z ^ (z >> 31)
        }

        fn below(&mut self, n: u64) -> u64 {
            self.next() % n
        }
    }

    fn random_measure(rng: &mut SplitMix, index: usize) -> Measure {
        let effect_count = 1 + rng.below(3) as usize;
        let mut effects: Vec<MeasureEffect> = Vec::new();
        while effects.len() < effect_count {
            let threat = Threat::ALL[rng.below(4) as usize];
            let factor = Factor::ALL[rng.below(3) as usize];
            if effects
                .iter()
                .any(|e| e.threat == threat && e.factor == factor)
            {
                continue;
            }
            effects.push(MeasureEffect {
                threat,
                factor,
                reduction: (1 + rng.below(18)) as f64 * 0.05,
                rationale: "test".to_owned(),
            });
        }
        let group = match rng.below(5) {
            0 => Some("line".to_owned()),
            1 => Some("gate".to_owned()),
            _ => None,
        };
        Measure {
            id: MeasureId(format!("m{index:02}")),
            category: MeasureCategory::Design,
            name: Text {
                en: "m".to_owned(),
                fr: "m".to_owned(),
            },
            description: Text {
                en: "m".to_owned(),
                fr: "m".to_owned(),
            },
            effects,
            capital_cost_eur: CostRangeEur {
                min_eur: 0,
                max_eur: 1000 * rng.below(50),
            },
            running_cost_eur_per_year: CostRangeEur {
                min_eur: 0,
                max_eur: 100 * rng.below(20),
            },
            openness: OpennessImpact {
                pedestrian: rng.below(3) as u8,
                visual: rng.below(4) as u8,
                ..OpennessImpact::default()
            },
            vehicle_rating: None,
            exclusive_group: group,
            sources: vec!["test".to_owned()],
        }
    }

    fn random_site(rng: &mut SplitMix) -> Vec<ThreatFactors> {
        Threat::ALL[..4]
            .iter()
            .map(|&threat| ThreatFactors {
                threat,
                threat_likelihood: 1.0 + rng.below(10) as f64 * 0.9,
                vulnerability: 1.0 + rng.below(10) as f64 * 0.9,
                consequence: 1.0 + rng.below(10) as f64 * 0.9,
            })
            .collect()
    }

    fn objectives(front: &[PlanEvaluation]) -> Vec<(u64, u32, u64)> {
        front
            .iter()
            .map(|plan| {
                (
                    plan.whole_life_cost_eur,
                    plan.openness_loss_points,
                    plan.total_risk_after.to_bits(),
                )
            })
            .collect()
    }

    #[test]
    fn branch_and_bound_matches_brute_force_on_random_catalogues() {
        let mut rng = SplitMix(20261123);
        for case in 0..24 {
            let count = 6 + case % 7; // 6..=12 measures
            let measures: Vec<Measure> = (0..count)
                .map(|index| random_measure(&mut rng, index))
                .collect();
            let candidates: Vec<&Measure> = measures.iter().collect();
            let site = random_site(&mut rng);
            let budget = (case % 3 == 0).then(|| 20_000 + 2000 * rng.below(30));
            let options = PlanOptions {
                budget_eur: budget,
                ..PlanOptions::default()
            };
            let exact = pareto_plans(&site, &candidates, &options).unwrap();
            let brute = pareto_plans_exhaustive(&site, &candidates, &options).unwrap();
            assert_eq!(
                objectives(&exact),
                objectives(&brute),
                "case {case}: {count} measures, budget {budget:?}"
            );
            assert!(!exact.is_empty());
            // No plan on the front is beaten or equalled on all three by another.
            for a in &exact {
                assert!(budget.is_none_or(|b| a.whole_life_cost_eur <= b));
                for b in &exact {
                    if std::ptr::eq(a, b) {
                        continue;
                    }
                    assert!(
                        !(b.whole_life_cost_eur <= a.whole_life_cost_eur
                            && b.openness_loss_points <= a.openness_loss_points
                            && b.total_risk_after <= a.total_risk_after),
                        "case {case}: {:?} dominated by {:?}",
                        a.measures,
                        b.measures
                    );
                }
            }
        }
    }

    #[test]
    fn reductions_multiply_and_are_capped() {
        let mut rng = SplitMix(1);
        let mut first = random_measure(&mut rng, 0);
        first.exclusive_group = None;
        first.effects = vec![MeasureEffect {
            threat: Threat::Firearms,
            factor: Factor::Vulnerability,
            reduction: 0.5,
            rationale: "x".to_owned(),
        }];
        let mut second = first.clone();
        second.id = MeasureId::from("m99");
        let site = [ThreatFactors {
            threat: Threat::Firearms,
            threat_likelihood: 5.0,
            vulnerability: 8.0,
            consequence: 6.0,
        }];
        let options = PlanOptions::default();
        // One measure: V 8 x 0.5 = 4; risk 5 x 4 x 6 = 120.
        let one = evaluate_plan(&site, &[&first], &options).unwrap();
        assert_eq!(one.threats[0].vulnerability_after, 4.0);
        assert_eq!(one.total_risk_after, 120.0);
        // Two: 8 x 0.25 = 2; risk 60.
        let two = evaluate_plan(&site, &[&first, &second], &options).unwrap();
        assert_eq!(two.threats[0].vulnerability_after, 2.0);
        assert_eq!(two.total_risk_after, 60.0);
        // With a 60 % cap the product 0.25 is held at 0.4: V = 3.2, risk 96.
        let capped = PlanOptions {
            max_combined_reduction: 0.6,
            ..options
        };
        let held = evaluate_plan(&site, &[&first, &second], &capped).unwrap();
        assert!((held.threats[0].vulnerability_after - 3.2).abs() < 1e-12);
        assert!((held.total_risk_after - 96.0).abs() < 1e-9);
        // A factor never drops below 1: V = 1.5 x 0.25 would be 0.375.
        let low = [ThreatFactors {
            vulnerability: 1.5,
            ..site[0]
        }];
        let floor = evaluate_plan(&low, &[&first, &second], &options).unwrap();
        assert_eq!(floor.threats[0].vulnerability_after, 1.0);
    }

    #[test]
    fn bad_plans_are_refused() {
        let mut rng = SplitMix(2);
        let mut first = random_measure(&mut rng, 0);
        first.exclusive_group = Some("line".to_owned());
        let mut second = random_measure(&mut rng, 1);
        second.exclusive_group = Some("line".to_owned());
        let site = random_site(&mut rng);
        let options = PlanOptions::default();
        assert_eq!(
            evaluate_plan(&site, &[&first, &second], &options),
            Err(PlanError::ExclusiveConflict {
                group: "line".to_owned(),
                first: MeasureId::from("m00"),
                second: MeasureId::from("m01"),
            })
        );
        assert_eq!(
            evaluate_plan(&site, &[&first, &first], &options),
            Err(PlanError::DuplicateMeasure(MeasureId::from("m00")))
        );
        let bad_cap = PlanOptions {
            max_combined_reduction: 1.0,
            ..options
        };
        assert!(matches!(
            evaluate_plan(&site, &[&first], &bad_cap),
            Err(PlanError::InvalidOption { field, .. }) if field == "max_combined_reduction"
        ));
        let bad_site = [ThreatFactors {
            vulnerability: 11.0,
            ..site[0]
        }];
        assert!(matches!(
            evaluate_plan(&bad_site, &[&first], &options),
            Err(PlanError::InvalidOption { field, .. }) if field == "site[0].vulnerability"
        ));
        let many: Vec<Measure> = (0..MAX_CANDIDATES + 1)
            .map(|index| random_measure(&mut rng, index))
            .collect();
        let refs: Vec<&Measure> = many.iter().collect();
        assert_eq!(
            pareto_plans(&site, &refs, &options).unwrap_err(),
            PlanError::TooManyCandidates {
                count: MAX_CANDIDATES + 1,
                max: MAX_CANDIDATES
            }
        );
    }
}
