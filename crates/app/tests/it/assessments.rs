//! Assessment use cases over a real SQLite store: start, save, evidence, finalise, supersede,
//! compare, the city dashboard, and every refusal (bad input names its field and saves nothing;
//! a final assessment refuses every change; roles and organisations bound who can do what).
//!
//! The risk figures are worked by hand from `risk`'s documented rules: grade g maps to
//! 10 - (g - 1) × 9/4 on the 1-10 scale; an HVM study's open entry at 50 km/h sets V ≥ 8 (48-64
//! km/h step) and 1 610 kJ sets V ≥ 9 (1 138-1 778 kJ step); a crowd study's 2.5 persons/m²
//! sets C ≥ 9 (Fruin F: 2.17-4) and 410 s sets C ≥ 6 (300-480 s).

use app::risk::{Contribution, Factor, QuestionId, RiskBand, ScoreOverride, Threat};
use app::{Actor, App, AppError, AssessmentAnswers};
use domain::{NewStudy, OrganisationKind, Role, SiteId, StudyKind, Tlp};

use super::{PASSWORD, app_with, square};

async fn actor(app: &App, organisation: domain::OrganisationId, name: &str, role: Role) -> Actor {
    app.create_user(organisation, name, name, role, PASSWORD)
        .await
        .unwrap();
    app.login(name, PASSWORD).await.unwrap().actor
}

async fn add_study(
    app: &App,
    actor: &Actor,
    site: SiteId,
    kind: StudyKind,
    summary: serde_json::Value,
) {
    app.store()
        .create_study(
            actor.organisation_id(),
            &NewStudy {
                site_id: site,
                kind,
                created_by: Some(actor.user.id),
                engine_version: "test".into(),
                map_sha256: None,
                inputs: serde_json::json!({}),
                summary,
                result: serde_json::json!({}),
            },
        )
        .await
        .unwrap();
}

fn answers(pairs: &[(&str, u8)], likelihoods: &[(Threat, f64)]) -> AssessmentAnswers {
    AssessmentAnswers {
        answers: pairs
            .iter()
            .map(|(question, grade)| (QuestionId::from(*question), *grade))
            .collect(),
        threat_likelihoods: likelihoods.iter().copied().collect(),
        ..AssessmentAnswers::default()
    }
}

fn invalid_message(outcome: Result<impl std::fmt::Debug, AppError>) -> String {
    match outcome {
        Err(AppError::Invalid(message)) => message,
        other => panic!("expected Invalid, got {other:?}"),
    }
}

