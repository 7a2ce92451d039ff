//! Same input, same output, bit for bit (CONVENTIONS.md, Determinism).

use vehicle_approach::*;

#[test]
fn analysing_a_city_twice_gives_identical_results() {
    let city = synthetic_city(8, 8, 90.0, 2, 2, 42);
    let vehicles = standard_vehicle_classes();
    for site in &city.sites {
        let study = Study::new(site.clone());
        let first = analyse(&city.network, &study, &vehicles).unwrap();
        let second = analyse(&city.network, &study, &vehicles).unwrap();
        let open = first
            .entries
            .iter()
            .flat_map(|e| &e.vehicles)
            .filter(|v| v.approach.is_some())
            .count();
        assert!(open > 0, "the city must have open entries to compare");
        // Debug prints every f64 in its shortest round-trip form, so equal text is equal bits.
        assert_eq!(format!("{first:?}"), format!("{second:?}"));
    }
    assert_eq!(synthetic_city(8, 8, 90.0, 2, 2, 42), city);
}

#[test]
fn input_order_of_nodes_does_not_change_the_result() {
    let city = synthetic_city(8, 8, 90.0, 2, 1, 7);
    let study = Study::new(city.sites[0].clone());
    let vehicles = [standard_vehicle_class("N3C").unwrap()];
    let forward = analyse(&city.network, &study, &vehicles).unwrap();
    let mut reversed_nodes = city.network.clone();
    reversed_nodes.nodes.reverse();
    let reversed = analyse(&reversed_nodes, &study, &vehicles).unwrap();
    assert_eq!(format!("{forward:?}"), format!("{reversed:?}"));
}

#[test]
fn shared_searches_give_each_site_the_same_result_whatever_was_analysed_before() {
    // The network-wide searches are made on first use and each site repairs its own copy of
    // what it needs: the order of the sites, and threads analysing them side by side, must not
    // change any site's result, bit for bit.
    let city = synthetic_city(8, 8, 90.0, 3, 4, 11);
    let vehicles = standard_vehicle_classes();
    let studies: Vec<Study> = city.sites.iter().cloned().map(Study::new).collect();
    let in_order: Vec<String> = {
        let prepared = PreparedNetwork::new(&city.network);
        studies
            .iter()
            .map(|study| format!("{:?}", prepared.analyse(study, &vehicles).unwrap()))
            .collect()
    };
    let reversed: Vec<String> = {
        let prepared = PreparedNetwork::new(&city.network);
        let mut results: Vec<String> = studies
            .iter()
            .rev()
            .map(|study| format!("{:?}", prepared.analyse(study, &vehicles).unwrap()))
            .collect();
        results.reverse();
        results
    };
    assert_eq!(in_order, reversed);
    let threaded: Vec<String> = {
        let prepared = PreparedNetwork::new(&city.network);
        std::thread::scope(|scope| {
            let handles: Vec<_> = studies
                .iter()
                .map(|study| {
                    let (prepared, vehicles) = (&prepared, &vehicles);
                    scope.spawn(move || format!("{:?}", prepared.analyse(study, vehicles).unwrap()))
                })
                .collect();
            handles.into_iter().map(|h| h.join().unwrap()).collect()
        })
    };
    assert_eq!(in_order, threaded);
    // And each is what the site's own search over the whole network finds, to the search's
    // resolution.
    let prepared = PreparedNetwork::new(&city.network);
    for study in &studies {
        let shared = prepared.analyse(study, &vehicles).unwrap();
        let mut own_study = study.clone();
        own_study.options.search_radius_m = Some(1e9);
        let own = prepared
            .analyse_with_own_search(&own_study, &vehicles)
            .unwrap();
        assert_eq!(shared.entries.len(), own.entries.len());
        for (s, o) in shared.entries.iter().zip(&own.entries) {
            for (sv, ov) in s.vehicles.iter().zip(&o.vehicles) {
                assert_eq!(sv.status, ov.status);
                let speed = |v: &VehicleResult| v.approach.as_ref().map(|a| a.impact_speed_kmh);
                match (speed(sv), speed(ov)) {
                    (Some(a), Some(b)) => assert!((a - b).abs() <= 0.05, "{a} {b}"),
                    (a, b) => assert_eq!(a, b),
                }
            }
        }
    }
}

#[test]
fn studies_sharing_a_search_with_different_integration_steps_get_their_own_profiles() {
    // The integration step does not change the network-wide search, so studies with different
    // steps share it; the forward passes kept for reported approaches must not be shared
    // between them. Each study gets what a network prepared for it alone gives.
    let city = synthetic_city(8, 8, 90.0, 2, 2, 42);
    let vehicles = vehicle_classes_by_code(&["M1", "N3C"]).unwrap();
    let prepared = PreparedNetwork::new(&city.network);
    for step_m in [1.0, 0.5, 1.0, 2.5] {
        for site in &city.sites {
            let mut study = Study::new(site.clone());
            study.options.step_m = step_m;
            let shared = prepared.analyse(&study, &vehicles).unwrap();
            let alone = PreparedNetwork::new(&city.network)
                .analyse(&study, &vehicles)
                .unwrap();
            assert_eq!(
                format!("{shared:?}"),
                format!("{alone:?}"),
                "step {step_m} m"
            );
        }
    }
}
