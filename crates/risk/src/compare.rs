//! What changed between two assessments of a site: answers and scores, for the side-by-side
//! view and the dashboard's "what changed since the last assessment".

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};

use crate::assessment::Assessment;
use crate::ids::QuestionId;
use crate::score::{Grade, RiskBand};
use crate::threat::{Factor, Threat};

/// The differences from an earlier assessment (`before`) to a later one (`after`). Only what
/// changed is listed; an empty comparison means the two agree on every answer and score.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Comparison {
    /// `id vVERSION` of each side's questionnaire (they may differ: a new version).
    pub questionnaires: (String, String),
    /// Answers added, removed or regraded, by question id.
    pub answers: Vec<AnswerChange>,
    /// T, V, C and risk values that changed, threat by threat.
    pub scores: Vec<ScoreChange>,
}

/// One answer that differs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AnswerChange {
    /// The question.
    pub question: QuestionId,
    /// The grade before (`None`: not answered).
    pub before: Option<Grade>,
    /// The grade after (`None`: not answered).
    pub after: Option<Grade>,
}

/// What a score change is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ScoreKind {
    /// One of T, V, C.
    Factor(Factor),
    /// T × V × C.
    Risk,
}

/// One score that differs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ScoreChange {
    /// The threat.
    pub threat: Threat,
    /// Which score.
    pub kind: ScoreKind,
    /// The value before (`None`: not scored).
    pub before: Option<f64>,
    /// The value after (`None`: not scored).
    pub after: Option<f64>,
    /// For a risk: the bands before and after.
    pub bands: Option<(Option<RiskBand>, Option<RiskBand>)>,
}

impl ScoreChange {
    /// After minus before, when both are scored (negative: the score went down).
    pub fn delta(&self) -> Option<f64> {
        Some(self.after? - self.before?)
    }
}

/// Compares two assessments of the same site (`before` the earlier one).
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
/// let before = assess(&questionnaire, input.clone()).unwrap();
/// input.answers.insert(QuestionId::from("vr.entry_barriers"), 4);
/// let after = assess(&questionnaire, input).unwrap();
/// let changes = compare(&before, &after);
/// assert_eq!(changes.answers.len(), 1);
/// assert_eq!(changes.answers[0].after, Some(4));
/// ```
pub fn compare(before: &Assessment, after: &Assessment) -> Comparison {
    let label = |assessment: &Assessment| {
        format!(
            "{} v{}",
            assessment.input.questionnaire_id, assessment.input.questionnaire_version
        )
    };
    let questions: BTreeSet<&QuestionId> = before
        .input
        .answers
        .keys()
        .chain(after.input.answers.keys())
        .collect();
    let answers = questions
        .into_iter()
        .filter_map(|question| {
            let old = before.input.answers.get(question).copied();
            let new = after.input.answers.get(question).copied();
            (old != new).then(|| AnswerChange {
                question: question.clone(),
                before: old,
                after: new,
            })
        })
        .collect();
    let mut scores = Vec::new();
    for threat in Threat::ALL {
        let (old, new) = (before.threat(threat), after.threat(threat));
        for factor in Factor::ALL {
            let old_value = old.factor(factor).map(|score| score.value);
            let new_value = new.factor(factor).map(|score| score.value);
            if old_value != new_value {
                scores.push(ScoreChange {
                    threat,
                    kind: ScoreKind::Factor(factor),
                    before: old_value,
                    after: new_value,
                    bands: None,
                });
            }
        }
        if old.risk != new.risk {
            scores.push(ScoreChange {
                threat,
                kind: ScoreKind::Risk,
                before: old.risk.map(|risk| risk.value),
                after: new.risk.map(|risk| risk.value),
                bands: Some((
                    old.risk.map(|risk| risk.band),
                    new.risk.map(|risk| risk.band),
                )),
            });
        }
    }
    Comparison {
        questionnaires: (label(before), label(after)),
        answers,
        scores,
    }
}