#[tokio::test]
async fn an_assessment_from_start_to_final_with_its_studies_and_evidence() {
    let (app, _directory) = app_with(Default::default()).await;
    let city = app
        .create_organisation("City", OrganisationKind::City)
        .await
        .unwrap();
    let assessor = actor(&app, city.id, "assessor", Role::Assessor).await;
    let site = app
        .create_site(&assessor, square("Marienplatz"))
        .await
        .unwrap();
    add_study(
        &app,
        &assessor,
        site.id,
        StudyKind::VehicleApproach,
        serde_json::json!({
            "entries": 5, "open_entries": 2,
            "fastest": {"entry": "E2", "vehicle": "M1", "speed_kmh": 50.0, "energy_kj": 145.0,
                        "required_rating": "V/1500[M1]/64"},
            "most_energetic": {"entry": "E4", "vehicle": "N3C", "speed_kmh": 48.0,
                               "energy_kj": 1610.0, "required_rating": "V/7200[N3C]/48"}
        }),
    )
    .await;

    let started = app
        .start_assessment(&assessor, site.id, false)
        .await
        .unwrap();
    assert_eq!(started.version, 1);
    assert_eq!(started.marking, Tlp::Amber);
    assert!(!started.is_final());
    let hvm = started.input.studies.hvm.as_ref().unwrap();
    assert_eq!(
        (hvm.max_impact_speed_kmh, hvm.max_impact_energy_kj),
        (50.0, 1610.0)
    );
    assert_eq!(started.input.studies.crowd, None, "no crowd study yet");

    // Bad input: each refusal names its field, and nothing is saved.
    let good = answers(
        &[("vr.entry_barriers", 5), ("site.peak_occupancy", 3)],
        &[(Threat::VehicleRamming, 6.0)],
    );
    let mut unknown = good.clone();
    unknown.answers.insert(QuestionId::from("vr.moat_depth"), 3);
    let mut out_of_range = good.clone();
    out_of_range
        .answers
        .insert(QuestionId::from("vr.run_up"), 6);
    let mut likelihood = good.clone();
    likelihood.threat_likelihoods.insert(Threat::Firearms, 11.0);
    let mut unjustified = good.clone();
    unjustified.overrides.push(ScoreOverride {
        threat: Threat::Arson,
        factor: Factor::Consequence,
        value: 7.0,
        justification: "  ".into(),
    });
    let mut override_range = good.clone();
    override_range.overrides.push(ScoreOverride {
        threat: Threat::Arson,
        factor: Factor::Consequence,
        value: 0.5,
        justification: "the fire service says so".into(),
    });
    let mut stray_note = good.clone();
    stray_note
        .notes
        .insert(QuestionId::from("vr.moat_depth"), "deep".into());
    for (entered, expected) in [
        (
            unknown,
            "answers.vr.moat_depth: no such question in questionnaire public-space v1",
        ),
        (
            out_of_range,
            "answers.vr.run_up: grade 6 is out of range 1-5",
        ),
        (
            likelihood,
            "threat_likelihoods.firearms: 11 is out of range 1-10",
        ),
        (
            unjustified,
            "overrides[0] (arson consequence): a manual override needs a written justification",
        ),
        (
            override_range,
            "overrides[0].value: 0.5 is out of range 1-10",
        ),
        (
            stray_note,
            "notes.vr.moat_depth: no such question in questionnaire public-space v1",
        ),
    ] {
        let message = invalid_message(app.save_assessment(&assessor, started.id, 1, entered).await);
        assert_eq!(message, expected);
    }
    let unchanged = app.assessment(&assessor, started.id).await.unwrap();
    assert_eq!(unchanged.version, 1, "nothing was saved");
    assert!(unchanged.input.answers.is_empty());

    // A good save, then a stale one.
    let mut entered = good.clone();
    entered.notes.insert(
        QuestionId::from("vr.entry_barriers"),
        "Rated bollards on every entry, checked on 2026-11-20".into(),
    );
    let saved = app
        .save_assessment(&assessor, started.id, 1, entered.clone())
        .await
        .unwrap();
    assert_eq!(saved.version, 2);
    let stale = app
        .save_assessment(&assessor, started.id, 1, entered.clone())
        .await
        .unwrap_err();
    assert!(matches!(stale, AppError::Conflict(_)), "{stale}");

    // Scores: V of vehicle ramming is 1 from the answer, raised to 9 by the HVM study's energy;
    // C is 5.5 (grade 3); risk 6 × 9 × 5.5 = 297, high.
    let ramming = saved.scored.threat(Threat::VehicleRamming);
    let vulnerability = ramming.vulnerability.as_ref().unwrap();
    assert_eq!(vulnerability.value, 9.0);
    assert_eq!(vulnerability.computed, Some(9.0));
    assert!(matches!(
        &vulnerability.contributions[..],
        [
            Contribution::Answer { grade: 5, score, .. },
            Contribution::HvmImpactSpeed { floor: speed_floor, .. },
            Contribution::HvmImpactEnergy { floor: energy_floor, .. },
        ] if *score == 1.0 && *speed_floor == 8.0 && *energy_floor == 9.0
    ));
    assert_eq!(ramming.consequence.as_ref().unwrap().value, 5.5);
    let risk = ramming.risk.unwrap();
    assert_eq!((risk.value, risk.band), (297.0, RiskBand::High));

    // A crowd study arrives (another engineer's engine; its summary's two keys are read): C rises
    // to 9 at the next save, risk 6 × 9 × 9 = 486.
    add_study(
        &app,
        &assessor,
        site.id,
        StudyKind::Crowd,
        serde_json::json!({"peak_density_per_m2": 2.5, "evacuation_time_s": 410.0}),
    )
    .await;
    let resaved = app
        .save_assessment(&assessor, started.id, 2, entered)
        .await
        .unwrap();
    let ramming = resaved.scored.threat(Threat::VehicleRamming);
    assert_eq!(ramming.consequence.as_ref().unwrap().value, 9.0);
    assert_eq!(ramming.risk.unwrap().value, 486.0);

    // Evidence: recognised by its bytes; refused when too big, of the wrong type, or on an
    // unknown question.
    let evidence = app
        .add_evidence(
            &assessor,
            started.id,
            Some(QuestionId::from("vr.entry_barriers")),
            "bollards.txt",
            b"Bollard inspection: 12 of 12 in place".to_vec(),
        )
        .await
        .unwrap();
    assert_eq!(evidence.content_type, "text/plain");
    // sha256sum of the same 37 bytes.
    assert_eq!(
        evidence.sha256,
        "bab7a8a2aae35cfddc23cd40025d323c469525a3eb78a027ecb6391baec11451"
    );
    let (stored, bytes) = app.evidence_file(&assessor, evidence.id).await.unwrap();
    assert_eq!(stored, evidence);
    assert_eq!(bytes, b"Bollard inspection: 12 of 12 in place");
    let too_big = invalid_message(
        app.add_evidence(
            &assessor,
            started.id,
            None,
            "big.txt",
            vec![b'x'; app::MAX_EVIDENCE_BYTES + 1],
        )
        .await,
    );
    assert!(too_big.contains("over the limit of 10 MiB"), "{too_big}");
    let executable = invalid_message(
        app.add_evidence(
            &assessor,
            started.id,
            None,
            "photo.png",
            b"MZ\x90\x00\x03".to_vec(),
        )
        .await,
    );
    assert!(
        executable.contains("is not a PNG or JPEG image"),
        "{executable}"
    );
    let unknown_question = invalid_message(
        app.add_evidence(
            &assessor,
            started.id,
            Some(QuestionId::from("nope")),
            "a.txt",
            b"text".to_vec(),
        )
        .await,
    );
    assert_eq!(
        unknown_question,
        "question: nope is not a question of questionnaire public-space v1"
    );

    // Finalise: the scored result is stored; every change is refused from then on.
    let finalised = app
        .finalise_assessment(&assessor, started.id, 3)
        .await
        .unwrap();
    assert!(finalised.is_final());
    assert_eq!(finalised.finalised_by, Some(assessor.user.id));
    assert_eq!(finalised.scored, resaved.scored);
    assert_eq!(finalised.evidence.len(), 1);
    let refusals = [
        app.save_assessment(&assessor, started.id, 4, good.clone())
            .await
            .unwrap_err(),
        app.finalise_assessment(&assessor, started.id, 4)
            .await
            .unwrap_err(),
        app.add_evidence(&assessor, started.id, None, "late.txt", b"late".to_vec())
            .await
            .unwrap_err(),
    ];
    for refusal in refusals {
        assert!(matches!(refusal, AppError::Conflict(_)), "{refusal}");
        assert!(
            refusal.to_string().contains(
                "is final and cannot be changed; start a new assessment of the site that supersedes it"
            ),
            "{refusal}"
        );
    }
    assert_eq!(
        app.assessment(&assessor, started.id).await.unwrap(),
        finalised
    );
    assert_eq!(
        app.latest_final_assessment(&assessor, site.id)
            .await
            .unwrap()
            .map(|latest| latest.id),
        Some(started.id)
    );
}

