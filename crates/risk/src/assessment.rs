//! Scoring an assessment: T, V and C per threat from the answers, the threat likelihoods and
//! the studies, each with the exact list of inputs that produced it, and FEMA 452's risk.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::error::AssessmentError;
use crate::ids::QuestionId;
use crate::questionnaire::Questionnaire;
use crate::score::{Grade, RiskScore, grade_score, is_valid_score};
use crate::threat::{Factor, Threat};

/// What the assessor supplies: answers to one questionnaire version, the threat likelihoods set
/// by the organisation, study results, and manual overrides. Numbers are plain so that bad
/// values come back as [`AssessmentError`]s naming the field.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct AssessmentInput {
    /// The questionnaire's id, e.g. `public-space`.
    pub questionnaire_id: String,
    /// The questionnaire's version the answers were given to.
    pub questionnaire_version: String,
    /// Grade (1-5) per answered question. Unanswered questions are left out.
    #[serde(default)]
    pub answers: BTreeMap<QuestionId, Grade>,
    /// T per threat (1-10), from the organisation's threat picture. A threat without one gets
    /// no risk (unless T is overridden).
    #[serde(default)]
    pub threat_likelihoods: BTreeMap<Threat, f64>,
    /// Results of the site's studies, if any.
    #[serde(default)]
    pub studies: StudyFindings,
    /// Manual overrides, each with its justification.
    #[serde(default)]
    pub overrides: Vec<ScoreOverride>,
}

/// A manual value for one factor of one threat, replacing the computed one.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ScoreOverride {
    /// The threat.
    pub threat: Threat,
    /// The factor replaced.
    pub factor: Factor,
    /// The value, 1-10.
    pub value: f64,
    /// Why: required, shown beside the score in every report.
    pub justification: String,
}

/// Results of the site's HVM and crowd studies, as plain numbers (the engines that produce them
/// are `vehicle_approach` and `crowd_sim`; the `app` layer copies their results here).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct StudyFindings {
    /// The HVM study's worst open entry, if the site has a study.
    pub hvm: Option<HvmFindings>,
    /// The crowd study's headline results, if the site has a study.
    pub crowd: Option<CrowdFindings>,
}

/// The worst entry point that an HVM study found open (no barrier, or one rated below the
/// vehicle that can reach it).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HvmFindings {
    /// Which entry, as the study names it (e.g. `Rosenstraße north`).
    pub open_entry: String,
    /// Highest speed a credible hostile vehicle can reach at that entry, km/h.
    pub max_impact_speed_kmh: f64,
    /// Highest kinetic energy a credible hostile vehicle can have there, kJ.
    pub max_impact_energy_kj: f64,
}

/// A crowd study's headline results for the site at its design occupancy.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CrowdFindings {
    /// Peak local density, persons per m².
    pub peak_density_persons_per_m2: f64,
    /// Time until the last person is out, s.
    pub evacuation_time_s: f64,
}

/// A scored assessment: the input it was computed from and one row per threat.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Assessment {
    /// The input, kept so that scores and answers can be compared later ([`crate::compare`]).
    pub input: AssessmentInput,
    /// One row per threat, in [`Threat::ALL`] order.
    pub threats: Vec<ThreatRisk>,
}

/// T, V, C and risk for one threat. A factor is `None` when nothing produced it (no answer
/// feeds it, no likelihood given, no override); the risk then is `None` too.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ThreatRisk {
    /// The threat.
    pub threat: Threat,
    /// T.
    pub threat_likelihood: Option<FactorScore>,
    /// V.
    pub vulnerability: Option<FactorScore>,
    /// C.
    pub consequence: Option<FactorScore>,
    /// T × V × C and its band, when all three are known.
    pub risk: Option<RiskScore>,
}

/// One factor's value and how it was obtained.
///
/// How: `computed` is the weighted mean of the graded answers that feed this factor for this
/// threat (each grade mapped onto 1-10 by [`crate::grade_score`], weighted by the question's
/// weight for the threat), raised to the highest study floor if a study result gives one
/// ([`hvm_speed_floor`], [`hvm_energy_floor`], [`crowd_density_floor`],
/// [`crowd_evacuation_floor`]); for T, the organisation's likelihood. `value` is the override's
/// value if there is one, else `computed`. A study floor only raises a score that answers
/// produced: with no answer feeding a factor it stays unscored, study or not, so that a study
/// never stands in for the questions it does not answer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FactorScore {
    /// The factor.
    pub factor: Factor,
    /// The value used in the risk, 1-10.
    pub value: f64,
    /// The value from the answers and studies (or likelihood), before any override; `None`
    /// when only an override produced the factor.
    pub computed: Option<f64>,
    /// Exactly the inputs that produced `computed` and, last, the override if any.
    pub contributions: Vec<Contribution>,
}

