//! The shipped questionnaire and catalogue: complete, bilingual, covering every threat.

use std::collections::BTreeSet;

use expect_test::expect;
use risk::*;

#[test]
fn shipped_questionnaire_has_sixty_bilingual_five_level_questions() {
    let questionnaire = shipped_questionnaire();
    assert_eq!(questionnaire.label(), "public-space v1");
    let questions: Vec<&Question> = questionnaire.questions().collect();
    assert!(questions.len() >= 60, "{} questions", questions.len());
    for question in &questions {
        assert!(
            !question.text.en.trim().is_empty() && !question.text.fr.trim().is_empty(),
            "{}",
            question.id
        );
        assert_ne!(
            question.text.en, question.text.fr,
            "{}: French text is a copy of the English",
            question.id
        );
        assert_eq!(question.levels.len(), 5, "{}", question.id);
        for level in &question.levels {
            for text in [
                &level.description.en,
                &level.description.fr,
                &level.options.en,
                &level.options.fr,
            ] {
                assert!(!text.trim().is_empty(), "{}", question.id);
            }
        }
    }
    for section in &questionnaire.sections {
        assert!(
            !section.sources.is_empty(),
            "section {} cites no source",
            section.id
        );
    }
}

#[test]
fn shipped_questionnaire_follows_the_eu_method_steps() {
    let questionnaire = shipped_questionnaire();
    let steps: Vec<Step> = questionnaire
        .sections
        .iter()
        .map(|section| section.step)
        .collect();
    // Describe the site, existing measures, then one scenario per threat type, in that order.
    let mut expected = vec![Step::DescribeSite, Step::ExistingMeasures];
    expected.extend(Threat::ALL.map(|threat| Step::Scenario { threat }));
    assert_eq!(steps, expected);
    // Every threat can be scored: some answer feeds its vulnerability and its consequence.
    for threat in Threat::ALL {
        for factor in [Factor::Vulnerability, Factor::Consequence] {
            assert!(
                questionnaire
                    .questions()
                    .any(|q| q.feeds == factor && q.weights.contains_key(&threat)),
                "no question feeds {threat} {factor}"
            );
        }
    }
}

#[test]
fn shipped_question_ids_are_stable() {
    // Changing, removing or reordering an id breaks comparisons with earlier assessments: do it
    // only in a new questionnaire version, then re-bless with UPDATE_EXPECT=1.
    let ids: Vec<String> = shipped_questionnaire()
        .questions()
        .map(|q| q.id.to_string())
        .collect();
    expect![[r#"
        site.peak_occupancy site.crowd_density site.symbolism site.vulnerable_people site.enclosure site.emergency_response_time site.critical_neighbours site.exposure_time
        em.security_plan em.police_liaison em.staff_awareness em.cctv em.lighting em.public_alerting em.first_aid em.exercises
        vr.entry_barriers vr.run_up vr.opening_width vr.service_access vr.temporary_deployment vr.traffic_mix
        ew.visible_presence ew.behaviour_detection ew.bag_checks ew.response_time ew.safe_havens
        fa.run_hide_tell fa.overlooking_positions fa.armed_response fa.cover_and_exits fa.intelligence_sharing
        pb.unattended_items pb.search_screening pb.queues_outside pb.concealment pb.glazing
        vb.standoff vb.parking_control vb.vehicle_checks vb.surrounding_structures
        ua.airspace_restriction ua.detection ua.response ua.overhead_exposure
        cb.ventilation cb.recognition cb.decontamination cb.food_water cb.deliveries_mail
        ar.combustibles ar.fuel_sources ar.detection_suppression ar.fire_access ar.escape_capacity
        in.vetting in.access_rights in.information_security in.reporting_culture in.contractor_supervision
        hp.threat_call_procedure hp.bottlenecks hp.crowd_stewards hp.rumour_control hp.evacuate_or_invacuate
    "#]]
    .assert_eq(&group_by_prefix(&ids));
}

fn group_by_prefix(ids: &[String]) -> String {
    let mut lines: Vec<Vec<&str>> = Vec::new();
    let mut previous = "";
    for id in ids {
        let prefix = id.split('.').next().unwrap_or_default();
        if prefix != previous || lines.is_empty() {
            lines.push(Vec::new());
            previous = prefix;
        }
        lines.last_mut().unwrap().push(id);
    }
    lines
        .iter()
        .map(|line| line.join(" "))
        .collect::<Vec<_>>()
        .join("\n")
        + "\n"
}

#[test]
fn shipped_catalogue_covers_every_family_and_threat() {
    let catalogue = shipped_catalogue();
    assert!(
        catalogue.measures.len() >= 40,
        "{} measures",
        catalogue.measures.len()
    );
    let categories: BTreeSet<MeasureCategory> =
        catalogue.measures.iter().map(|m| m.category).collect();
    assert_eq!(categories.len(), 7, "{categories:?}");
    let threats: BTreeSet<Threat> = catalogue
        .measures
        .iter()
        .flat_map(|m| m.effects.iter().map(|e| e.threat))
        .collect();
    assert_eq!(
        threats.len(),
        Threat::ALL.len(),
        "threats without a measure"
    );
    for measure in &catalogue.measures {
        assert_eq!(
            measure.vehicle_rating.is_some(),
            measure.category == MeasureCategory::Hvm,
            "{}",
            measure.id
        );
        assert!(!measure.sources.is_empty(), "{}", measure.id);
        assert_ne!(
            measure.name.en, measure.name.fr,
            "{}: French name is a copy",
            measure.id
        );
        assert!(measure.capital_cost_eur.min_eur <= measure.capital_cost_eur.max_eur);
    }
    // The HVM families the issue names are all there: fixed and removable bollards, rated and
    // unrated planters and furniture, temporary barriers, gates, road geometry.
    for id in [
        "hvm.fixed_bollards_rated",
        "hvm.removable_bollards_rated",
        "hvm.planters_rated",
        "hvm.street_furniture_rated",
        "hvm.planters_unrated",
        "hvm.temporary_barriers_rated",
        "hvm.gate_rated",
        "hvm.road_geometry",
    ] {
        assert!(catalogue.measure(&MeasureId::from(id)).is_some(), "{id}");
    }
}

#[test]
fn content_errors_name_the_place() {
    // A measure naming an unknown threat, in the shipped file: the error names line, measure
    // and field.
    let broken = SHIPPED_CATALOGUE_TOML.replacen(
        "{ threat = \"vehicle_ramming\", factor = \"vulnerability\", reduction = 0.8,",
        "{ threat = \"lorry\", factor = \"vulnerability\", reduction = 0.8,",
        1,
    );
    assert_ne!(broken, SHIPPED_CATALOGUE_TOML);
    let error = Catalogue::parse(&broken).unwrap_err();
    let line = SHIPPED_CATALOGUE_TOML
        .lines()
        .position(|line| line == "id = \"hvm.fixed_bollards_rated\"")
        .unwrap(); // 0-based index of the id line = 1-based line of the `[[measures]]` header
    assert_eq!(
        error,
        ContentError::UnknownThreat {
            line,
            item: "measure hvm.fixed_bollards_rated".to_owned(),
            field: "effects[0].threat".to_owned(),
            value: "lorry".to_owned(),
        }
    );
    // A syntax error carries the parser's line and column.
    let error = Questionnaire::parse("id = \"x\"\nversion = ")
        .unwrap_err()
        .to_string();
    assert!(error.contains("line 2"), "{error}");
}
