//! Scoring: FEMA 452's worked example, explanations that list exactly the contributing inputs,
//! study floors, overrides and bad input.

use risk::*;

use crate::support::{answer, answered_questions, shipped_input};

/// A questionnaire built so that its answers reproduce FEMA 452's worked example through the
/// ordinary scoring path: grades 1-5 map to 10, 7.75, 5.5, 3.25, 1 and the weights are chosen
/// so that the weighted means are exactly the example's ratings:
/// - C = (10 x 1 + 7.75 x 8) / 9 = 72 / 9 = 8 for every threat, the example's asset value;
/// - CBR (cbrn): V = (10 x 5 + 7.75 x 4) / 9 = 81 / 9 = 9;
/// - vehicle bomb (vbied): V = (10 x 1 + 7.75 x 8) / 9 = 72 / 9 = 8;
/// - armed attack (firearms): V = (5.5 x 1 + 3.25 x 2) / 3 = 12 / 3 = 4;
/// - cyber (here: insider): V = (3.25 x 4 + 1 x 5) / 9 = 18 / 9 = 2.
fn fema_questionnaire() -> String {
    let question = |id: &str, feeds: &str, weights: &str| {
        let levels: Vec<String> = (1..=5)
            .map(|grade| format!("  {{ en = \"{grade}\", fr = \"{grade}\", options_en = \"o\", options_fr = \"o\" }},"))
            .collect();
        format!(
            "[[sections.questions]]\nid = \"{id}\"\nfeeds = \"{feeds}\"\nweights = {{ {weights} }}\n\
             text = {{ en = \"{id}\", fr = \"{id}\" }}\nlevels = [\n{}\n]\n\n",
            levels.join("\n")
        )
    };
    let section = |id: &str, step: &str| {
        format!(
            "[[sections]]\nid = \"{id}\"\nstep = \"{step}\"\ntitle = {{ en = \"{id}\", fr = \"{id}\" }}\n\
             sources = [\"FEMA 452 (2005), unit 5 worked example; mission-anchors.md 5.1\"]\n\n"
        )
    };
    [
        "id = \"fema-452-example\"\nversion = \"1\"\ntitle = { en = \"FEMA 452\", fr = \"FEMA 452\" }\n\n".to_owned(),
        section("asset", "describe_site"),
        question("c.grade1", "consequence", "all = 1.0"),
        question("c.grade2", "consequence", "all = 8.0"),
        section("weaknesses", "existing_measures"),
        question("v.grade1", "vulnerability", "cbrn = 5.0, vehicle_borne_ied = 1.0"),
        question("v.grade2", "vulnerability", "cbrn = 4.0, vehicle_borne_ied = 8.0"),
        question("v.grade3", "vulnerability", "firearms = 1.0"),
        question("v.grade4", "vulnerability", "firearms = 2.0, insider = 4.0"),
        question("v.grade5", "vulnerability", "insider = 5.0"),
    ]
    .concat()
}

#[test]
fn fema_452_worked_example_through_the_answers() {
    // FEMA 452 unit 5 (mission-anchors.md §5.1): asset value 8; CBR, vehicle bomb, armed
    // attack, cyber with T = 2, 6, 5, 8 and V = 9, 8, 4, 2 give 144, 384, 160, 128. Agora has no
    // cyber threat; the insider row carries the fourth line's numbers.
    let questionnaire = Questionnaire::parse(&fema_questionnaire()).unwrap();
    let mut input = AssessmentInput {
        questionnaire_id: "fema-452-example".to_owned(),
        questionnaire_version: "1".to_owned(),
        ..AssessmentInput::default()
    };
    for (question, grade) in [
        ("c.grade1", 1),
        ("c.grade2", 2),
        ("v.grade1", 1),
        ("v.grade2", 2),
        ("v.grade3", 3),
        ("v.grade4", 4),
        ("v.grade5", 5),
    ] {
        answer(&mut input, question, grade);
    }
    let rows = [
        (Threat::Cbrn, 2.0, 9.0, 144.0, RiskBand::Medium),
        (Threat::VehicleBorneIed, 6.0, 8.0, 384.0, RiskBand::High),
        (Threat::Firearms, 5.0, 4.0, 160.0, RiskBand::Medium),
        (Threat::Insider, 8.0, 2.0, 128.0, RiskBand::Medium),
    ];
    for (threat, t, _, _, _) in rows {
        input.threat_likelihoods.insert(threat, t);
    }
    let assessment = assess(&questionnaire, input).unwrap();
    for (threat, t, v, risk, band) in rows {
        let row = assessment.threat(threat);
        assert_eq!(row.threat_likelihood.as_ref().unwrap().value, t, "{threat}");
        assert_eq!(row.vulnerability.as_ref().unwrap().value, v, "{threat}");
        assert_eq!(row.consequence.as_ref().unwrap().value, 8.0, "{threat}");
        assert_eq!(row.risk, Some(RiskScore { value: risk, band }), "{threat}");
    }
    // The vehicle bomb is the top risk, as in FEMA's example.
    assert_eq!(
        assessment.highest_risk().unwrap().0,
        Threat::VehicleBorneIed
    );
    // Threats without a likelihood have V and C but no risk.
    let ramming = assessment.threat(Threat::VehicleRamming);
    assert!(ramming.threat_likelihood.is_none() && ramming.risk.is_none());
}