#[tokio::test]
async fn superseding_comparing_and_the_city_dashboard() {
    let (app, _directory) = app_with(Default::default()).await;
    let city = app
        .create_organisation("City", OrganisationKind::City)
        .await
        .unwrap();
    let assessor = actor(&app, city.id, "assessor", Role::Assessor).await;
    let planner = actor(&app, city.id, "planner", Role::Planner).await;
    let mut hall = square("Concert hall");
    hall.kind = domain::SiteKind::ConcertHall;
    hall.capacity = Some(1_500);
    let hall = app.create_site(&assessor, hall).await.unwrap();
    let market = app.create_site(&assessor, square("Market")).await.unwrap();
    let quiet = app
        .create_site(&assessor, square("Quiet corner"))
        .await
        .unwrap();

    // Nothing to supersede yet.
    let message = invalid_message(app.start_assessment(&assessor, hall.id, true).await);
    assert_eq!(
        message,
        "site 'Concert hall' has no final assessment to supersede: start a new one"
    );
    // Finalising needs at least one risk.
    let empty = app
        .start_assessment(&assessor, market.id, false)
        .await
        .unwrap();
    let message = invalid_message(app.finalise_assessment(&assessor, empty.id, 1).await);
    assert!(message.starts_with("no threat has a risk yet"), "{message}");

    // Hall: V 10 (grade 1), C 10 (grade 1), T 6: risk 600. Market: V 1, C 1, T 6: risk 6.
    let hall_first = app
        .start_assessment(&assessor, hall.id, false)
        .await
        .unwrap();
    app.save_assessment(
        &assessor,
        hall_first.id,
        1,
        answers(
            &[("vr.entry_barriers", 1), ("site.peak_occupancy", 1)],
            &[(Threat::VehicleRamming, 6.0)],
        ),
    )
    .await
    .unwrap();
    app.finalise_assessment(&assessor, hall_first.id, 2)
        .await
        .unwrap();
    app.save_assessment(
        &assessor,
        empty.id,
        1,
        answers(
            &[("vr.entry_barriers", 5), ("site.peak_occupancy", 5)],
            &[(Threat::VehicleRamming, 6.0)],
        ),
    )
    .await
    .unwrap();
    app.finalise_assessment(&assessor, empty.id, 2)
        .await
        .unwrap();

    // The hall is assessed again, superseding the first: answers carried over, then changed.
    let hall_second = app
        .start_assessment(&assessor, hall.id, true)
        .await
        .unwrap();
    assert_eq!(hall_second.supersedes, Some(hall_first.id));
    assert_eq!(
        hall_second.input.answers[&QuestionId::from("vr.entry_barriers")],
        1
    );
    assert_eq!(
        hall_second.input.threat_likelihoods[&Threat::VehicleRamming],
        6.0
    );
    let mut changed = hall_second.answers();
    changed
        .answers
        .insert(QuestionId::from("vr.entry_barriers"), 4);
    changed.overrides.push(ScoreOverride {
        threat: Threat::VehicleRamming,
        factor: Factor::ThreatLikelihood,
        value: 3.0,
        justification: "Police threat assessment of 2026-11 lowered the level".into(),
    });
    app.save_assessment(&assessor, hall_second.id, 1, changed)
        .await
        .unwrap();
    let second = app
        .finalise_assessment(&assessor, hall_second.id, 2)
        .await
        .unwrap();
    // V = grade 4 = 3.25; T overridden to 3 with its justification; C 10: risk 97.5, medium.
    let ramming = second.scored.threat(Threat::VehicleRamming);
    assert_eq!(ramming.risk.unwrap().value, 97.5);
    assert_eq!(ramming.risk.unwrap().band, RiskBand::Medium);
    assert!(matches!(
        ramming.threat_likelihood.as_ref().unwrap().contributions.last(),
        Some(Contribution::Override { value, justification })
            if *value == 3.0 && justification.starts_with("Police threat assessment")
    ));

    let comparison = app
        .compare_assessments(&planner, hall_first.id, hall_second.id)
        .await
        .unwrap();
    assert_eq!(comparison.changes.answers.len(), 1);
    assert_eq!(
        (
            comparison.changes.answers[0].before,
            comparison.changes.answers[0].after
        ),
        (Some(1), Some(4))
    );
    let other_site = app
        .compare_assessments(&planner, hall_first.id, empty.id)
        .await
        .unwrap_err();
    assert!(matches!(other_site, AppError::Invalid(_)), "{other_site}");

    // The dashboard: hall (97.5) above market (6); the quiet corner never assessed. The duty
    // tier sits beside the risk: a concert hall for 1 500 is enhanced (800+), a square out of
    // scope, and no capacity means no tier.
    let dashboard = app.city_dashboard(&planner).await.unwrap();
    let ranked: Vec<(&str, f64)> = dashboard
        .ranked
        .iter()
        .map(|site| {
            (
                site.name.as_str(),
                site.latest.as_ref().unwrap().highest.unwrap().1.value,
            )
        })
        .collect();
    assert_eq!(ranked, [("Concert hall", 97.5), ("Market", 6.0)]);
    assert_eq!(
        dashboard.ranked[0].duty_tier,
        Some(app::risk::DutyTier::Enhanced)
    );
    assert_eq!(dashboard.ranked[1].duty_tier, None);
    let hall_latest = dashboard.ranked[0].latest.as_ref().unwrap();
    assert_eq!(hall_latest.previous, Some(hall_first.id));
    let changes = hall_latest.changes.as_ref().unwrap();
    let risk_delta = changes
        .scores
        .iter()
        .find(|change| {
            change.threat == Threat::VehicleRamming && change.kind == app::risk::ScoreKind::Risk
        })
        .unwrap();
    assert_eq!(risk_delta.delta(), Some(97.5 - 600.0));
    assert_eq!(changes.answers.len(), 1);
    assert!(
        dashboard.ranked[1]
            .latest
            .as_ref()
            .unwrap()
            .changes
            .is_none()
    );
    let never: Vec<&str> = dashboard
        .never_assessed
        .iter()
        .map(|site| site.name.as_str())
        .collect();
    assert_eq!(never, ["Quiet corner"]);
    let _ = quiet;
}

