//! Helpers shared by the test modules.

use risk::*;

/// An empty input for the shipped questionnaire.
pub fn shipped_input() -> AssessmentInput {
    let questionnaire = shipped_questionnaire();
    AssessmentInput {
        questionnaire_id: questionnaire.id,
        questionnaire_version: questionnaire.version,
        ..AssessmentInput::default()
    }
}

/// Answers by question id.
pub fn answer(input: &mut AssessmentInput, question: &str, grade: Grade) {
    input.answers.insert(QuestionId::from(question), grade);
}

/// The question ids of the answer contributions, in order.
pub fn answered_questions(score: &FactorScore) -> Vec<&str> {
    score
        .contributions
        .iter()
        .filter_map(|contribution| match contribution {
            Contribution::Answer { question, .. } => Some(question.as_str()),
            _ => None,
        })
        .collect()
}