#[test]
fn fema_452_worked_example_through_overrides() {
    // The same example entered as an assessor would copy FEMA's ratings: T as likelihoods, V and
    // C as justified overrides on the shipped questionnaire.
    let questionnaire = shipped_questionnaire();
    let mut input = shipped_input();
    let justification = "FEMA 452 unit 5 worked example rating".to_owned();
    for (threat, t, v) in [
        (Threat::Cbrn, 2.0, 9.0),
        (Threat::VehicleBorneIed, 6.0, 8.0),
        (Threat::Firearms, 5.0, 4.0),
        (Threat::Insider, 8.0, 2.0),
    ] {
        input.threat_likelihoods.insert(threat, t);
        for (factor, value) in [(Factor::Vulnerability, v), (Factor::Consequence, 8.0)] {
            input.overrides.push(ScoreOverride {
                threat,
                factor,
                value,
                justification: justification.clone(),
            });
        }
    }
    let assessment = assess(&questionnaire, input).unwrap();
    let risks: Vec<f64> = [
        Threat::Cbrn,
        Threat::VehicleBorneIed,
        Threat::Firearms,
        Threat::Insider,
    ]
    .iter()
    .map(|&threat| assessment.threat(threat).risk.unwrap().value)
    .collect();
    assert_eq!(risks, [144.0, 384.0, 160.0, 128.0]);
    // Only an override produced V: nothing computed, the override is the one contribution.
    let v = assessment
        .threat(Threat::Cbrn)
        .vulnerability
        .clone()
        .unwrap();
    assert_eq!(v.computed, None);
    assert_eq!(
        v.contributions,
        [Contribution::Override {
            value: 9.0,
            justification
        }]
    );
}

