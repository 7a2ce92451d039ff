//! Plans on the shipped catalogue: hand-checked evaluation, and the exact Pareto front against
//! brute force.

use risk::*;

use crate::sites::busy_square;

fn measure<'a>(catalogue: &'a Catalogue, id: &str) -> &'a Measure {
    catalogue
        .measure(&MeasureId::from(id))
        .unwrap_or_else(|| panic!("{id} not in the catalogue"))
}

#[test]
fn plan_evaluation_by_hand() {
    let catalogue = shipped_catalogue();
    // FEMA's vehicle-bomb row as a ramming site: T 6, V 8, C 8, risk 384.
    let site = [ThreatFactors {
        threat: Threat::VehicleRamming,
        threat_likelihood: 6.0,
        vulnerability: 8.0,
        consequence: 8.0,
    }];
    let bollards = measure(&catalogue, "hvm.fixed_bollards_rated"); // V -80 %
    let geometry = measure(&catalogue, "hvm.road_geometry"); // V -25 %, C -15 %
    let options = PlanOptions::default(); // 10 years, 80 % cap
    let plan = evaluate_plan(&site, &[geometry, bollards], &options).unwrap();
    assert_eq!(
        plan.measures,
        [
            MeasureId::from("hvm.fixed_bollards_rated"),
            MeasureId::from("hvm.road_geometry")
        ]
    );
    let row = plan.threats[0];
    assert_eq!(row.before.value, 384.0);
    // V: 8 x (0.2 x 0.75 = 0.15, capped at 0.2) = 1.6; C: 8 x 0.85 = 6.8; risk 6 x 1.6 x 6.8.
    assert!((row.vulnerability_after - 1.6).abs() < 1e-12);
    assert!((row.consequence_after - 6.8).abs() < 1e-12);
    assert!((plan.total_risk_after - 65.28).abs() < 1e-9);
    assert_eq!(row.after.band, RiskBand::Medium);
    // Cost: capital max + 10 x running max: (300 000 + 30 000) + (400 000 + 30 000).
    assert_eq!(plan.whole_life_cost_eur, 760_000);
    assert_eq!(
        plan.capital_cost_eur,
        CostRangeEur {
            min_eur: 130_000,
            max_eur: 700_000
        }
    );
    // Openness: bollards 0+1+0+3+2+4 = 10, geometry 0+1+0+1+0+4 = 6.
    assert_eq!(plan.openness_loss_points, 16);
    assert_eq!(plan.openness_loss_by_dimension["emergency"], 4);
    assert_eq!(plan.openness_loss_by_dimension["irreversibility"], 8);

    // Two perimeter-line products are alternatives.
    let planters = measure(&catalogue, "hvm.planters_rated");
    assert!(matches!(
        evaluate_plan(&site, &[bollards, planters], &options),
        Err(PlanError::ExclusiveConflict { group, .. }) if group == "hvm.perimeter_line"
    ));
}

#[test]
fn pareto_front_on_shipped_measures_matches_brute_force() {
    let catalogue = shipped_catalogue();
    let site = busy_square();
    let ids = [
        "hvm.fixed_bollards_rated",
        "hvm.planters_unrated",
        "hvm.temporary_barriers_rated",
        "hvm.retractable_bollards_rated",
        "hvm.gate_rated",
        "ac.bag_checks",
        "ac.search_with_detectors",
        "sd.cctv_monitored",
        "st.trauma_kits",
        "st.crowd_stewards",
        "co.public_address",
        "cm.occupancy_limits",
        "de.standoff_parking",
        "co.bomb_threat_procedure",
    ];
    let candidates: Vec<&Measure> = ids.iter().map(|id| measure(&catalogue, id)).collect();
    for budget in [None, Some(250_000), Some(1_000_000)] {
        let options = PlanOptions {
            budget_eur: budget,
            ..PlanOptions::default()
        };
        let exact = pareto_plans(&site, &candidates, &options).unwrap();
        let brute = pareto_plans_exhaustive(&site, &candidates, &options).unwrap();
        assert_eq!(exact, brute, "budget {budget:?}");
        assert!(exact.len() > 3, "a front of {} plans", exact.len());
        // The front starts with doing nothing and every plan respects the budget and the
        // alternatives.
        assert!(exact[0].measures.is_empty());
        assert!(
            exact
                .iter()
                .all(|plan| budget.is_none_or(|b| plan.whole_life_cost_eur <= b))
        );
        assert!(exact.iter().all(|plan| {
            let lines = plan
                .measures
                .iter()
                .filter(|id| {
                    id.as_str().starts_with("hvm.")
                        && !id.as_str().contains("retractable")
                        && !id.as_str().contains("gate")
                })
                .count();
            lines <= 1
        }));
    }
}

#[test]
fn front_is_identical_whatever_the_candidate_order() {
    let catalogue = shipped_catalogue();
    let site = busy_square();
    let mut candidates: Vec<&Measure> = catalogue.measures.iter().step_by(3).collect();
    let forward = pareto_plans(&site, &candidates, &PlanOptions::default()).unwrap();
    candidates.reverse();
    let backward = pareto_plans(&site, &candidates, &PlanOptions::default()).unwrap();
    assert_eq!(forward, backward);
}