#[tokio::test]
async fn roles_and_organisations_bound_assessments() {
    let (app, _directory) = app_with(Default::default()).await;
    let city = app
        .create_organisation("City", OrganisationKind::City)
        .await
        .unwrap();
    let police = app
        .create_organisation("Police", OrganisationKind::Police)
        .await
        .unwrap();
    let assessor = actor(&app, city.id, "assessor", Role::Assessor).await;
    let planner = actor(&app, city.id, "planner", Role::Planner).await;
    let officer = actor(&app, police.id, "officer", Role::Assessor).await;
    let site = app
        .create_site(&assessor, square("Odeonsplatz"))
        .await
        .unwrap();

    let forbidden = app
        .start_assessment(&planner, site.id, false)
        .await
        .unwrap_err();
    assert_eq!(
        forbidden.to_string(),
        "your role does not allow you to assess sites"
    );
    let started = app
        .start_assessment(&assessor, site.id, false)
        .await
        .unwrap();
    assert!(matches!(
        app.save_assessment(&planner, started.id, 1, AssessmentAnswers::default())
            .await,
        Err(AppError::Forbidden(_))
    ));
    // The planner reads it; another organisation does not find it.
    assert_eq!(
        app.assessment(&planner, started.id).await.unwrap().id,
        started.id
    );
    assert!(matches!(
        app.assessment(&officer, started.id).await,
        Err(AppError::NotFound(_))
    ));
    assert!(matches!(
        app.start_assessment(&officer, site.id, false).await,
        Err(AppError::NotFound(_))
    ));
    assert!(matches!(
        app.save_assessment(&officer, started.id, 1, AssessmentAnswers::default())
            .await,
        Err(AppError::NotFound(_))
    ));
}
