//! Comparing two assessments: exactly the answers and scores that changed.

use risk::*;

use crate::support::{answer, shipped_input};

#[test]
fn comparison_lists_exactly_what_changed() {
    let questionnaire = shipped_questionnaire();
    let mut before = shipped_input();
    answer(&mut before, "vr.entry_barriers", 1); // V vehicle ramming 10 (only answer)
    answer(&mut before, "site.peak_occupancy", 2); // C 7.75 for all threats
    answer(&mut before, "in.vetting", 3);
    before
        .threat_likelihoods
        .insert(Threat::VehicleRamming, 6.0);
    let mut after = before.clone();
    answer(&mut after, "vr.entry_barriers", 5); // bollards installed: V 1
    after.answers.remove(&QuestionId::from("in.vetting"));
    answer(&mut after, "ua.detection", 4);

    let first = assess(&questionnaire, before).unwrap();
    let second = assess(&questionnaire, after).unwrap();
    let changes = compare(&first, &second);
    assert_eq!(
        changes.questionnaires,
        ("public-space v1".to_owned(), "public-space v1".to_owned())
    );
    let answers: Vec<(&str, Option<u8>, Option<u8>)> = changes
        .answers
        .iter()
        .map(|change| (change.question.as_str(), change.before, change.after))
        .collect();
    assert_eq!(
        answers,
        [
            ("in.vetting", Some(3), None),
            ("ua.detection", None, Some(4)),
            ("vr.entry_barriers", Some(1), Some(5))
        ]
    );
    let scores: Vec<(Threat, ScoreKind, Option<f64>, Option<f64>)> = changes
        .scores
        .iter()
        .map(|change| (change.threat, change.kind, change.before, change.after))
        .collect();
    // Vehicle ramming: V 10 -> 1 (also VBIED, which vr.entry_barriers feeds with weight 1), risk
    // 6 x 10 x 7.75 = 465 -> 6 x 1 x 7.75 = 46.5; insider V gone; drone V appears.
    assert_eq!(
        scores,
        [
            (
                Threat::VehicleRamming,
                ScoreKind::Factor(Factor::Vulnerability),
                Some(10.0),
                Some(1.0)
            ),
            (
                Threat::VehicleRamming,
                ScoreKind::Risk,
                Some(465.0),
                Some(46.5)
            ),
            (
                Threat::VehicleBorneIed,
                ScoreKind::Factor(Factor::Vulnerability),
                Some(10.0),
                Some(1.0)
            ),
            (
                Threat::UnmannedAircraft,
                ScoreKind::Factor(Factor::Vulnerability),
                None,
                Some(3.25)
            ),
            (
                Threat::Insider,
                ScoreKind::Factor(Factor::Vulnerability),
                Some(5.5),
                None
            ),
        ]
    );
    let risk = &changes.scores[1];
    assert_eq!(
        risk.bands,
        Some((Some(RiskBand::High), Some(RiskBand::Low)))
    );
    assert_eq!(risk.delta(), Some(46.5 - 465.0));
    // An assessment compared with itself has no changes.
    let same = compare(&second, &second);
    assert!(same.answers.is_empty() && same.scores.is_empty());
}