/// One input behind a score.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "source", rename_all = "snake_case")]
pub enum Contribution {
    /// A graded answer.
    Answer {
        /// The question.
        question: QuestionId,
        /// The grade given, 1-5.
        grade: Grade,
        /// The question's weight for this threat.
        weight: f64,
        /// The grade on the 1-10 scale.
        score: f64,
    },
    /// The organisation's threat likelihood.
    ThreatLikelihood {
        /// T, 1-10.
        value: f64,
    },
    /// The HVM study's highest impact speed at an open entry, and the floor it sets on V.
    HvmImpactSpeed {
        /// The entry.
        open_entry: String,
        /// The speed, km/h.
        speed_kmh: f64,
        /// The lowest V this speed allows.
        floor: f64,
    },
    /// The HVM study's highest impact energy at an open entry, and the floor it sets on V.
    HvmImpactEnergy {
        /// The entry.
        open_entry: String,
        /// The energy, kJ.
        energy_kj: f64,
        /// The lowest V this energy allows.
        floor: f64,
    },
    /// The crowd study's peak density and the floor it sets on C.
    CrowdPeakDensity {
        /// Persons per m².
        density_persons_per_m2: f64,
        /// The lowest C this density allows.
        floor: f64,
    },
    /// The crowd study's evacuation time and the floor it sets on C.
    CrowdEvacuationTime {
        /// Seconds.
        time_s: f64,
        /// The lowest C this time allows.
        floor: f64,
    },
    /// The assessor's manual value.
    Override {
        /// The value, 1-10.
        value: f64,
        /// The written justification.
        justification: String,
    },
}

/// Threats whose vulnerability an HVM study's open entry raises: ramming, and a VBIED, which an
/// open entry lets reach the crowd without stand-off.
pub const HVM_THREATS: [Threat; 2] = [Threat::VehicleRamming, Threat::VehicleBorneIed];

/// The lowest vehicle-ramming (and VBIED) V that a vehicle reaching an open entry at
/// `speed_kmh` allows. Steps at the test speeds of ISO 22343-1 / IWA 14-1 / PAS 68 (16, 32,
/// 48, 64, 80 km/h; shared/research/hvm.md), so each step is one barrier rating class more that
/// the entry would need: below 16 km/h 1 (no floor), 16-32 4, 32-48 6, 48-64 8, 64-80 9,
/// 80 and above 10.
pub fn hvm_speed_floor(speed_kmh: f64) -> f64 {
    step_floor(
        speed_kmh,
        &[
            (80.0, 10.0),
            (64.0, 9.0),
            (48.0, 8.0),
            (32.0, 6.0),
            (16.0, 4.0),
        ],
    )
}

/// The lowest vehicle-ramming (and VBIED) V that `energy_kj` at an open entry allows. Steps at
/// the kinetic energies of test vehicles (½ m v²): a 1 500 kg car at 48 km/h is 133 kJ, a
/// 2 500 kg van at 64 km/h 395 kJ, a 7 200 kg truck at 64 km/h 1 138 kJ and at 80 km/h
/// 1 778 kJ. Below 50 kJ 1, 50-133 4, 133-395 6, 395-1138 8, 1138-1778 9, 1778 and above 10.
pub fn hvm_energy_floor(energy_kj: f64) -> f64 {
    step_floor(
        energy_kj,
        &[
            (1778.0, 10.0),
            (1138.0, 9.0),
            (395.0, 8.0),
            (133.0, 6.0),
            (50.0, 4.0),
        ],
    )
}

