//! `risk` is Agora's assessment and risk engine. It loads the questionnaire and the measures
//! catalogue from their content files, scores an assessment of a public space threat by threat
//! with FEMA 452's method (risk = threat likelihood T × vulnerability V × consequence C, each
//! 1-10, so risk is 1-1000, in bands), explains every score by exactly the answers and study
//! results that produced it, compares two assessments, evaluates plans of protective measures
//! (residual risk, cost, openness lost) and finds the Pareto-optimal plans under a budget. Beside
//! risk, never inside it, it classifies premises and events into the capacity tiers of the UK
//! Terrorism (Protection of Premises) Act 2025.
//!
//! It is pure: no files, clocks, environment or global state. Content comes in as `&str`
//! ([`Questionnaire::parse`], [`Catalogue::parse`]) or compiled in ([`shipped_questionnaire`],
//! [`shipped_catalogue`]). It is **not** the assessment workflow (drafts, evidence, finalising,
//! storage: `app` and `store`), not a report renderer, and not a study engine: HVM and crowd
//! results come in as plain numbers ([`StudyFindings`]) from `vehicle_approach` and `crowd_sim`.
//!
//! # Glossary
//! - **Threat**: a type of attack scored separately ([`Threat`]): vehicle ramming, edged weapon,
//!   firearms, person-borne IED, vehicle-borne IED, unmanned aircraft, CBRN, arson, insider,
//!   hoax/panic, the EU vulnerability assessment method's scenarios.
//! - **T, threat likelihood**: how likely this type of attack is here (1-10), set by the
//!   assessor's organisation from its threat picture.
//! - **V, vulnerability**: how easily it would succeed (1-10): the weighted mean of the graded
//!   answers that bear on it, raised by an HVM study's open entries.
//! - **C, consequence**: how bad the outcome would be (1-10; FEMA's "asset value"): from the
//!   site description, raised by a crowd study's density and evacuation time.
//! - **Graded answer**: one of five levels per question (CISA style), grade 1 the weakest
//!   position, 5 the strongest, each with options for consideration.
//! - **Study floor**: the lowest V or C a study result allows (e.g. a truck reaching an open
//!   entry at 64 km/h: V at least 9); it raises a score, never lowers it.
//! - **Override**: a manual T, V or C; refused without a written justification.
//! - **Risk band**: FEMA 426's low (≤ 60), medium (≤ 175), high (> 175).
//! - **Measure**: a protective measure from the catalogue, reducing T, V or C of some threats by a
//!   fraction, with capital and running cost ranges and an **openness impact**: loss of
//!   pedestrian and cycle permeability, wheelchair and emergency access, visual intrusion and
//!   irreversibility, each 0-4.
//! - **Plan**: a set of measures; its residual risk, whole-life cost and openness lost.
//! - **Pareto front**: the plans no other plan beats or equals on all three.
//! - **Duty tier**: Martyn's Law's standard (200-799 people) and enhanced (800+, qualifying
//!   events) duties: classification, not risk.
//!
//! # Example
//! ```
//! use risk::*;
//!
//! let questionnaire = shipped_questionnaire();
//! let mut input = AssessmentInput {
//!     questionnaire_id: questionnaire.id.clone(),
//!     questionnaire_version: questionnaire.version.clone(),
//!     ..Default::default()
//! };
//! input.answers.insert(QuestionId::from("vr.entry_barriers"), 1); // no barriers at all
//! input.answers.insert(QuestionId::from("site.peak_occupancy"), 2);
//! input.threat_likelihoods.insert(Threat::VehicleRamming, 6.0);
//! let assessment = assess(&questionnaire, input).unwrap();
//! let ramming = assessment.threat(Threat::VehicleRamming);
//! let vulnerability = ramming.vulnerability.as_ref().unwrap();
//! assert_eq!(vulnerability.value, 10.0); // grade 1 maps to 10
//! assert_eq!(vulnerability.contributions.len(), 1); // explained by that one answer
//!
//! let catalogue = shipped_catalogue();
//! let candidates: Vec<&Measure> = catalogue.measures.iter().collect::<Vec<_>>()[..12].to_vec();
//! let front = pareto_plans(&assessment.scored_factors(), &candidates, &PlanOptions::default()).unwrap();
//! assert!(!front.is_empty());
//! ```
//!
//! # Performance
//! [`pareto_plans`] is exact (branch and bound with dominance pruning); `cargo bench -p risk`
//! times it on 25 measures of the shipped catalogue for a square with all ten threats scored.
//! Measured on the shared 2-core machine (other builds running), shipped measures, no budget:
//!
//! | candidates | Pareto-optimal plans | release | unoptimised (test profile) |
//! |---|---|---|---|
//! | 20 | 527 | 0.03 s | 0.12 s |
//! | 25 | 873 | 0.15 s | 1.2 s |
//! | 30 | 1 151 | 1.2 s | 7.2 s |
//! | 32 ([`MAX_CANDIDATES`]) | 1 094 | 2.4 s | 17 s |
//!
//! A budget prunes hard: 25 candidates under EUR 500 000 take 88 µs (17 plans).

#![forbid(unsafe_code)]
#![warn(missing_docs)]

mod assessment;
mod compare;
mod content;
mod error;
mod ids;
mod measures;
mod plan;
mod questionnaire;
mod score;
mod threat;
mod tier;

pub use assessment::{
    Assessment, AssessmentInput, Contribution, CrowdFindings, FactorScore, HVM_THREATS,
    HvmFindings, ScoreOverride, StudyFindings, ThreatRisk, assess, crowd_density_floor,
    crowd_evacuation_floor, hvm_energy_floor, hvm_speed_floor,
};
pub use compare::{AnswerChange, Comparison, ScoreChange, ScoreKind, compare};
pub use content::{
    SHIPPED_CATALOGUE_TOML, SHIPPED_QUESTIONNAIRE_TOML, shipped_catalogue, shipped_questionnaire,
};
pub use error::{AssessmentError, ContentError, PlanError};
pub use ids::{MeasureId, QuestionId, SectionId, Text};
pub use measures::{
    Catalogue, CostRangeEur, MAX_SINGLE_REDUCTION, Measure, MeasureCategory, MeasureEffect,
    OPENNESS_MAX, OpennessImpact,
};
pub use plan::{
    MAX_CANDIDATES, MAX_EXHAUSTIVE_CANDIDATES, PlanEvaluation, PlanOptions, ResidualRisk,
    ThreatFactors, evaluate_plan, pareto_plans, pareto_plans_exhaustive,
};
pub use questionnaire::{Level, Question, Questionnaire, Section, Step};
pub use score::{
    Grade, LEVELS, RiskBand, RiskScore, SCORE_MAX, SCORE_MIN, grade_score, is_valid_score,
};
pub use threat::{Factor, Threat, UnknownThreat};
pub use tier::{
    DutyTier, ENHANCED_DUTY_MIN_PEOPLE, EventFacts, PremisesFacts, STANDARD_DUTY_MIN_PEOPLE,
    event_non_qualifying_reasons, event_tier, premises_tier,
};
