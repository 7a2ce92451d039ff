//! The crate's error types, one per stage: content loading, assessment, plans. Every message
//! names the input and the place (line, question, measure, field).

use crate::ids::{MeasureId, QuestionId};
use crate::threat::{Factor, Threat};

/// A questionnaire or measures catalogue file that cannot be loaded.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ContentError {
    /// Not TOML, or not the expected shape (a missing or unknown field, a wrong type); the
    /// message is the TOML parser's, which gives line and column.
    #[error("{message}")]
    Syntax {
        /// The parser's message, with line and column.
        message: String,
    },
    /// A field has a value the content rules forbid.
    #[error("line {line}: {item}: {field}: {problem}")]
    Invalid {
        /// 1-based line of the item in the file.
        line: usize,
        /// The item, e.g. `question vr.entry_barriers` or `measure hvm.planters_rated`.
        item: String,
        /// The field, e.g. `levels[2].fr` or `effects[0].reduction`.
        field: String,
        /// What is wrong.
        problem: String,
    },
    /// A threat id that is not one of [`Threat::ALL`].
    #[error("line {line}: {item}: {field}: unknown threat `{value}`")]
    UnknownThreat {
        /// 1-based line of the item in the file.
        line: usize,
        /// The item, e.g. `measure hvm.planters_rated`.
        item: String,
        /// The field, e.g. `effects[1].threat`.
        field: String,
        /// The unknown id as written.
        value: String,
    },
}

/// Assessment input that cannot be scored. Nothing is computed when any is found.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum AssessmentError {
    /// The answers were given for another questionnaire or version than the one supplied.
    #[error("answers are for questionnaire {found}, not {expected}")]
    QuestionnaireMismatch {
        /// `id vVERSION` of the questionnaire supplied.
        expected: String,
        /// `id vVERSION` named by the answers.
        found: String,
    },
    /// An answer to a question that this questionnaire version does not have.
    #[error("answers.{question}: no such question in questionnaire {questionnaire}")]
    UnknownQuestion {
        /// The question id answered.
        question: QuestionId,
        /// `id vVERSION` of the questionnaire.
        questionnaire: String,
    },
    /// A grade outside 1..=5.
    #[error("answers.{question}: grade {grade} is out of range 1-5")]
    GradeOutOfRange {
        /// The question answered.
        question: QuestionId,
        /// The grade given.
        grade: u8,
    },
    /// A T, V or C value outside 1..=10 (or not a number).
    #[error("{field}: {value} is out of range 1-10")]
    ScoreOutOfRange {
        /// The field, e.g. `threat_likelihoods.firearms` or `overrides[0].value`.
        field: String,
        /// The value given.
        value: f64,
    },
    /// A manual override whose justification is empty.
    #[error(
        "overrides[{index}] ({threat} {factor}): a manual override needs a written justification"
    )]
    OverrideWithoutJustification {
        /// Position in the overrides list.
        index: usize,
        /// The threat overridden.
        threat: Threat,
        /// The factor overridden.
        factor: Factor,
    },
    /// Two overrides of the same factor of the same threat.
    #[error("overrides[{index}] ({threat} {factor}): this factor is already overridden")]
    DuplicateOverride {
        /// Position of the second override.
        index: usize,
        /// The threat.
        threat: Threat,
        /// The factor.
        factor: Factor,
    },
    /// A study result that is negative or not a number.
    #[error("{field}: {value} is not a valid study result (must be a finite number >= 0)")]
    InvalidStudyFinding {
        /// The field, e.g. `studies.crowd.peak_density_persons_per_m2`.
        field: String,
        /// The value given.
        value: f64,
    },
}

/// A plan that cannot be evaluated or optimised.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum PlanError {
    /// The same measure selected twice.
    #[error("measure {0} is selected twice")]
    DuplicateMeasure(MeasureId),
    /// Two alternatives of the same exclusive group selected together (e.g. two kinds of
    /// bollard for the same perimeter line).
    #[error("measures {first} and {second} are alternatives (group {group}); select one")]
    ExclusiveConflict {
        /// The group.
        group: String,
        /// The first measure of the group.
        first: MeasureId,
        /// The second measure of the group.
        second: MeasureId,
    },
    /// More candidate measures than the exact optimiser accepts.
    #[error("{count} candidate measures; the exact optimiser takes at most {max}")]
    TooManyCandidates {
        /// Candidates given.
        count: usize,
        /// The limit.
        max: usize,
    },
    /// An option outside its range.
    #[error("{field}: {problem}")]
    InvalidOption {
        /// The option, e.g. `max_combined_reduction`.
        field: String,
        /// What is wrong.
        problem: String,
    },
}