/// The lowest consequence that a crowd study's peak density allows, by Fruin's walkway levels
/// of service (Fruin 1971; area per person A > 3.25 m², B 2.32-3.25, C 1.39-2.32, D 0.93-1.39,
/// E 0.46-0.93, F < 0.46, i.e. density limits 0.43, 0.72, 1.08 and 2.17 persons/m²), with 4
/// persons/m² as the onset of crush conditions (G. K. Still, *Introduction to Crowd Science*,
/// 2014): below 0.43 (A-B) 1, C 3, D 5, E 7, F 9, 4 and above 10.
pub fn crowd_density_floor(density_persons_per_m2: f64) -> f64 {
    step_floor(
        density_persons_per_m2,
        &[
            (4.0, 10.0),
            (2.17, 9.0),
            (1.08, 7.0),
            (0.72, 5.0),
            (0.43, 3.0),
        ],
    )
}

/// The lowest consequence that a crowd study's evacuation time allows. Anchored on the UK
/// Guide to Safety at Sports Grounds (Green Guide, 6th ed., 2018), whose emergency evacuation
/// times run from 2.5 min (150 s) to 8 min (480 s) by fire risk: below 150 s 1, 150-300 s 4,
/// 300-480 s 6, 480-600 s 8, 600 s and above 10.
pub fn crowd_evacuation_floor(evacuation_time_s: f64) -> f64 {
    step_floor(
        evacuation_time_s,
        &[(600.0, 10.0), (480.0, 8.0), (300.0, 6.0), (150.0, 4.0)],
    )
}

/// The floor of the first step (from the top) whose threshold `value` reaches, else 1.
fn step_floor(value: f64, steps_descending: &[(f64, f64)]) -> f64 {
    steps_descending
        .iter()
        .find(|(threshold, _)| value >= *threshold)
        .map_or(1.0, |&(_, floor)| floor)
}

/// Scores an assessment: checks the input against the questionnaire, then computes T, V, C and
/// the risk for every threat, each with its explanation.
///
/// ```
/// use risk::*;
/// let questionnaire = shipped_questionnaire();
/// let mut input = AssessmentInput {
///     questionnaire_id: questionnaire.id.clone(),
///     questionnaire_version: questionnaire.version.clone(),
///     ..Default::default()
/// };
/// input.answers.insert(QuestionId::from("vr.entry_barriers"), 1);
/// input.answers.insert(QuestionId::from("site.peak_occupancy"), 2);
/// input.threat_likelihoods.insert(Threat::VehicleRamming, 6.0);
/// let assessment = assess(&questionnaire, input).unwrap();
/// let ramming = assessment.threat(Threat::VehicleRamming);
/// assert!(ramming.risk.is_some());
/// ```
pub fn assess(
    questionnaire: &Questionnaire,
    input: AssessmentInput,
) -> Result<Assessment, AssessmentError> {
    validate(questionnaire, &input)?;
    let threats = Threat::ALL
        .into_iter()
        .map(|threat| score_threat(questionnaire, &input, threat))
        .collect();
    Ok(Assessment { input, threats })
}

fn validate(questionnaire: &Questionnaire, input: &AssessmentInput) -> Result<(), AssessmentError> {
    if input.questionnaire_id != questionnaire.id
        || input.questionnaire_version != questionnaire.version
    {
        return Err(AssessmentError::QuestionnaireMismatch {
            expected: questionnaire.label(),
            found: format!(
                "{} v{}",
                input.questionnaire_id, input.questionnaire_version
            ),
        });
    }
    for (question, &grade) in &input.answers {
        if questionnaire.question(question).is_none() {
            return Err(AssessmentError::UnknownQuestion {
                question: question.clone(),
                questionnaire: questionnaire.label(),
            });
        }
        if grade_score(grade).is_none() {
            return Err(AssessmentError::GradeOutOfRange {
                question: question.clone(),
                grade,
            });
        }
    }
    for (threat, &value) in &input.threat_likelihoods {
        if !is_valid_score(value) {
            return Err(AssessmentError::ScoreOutOfRange {
                field: format!("threat_likelihoods.{threat}"),
                value,
            });
        }
    }
    let study_values = [
        input
            .studies
            .hvm
            .as_ref()
            .map(|hvm| ("studies.hvm.max_impact_speed_kmh", hvm.max_impact_speed_kmh)),
        input
            .studies
            .hvm
            .as_ref()
            .map(|hvm| ("studies.hvm.max_impact_energy_kj", hvm.max_impact_energy_kj)),
        input.studies.crowd.as_ref().map(|crowd| {
            (
                "studies.crowd.peak_density_persons_per_m2",
                crowd.peak_density_persons_per_m2,
            )
        }),
        input
            .studies
            .crowd
            .as_ref()
            .map(|crowd| ("studies.crowd.evacuation_time_s", crowd.evacuation_time_s)),
    ];
    for (field, value) in study_values.into_iter().flatten() {
        if !(value.is_finite() && value >= 0.0) {
            return Err(AssessmentError::InvalidStudyFinding {
                field: field.to_owned(),
                value,
            });
        }
    }
    for (index, item) in input.overrides.iter().enumerate() {
        if !is_valid_score(item.value) {
            return Err(AssessmentError::ScoreOutOfRange {
                field: format!("overrides[{index}].value"),
                value: item.value,
            });
        }
        if item.justification.trim().is_empty() {
            return Err(AssessmentError::OverrideWithoutJustification {
                index,
                threat: item.threat,
                factor: item.factor,
            });
        }
        let earlier = &input.overrides[..index];
        if earlier
            .iter()
            .any(|other| other.threat == item.threat && other.factor == item.factor)
        {
            return Err(AssessmentError::DuplicateOverride {
                index,
                threat: item.threat,
                factor: item.factor,
            });
        }
    }
    Ok(())
}