#[test]
fn explanations_list_exactly_the_contributing_answers_and_studies() {
    let questionnaire = shipped_questionnaire();
    let mut input = shipped_input();
    // Feed vehicle-ramming V: vr.entry_barriers (weight 3), vr.run_up (2), em.cctv (0.5).
    answer(&mut input, "vr.entry_barriers", 2); // 7.75
    answer(&mut input, "vr.run_up", 4); // 3.25
    answer(&mut input, "em.cctv", 1); // 10
    // Feed vehicle-ramming C: site.peak_occupancy (3), em.first_aid (1.5).
    answer(&mut input, "site.peak_occupancy", 3); // 5.5
    answer(&mut input, "em.first_aid", 5); // 1
    // Answered, but irrelevant to vehicle ramming: must not appear.
    answer(&mut input, "ew.visible_presence", 1); // V of edged weapon, firearms, PBIED
    answer(&mut input, "cb.recognition", 1); // C of CBRN only
    answer(&mut input, "fa.overlooking_positions", 2); // V of firearms only
    input.threat_likelihoods.insert(Threat::VehicleRamming, 4.0);
    input.studies.crowd = Some(CrowdFindings {
        peak_density_persons_per_m2: 0.3,
        evacuation_time_s: 100.0,
    });
    let assessment = assess(&questionnaire, input.clone()).unwrap();
    let ramming = assessment.threat(Threat::VehicleRamming);

    let v = ramming.vulnerability.as_ref().unwrap();
    assert_eq!(
        answered_questions(v),
        ["em.cctv", "vr.entry_barriers", "vr.run_up"]
    );
    assert_eq!(v.contributions.len(), 3, "no study: only the three answers");
    // (0.5 x 10 + 3 x 7.75 + 2 x 3.25) / 5.5 = 34.75 / 5.5 = 6.3181...
    assert!((v.value - 34.75 / 5.5).abs() < 1e-12, "{}", v.value);

    let c = ramming.consequence.as_ref().unwrap();
    assert_eq!(
        answered_questions(c),
        ["site.peak_occupancy", "em.first_aid"]
    );
    // (3 x 5.5 + 1.5 x 1) / 4.5 = 18 / 4.5 = 4; the crowd study (LoS A, 100 s) sets floors of
    // 1 and does not raise it, but it entered the calculation and is listed.
    assert_eq!(c.value, 4.0);
    assert_eq!(
        c.contributions[2..],
        [
            Contribution::CrowdPeakDensity {
                density_persons_per_m2: 0.3,
                floor: 1.0
            },
            Contribution::CrowdEvacuationTime {
                time_s: 100.0,
                floor: 1.0
            },
        ]
    );
    assert_eq!(c.contributions.len(), 4);
    assert_eq!(ramming.risk.unwrap().value, 4.0 * (34.75 / 5.5) * 4.0);

    // T is explained by the likelihood alone.
    let t = ramming.threat_likelihood.as_ref().unwrap();
    assert_eq!(
        t.contributions,
        [Contribution::ThreatLikelihood { value: 4.0 }]
    );

    // An HVM study showing a lorry at 64 km/h and 1.2 MJ at an open entry raises V to 9 and is
    // listed beside the answers; it does not touch edged-weapon V.
    input.studies.hvm = Some(HvmFindings {
        open_entry: "Rosenstraße".to_owned(),
        max_impact_speed_kmh: 64.0,
        max_impact_energy_kj: 1200.0,
    });
    let with_study = assess(&questionnaire, input).unwrap();
    let v = with_study
        .threat(Threat::VehicleRamming)
        .vulnerability
        .clone()
        .unwrap();
    assert_eq!(v.value, 9.0);
    assert_eq!(
        answered_questions(&v),
        ["em.cctv", "vr.entry_barriers", "vr.run_up"]
    );
    assert_eq!(
        v.contributions[3..],
        [
            Contribution::HvmImpactSpeed {
                open_entry: "Rosenstraße".to_owned(),
                speed_kmh: 64.0,
                floor: 9.0
            },
            Contribution::HvmImpactEnergy {
                open_entry: "Rosenstraße".to_owned(),
                energy_kj: 1200.0,
                floor: 9.0
            },
        ]
    );
    let edged = with_study
        .threat(Threat::EdgedWeapon)
        .vulnerability
        .clone()
        .unwrap();
    assert_eq!(
        answered_questions(&edged),
        ["em.cctv", "ew.visible_presence"]
    );
    assert_eq!(edged.contributions.len(), 2);
}

#[test]
fn overrides_replace_the_value_and_keep_the_computation() {
    let questionnaire = shipped_questionnaire();
    let mut input = shipped_input();
    answer(&mut input, "vr.entry_barriers", 5); // 1
    input.overrides.push(ScoreOverride {
        threat: Threat::VehicleRamming,
        factor: Factor::Vulnerability,
        value: 7.0,
        justification: "Bollards at the north entry were removed for works in May.".to_owned(),
    });
    let assessment = assess(&questionnaire, input).unwrap();
    let v = assessment
        .threat(Threat::VehicleRamming)
        .vulnerability
        .clone()
        .unwrap();
    assert_eq!((v.value, v.computed), (7.0, Some(1.0)));
    assert_eq!(answered_questions(&v), ["vr.entry_barriers"]);
    assert!(
        matches!(v.contributions.last(), Some(Contribution::Override { value, .. }) if *value == 7.0)
    );
}

