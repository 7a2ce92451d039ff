//! The Munich demo (issue 3, "Validation"): Marienplatz must have entries from the surrounding
//! streets, and closing them with mapped bollards must remove them. Data: the demo extract
//! `data/demo/munich-altstadt-2020.osm.pbf` (© OpenStreetMap contributors, ODbL 1.0), read by
//! `osm_import`, converted by [`network_from_street_network`].

use std::path::Path;
use std::sync::OnceLock;

use vehicle_approach::*;

fn munich() -> &'static osm_import::OsmExtract {
    static EXTRACT: OnceLock<osm_import::OsmExtract> = OnceLock::new();
    EXTRACT.get_or_init(|| {
        let path = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../data/demo/munich-altstadt-2020.osm.pbf");
        osm_import::read_osm_file(&path).expect("the demo extract reads")
    })
}

/// Marienplatz's outline (relation/7366154, data/demo/sites.toml) in the network's frame.
fn marienplatz(extract: &osm_import::OsmExtract) -> Vec<Point> {
    let candidate = extract
        .candidates
        .iter()
        .find(|c| c.osm_ref == "relation/7366154")
        .expect("Marienplatz is a candidate space");
    let outline = &candidate.polygon.as_geo().0[0];
    outline
        .exterior()
        .coords()
        .map(|c| {
            let p = extract.network.frame.project(c.x, c.y);
            Point::new(p.east_m, p.north_m)
        })
        .collect()
}

#[test]
fn marienplatz_has_entries_from_the_surrounding_streets_and_mapped_bollards_close_them() {
    // Reading the extract and both analyses take about 2 s in the test profile (the engine is
    // optimised there, Cargo.toml), so this runs always.
    let extract = munich();
    let (network, _) = network_from_street_network(&extract.network);
    let study = Study::new(marienplatz(extract));
    let vehicles = [
        standard_vehicle_class("M1").unwrap(),
        standard_vehicle_class("N3C").unwrap(),
    ];
    let analysis = analyse(&network, &study, &vehicles).unwrap();
    // The network prepared once for many studies gives the same analysis, bit for bit (Debug
    // prints every f64 in its shortest round-trip form).
    let prepared = PreparedNetwork::new(&network);
    let shared = prepared.analyse(&study, &vehicles).unwrap();
    assert_eq!(format!("{shared:?}"), format!("{analysis:?}"));

    let open: Vec<&EntryPoint> = analysis
        .entries
        .iter()
        .filter(|e| e.vehicles[0].status == EntryStatus::Open)
        .collect();
    let ways: std::collections::BTreeSet<WayId> = open.iter().map(|e| e.way).collect();
    assert!(
        ways.len() >= 3,
        "open entries from at least 3 ways, got {ways:?}"
    );
    for entry in &open {
        let approach = entry.vehicles[0].approach.as_ref().unwrap();
        assert!(approach.impact_speed_kmh > 0.0 && approach.run_up_m > 0.0);
        assert!(!matches!(approach.required_rating, RatingRequirement::None));
    }

    // Map a bollard on the last node before the square of every open entry: none stays open.
    // (Some of those nodes lie on the outlines of neighbouring pedestrian areas mapped as
    // relations, which the adapter creates, so the bollards go into the engine's input.)
    let mut closed_network = network.clone();
    for entry in &open {
        let node = closed_network
            .nodes
            .iter_mut()
            .find(|n| n.id == entry.from_node)
            .unwrap();
        node.barrier = Some(Barrier {
            kind: BarrierKind::Bollard,
            rating: None,
        });
    }
    let closed = analyse(&closed_network, &study, &vehicles).unwrap();
    for entry in &closed.entries {
        if open
            .iter()
            .any(|o| o.from_node == entry.from_node && o.to_node == entry.to_node)
        {
            assert_ne!(entry.vehicles[0].status, EntryStatus::Open, "{entry:#?}");
        }
    }
    let still_open = closed
        .entries
        .iter()
        .filter(|e| e.vehicles[0].status == EntryStatus::Open)
        .count();
    assert_eq!(still_open, 0, "entries left open after the bollards");
}