fn score_threat(
    questionnaire: &Questionnaire,
    input: &AssessmentInput,
    threat: Threat,
) -> ThreatRisk {
    let likelihood = input
        .threat_likelihoods
        .get(&threat)
        .map(|&value| (value, vec![Contribution::ThreatLikelihood { value }]));
    let threat_likelihood = apply_override(input, threat, Factor::ThreatLikelihood, likelihood);
    let vulnerability = apply_override(
        input,
        threat,
        Factor::Vulnerability,
        from_answers_and_studies(questionnaire, input, threat, Factor::Vulnerability),
    );
    let consequence = apply_override(
        input,
        threat,
        Factor::Consequence,
        from_answers_and_studies(questionnaire, input, threat, Factor::Consequence),
    );
    let risk = match (&threat_likelihood, &vulnerability, &consequence) {
        (Some(t), Some(v), Some(c)) => Some(RiskScore::from_factors(t.value, v.value, c.value)),
        _ => None,
    };
    ThreatRisk {
        threat,
        threat_likelihood,
        vulnerability,
        consequence,
        risk,
    }
}

/// The weighted mean of the answers feeding `factor` for `threat`, raised to the study floors.
/// `None` when no answer feeds it (study floors alone never make a score: they only raise).
fn from_answers_and_studies(
    questionnaire: &Questionnaire,
    input: &AssessmentInput,
    threat: Threat,
    factor: Factor,
) -> Option<(f64, Vec<Contribution>)> {
    let mut contributions = Vec::new();
    let mut weighted_sum = 0.0;
    let mut weight_sum = 0.0;
    for question in questionnaire.questions() {
        if question.feeds != factor {
            continue;
        }
        let (Some(&weight), Some(&grade)) = (
            question.weights.get(&threat),
            input.answers.get(&question.id),
        ) else {
            continue;
        };
        let score = grade_score(grade).expect("grades are validated before scoring");
        weighted_sum += weight * score;
        weight_sum += weight;
        contributions.push(Contribution::Answer {
            question: question.id.clone(),
            grade,
            weight,
            score,
        });
    }
    if contributions.is_empty() {
        return None;
    }
    let mut value = weighted_sum / weight_sum;
    if factor == Factor::Vulnerability
        && HVM_THREATS.contains(&threat)
        && let Some(hvm) = &input.studies.hvm
    {
        let speed_floor = hvm_speed_floor(hvm.max_impact_speed_kmh);
        let energy_floor = hvm_energy_floor(hvm.max_impact_energy_kj);
        value = value.max(speed_floor).max(energy_floor);
        contributions.push(Contribution::HvmImpactSpeed {
            open_entry: hvm.open_entry.clone(),
            speed_kmh: hvm.max_impact_speed_kmh,
            floor: speed_floor,
        });
        contributions.push(Contribution::HvmImpactEnergy {
            open_entry: hvm.open_entry.clone(),
            energy_kj: hvm.max_impact_energy_kj,
            floor: energy_floor,
        });
    }
    if factor == Factor::Consequence
        && let Some(crowd) = &input.studies.crowd
    {
        let density_floor = crowd_density_floor(crowd.peak_density_persons_per_m2);
        let evacuation_floor = crowd_evacuation_floor(crowd.evacuation_time_s);
        value = value.max(density_floor).max(evacuation_floor);
        contributions.push(Contribution::CrowdPeakDensity {
            density_persons_per_m2: crowd.peak_density_persons_per_m2,
            floor: density_floor,
        });
        contributions.push(Contribution::CrowdEvacuationTime {
            time_s: crowd.evacuation_time_s,
            floor: evacuation_floor,
        });
    }
    Some((value, contributions))
}

