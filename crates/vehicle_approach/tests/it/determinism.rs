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