#[test]
fn bad_input_is_refused_with_the_field_named() {
    let questionnaire = shipped_questionnaire();
    let check = |input: AssessmentInput, expected: AssessmentError, message: &str| {
        let error = assess(&questionnaire, input).unwrap_err();
        assert_eq!(error, expected);
        assert_eq!(error.to_string(), message);
    };

    let mut unknown = shipped_input();
    answer(&mut unknown, "vr.entry_barriers", 2);
    answer(&mut unknown, "vr.moat_depth", 2);
    check(
        unknown,
        AssessmentError::UnknownQuestion {
            question: QuestionId::from("vr.moat_depth"),
            questionnaire: "public-space v1".to_owned(),
        },
        "answers.vr.moat_depth: no such question in questionnaire public-space v1",
    );

    let mut grade = shipped_input();
    answer(&mut grade, "vr.run_up", 6);
    check(
        grade,
        AssessmentError::GradeOutOfRange {
            question: QuestionId::from("vr.run_up"),
            grade: 6,
        },
        "answers.vr.run_up: grade 6 is out of range 1-5",
    );
    let mut zero = shipped_input();
    answer(&mut zero, "vr.run_up", 0);
    assert!(matches!(
        assess(&questionnaire, zero),
        Err(AssessmentError::GradeOutOfRange { grade: 0, .. })
    ));

    let mut likelihood = shipped_input();
    likelihood.threat_likelihoods.insert(Threat::Firearms, 11.0);
    check(
        likelihood,
        AssessmentError::ScoreOutOfRange {
            field: "threat_likelihoods.firearms".to_owned(),
            value: 11.0,
        },
        "threat_likelihoods.firearms: 11 is out of range 1-10",
    );

    let arson_consequence = |value: f64, justification: &str| ScoreOverride {
        threat: Threat::Arson,
        factor: Factor::Consequence,
        value,
        justification: justification.to_owned(),
    };
    let mut unjustified = shipped_input();
    unjustified.overrides.push(arson_consequence(3.0, "   "));
    check(
        unjustified,
        AssessmentError::OverrideWithoutJustification {
            index: 0,
            threat: Threat::Arson,
            factor: Factor::Consequence,
        },
        "overrides[0] (arson consequence): a manual override needs a written justification",
    );

    let mut out_of_range = shipped_input();
    out_of_range.overrides.push(arson_consequence(0.5, "why"));
    check(
        out_of_range,
        AssessmentError::ScoreOutOfRange {
            field: "overrides[0].value".to_owned(),
            value: 0.5,
        },
        "overrides[0].value: 0.5 is out of range 1-10",
    );

    let mut twice = shipped_input();
    for value in [3.0, 4.0] {
        twice.overrides.push(ScoreOverride {
            threat: Threat::Insider,
            factor: Factor::ThreatLikelihood,
            value,
            justification: "why".to_owned(),
        });
    }
    assert!(matches!(
        assess(&questionnaire, twice),
        Err(AssessmentError::DuplicateOverride { index: 1, .. })
    ));

    let mut other_version = shipped_input();
    other_version.questionnaire_version = "0".to_owned();
    check(
        other_version,
        AssessmentError::QuestionnaireMismatch {
            expected: "public-space v1".to_owned(),
            found: "public-space v0".to_owned(),
        },
        "answers are for questionnaire public-space v0, not public-space v1",
    );

    let mut study = shipped_input();
    study.studies.crowd = Some(CrowdFindings {
        peak_density_persons_per_m2: f64::NAN,
        evacuation_time_s: 10.0,
    });
    assert!(matches!(
        assess(&questionnaire, study),
        Err(AssessmentError::InvalidStudyFinding { field, .. }) if field == "studies.crowd.peak_density_persons_per_m2"
    ));
}

#[test]
fn assessments_round_trip_through_json_and_are_deterministic() {
    let questionnaire = shipped_questionnaire();
    let mut input = shipped_input();
    for (index, question) in questionnaire.questions().enumerate() {
        answer(&mut input, question.id.as_str(), (index % 5) as u8 + 1);
    }
    for (index, threat) in Threat::ALL.into_iter().enumerate() {
        input
            .threat_likelihoods
            .insert(threat, 1.0 + index as f64 * 0.9);
    }
    let first = assess(&questionnaire, input.clone()).unwrap();
    let second = assess(&questionnaire, input).unwrap();
    let json = serde_json::to_string(&first).unwrap();
    assert_eq!(json, serde_json::to_string(&second).unwrap());
    let back: Assessment = serde_json::from_str(&json).unwrap();
    assert_eq!(back, first);
    // Every threat is fully scored from a complete questionnaire.
    assert!(first.threats.iter().all(|row| row.risk.is_some()));
}