fn apply_override(
    input: &AssessmentInput,
    threat: Threat,
    factor: Factor,
    computed: Option<(f64, Vec<Contribution>)>,
) -> Option<FactorScore> {
    let manual = input
        .overrides
        .iter()
        .find(|item| item.threat == threat && item.factor == factor);
    let (computed, mut contributions) = match computed {
        Some((value, contributions)) => (Some(value), contributions),
        None => (None, Vec::new()),
    };
    let value = match manual {
        Some(item) => {
            contributions.push(Contribution::Override {
                value: item.value,
                justification: item.justification.clone(),
            });
            item.value
        }
        None => computed?,
    };
    Some(FactorScore {
        factor,
        value,
        computed,
        contributions,
    })
}

impl Assessment {
    /// The row of one threat.
    pub fn threat(&self, threat: Threat) -> &ThreatRisk {
        self.threats
            .iter()
            .find(|row| row.threat == threat)
            .expect("an assessment has a row for every threat")
    }

    /// The highest risk over all threats, for ranking sites on the dashboard.
    pub fn highest_risk(&self) -> Option<(Threat, RiskScore)> {
        self.threats
            .iter()
            .filter_map(|row| row.risk.map(|risk| (row.threat, risk)))
            .max_by(|a, b| a.1.value.total_cmp(&b.1.value))
    }
}

impl ThreatRisk {
    /// The factor's score, if known.
    pub fn factor(&self, factor: Factor) -> Option<&FactorScore> {
        match factor {
            Factor::ThreatLikelihood => self.threat_likelihood.as_ref(),
            Factor::Vulnerability => self.vulnerability.as_ref(),
            Factor::Consequence => self.consequence.as_ref(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn study_floors_step_at_the_cited_thresholds() {
        // ISO 22343-1 test speeds, km/h.
        assert_eq!(hvm_speed_floor(0.0), 1.0);
        assert_eq!(hvm_speed_floor(15.9), 1.0);
        assert_eq!(hvm_speed_floor(16.0), 4.0);
        assert_eq!(hvm_speed_floor(48.0), 8.0);
        assert_eq!(hvm_speed_floor(79.9), 9.0);
        assert_eq!(hvm_speed_floor(112.0), 10.0);
        // ½ m v²: 1 500 kg at 48 km/h (13.33 m/s) = 133.3 kJ; 7 200 kg at 80 km/h = 1 778 kJ;
        // 7 500 kg at 80 km/h = 1.85 MJ (mission-anchors.md §5.6).
        let kinetic_kj =
            |mass_kg: f64, speed_kmh: f64| 0.5 * mass_kg * (speed_kmh / 3.6).powi(2) / 1000.0;
        assert!((kinetic_kj(1500.0, 48.0) - 133.3).abs() < 0.1);
        assert!((kinetic_kj(7200.0, 80.0) - 1777.8).abs() < 0.1);
        assert_eq!(hvm_energy_floor(kinetic_kj(1500.0, 48.0)), 6.0);
        assert_eq!(hvm_energy_floor(kinetic_kj(7500.0, 80.0)), 10.0);
        assert_eq!(hvm_energy_floor(kinetic_kj(1500.0, 16.0)), 1.0); // 14.8 kJ
        // Fruin's LoS density limits: 1 / 2.32 m² = 0.43, 1 / 0.46 m² = 2.17 persons/m².
        assert_eq!(crowd_density_floor(1.0 / 2.33), 1.0);
        assert_eq!(crowd_density_floor(1.0 / 2.32 + 1e-3), 3.0);
        assert_eq!(crowd_density_floor(1.0), 5.0);
        assert_eq!(crowd_density_floor(1.0 / 0.46), 9.0);
        assert_eq!(crowd_density_floor(5.0), 10.0);
        // Green Guide: 8 min = 480 s.
        assert_eq!(crowd_evacuation_floor(149.0), 1.0);
        assert_eq!(crowd_evacuation_floor(8.0 * 60.0), 8.0);
        assert_eq!(crowd_evacuation_floor(900.0), 10.0);
    }
}
