//! Site scenarios from real OSM geometry: the Munich demo's Marienplatz (data/demo, ODbL).

use crowd_sim::*;

const DEMO_EXTRACT: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../data/demo/munich-altstadt-2020.osm.pbf"
);

/// Marienplatz's scenario with `count` people: the demo's outline (relation/7366154, the
/// candidate named Marienplatz, as in data/demo/sites.toml) projected to the extract's frame.
fn marienplatz(count: usize) -> (Scenario, Vec<SiteDiagnostic>) {
    let extract = osm_import::read_osm_file(std::path::Path::new(DEMO_EXTRACT)).unwrap();
    let candidate = extract
        .candidates
        .iter()
        .find(|c| c.osm_ref == "relation/7366154")
        .expect("Marienplatz is a candidate of the demo extract");
    assert_eq!(candidate.name.as_deref(), Some("Marienplatz"));
    let outline = extract
        .network
        .frame
        .project_geometry(candidate.polygon.as_geo());
    let options = SiteCrowdOptions {
        population: SitePopulation::Count(count),
        seed: 4,
        max_time_s: 600.0,
        ..SiteCrowdOptions::default()
    };
    site_scenario(&extract.network, &outline, &options).unwrap()
}

/// The streets that meet Marienplatz on the map (OSM, checked by eye on openstreetmap.org):
/// Kaufingerstraße (west), Rosenstraße (south-west), Dienerstraße (north-east), Weinstraße and
/// Theatinerstraße's continuation (north), Tal (east), Sporerstraße/Rindermarkt (south).
#[test]
fn marienplatz_exits_are_where_the_streets_meet_the_square() {
    let (scenario, diagnostics) = marienplatz(100);
    let names: Vec<&str> = scenario.exits.iter().map(|e| e.name.as_str()).collect();
    println!("exits: {names:#?}\ndiagnostics: {diagnostics:#?}");
    for street in [
        "Kaufingerstraße",
        "Rosenstraße",
        "Dienerstraße",
        "Weinstraße",
    ] {
        assert!(
            names.iter().any(|n| n.starts_with(street)),
            "no exit at {street}: {names:?}"
        );
    }
    // Every exit lies outside the outline (behind the opening) and its name says which way.
    assert!(names.iter().all(|n| n.contains("way/")), "{names:?}");
}

/// A run on Marienplatz finishes and its numbers are sane. Hand bounds: nobody is faster than
/// the farthest agent's straight-line distance to its nearest exit at the fastest Weidmann
/// speed (1.61 m/s); and with every exit passing at least 0.5 p/(m s) (below the 1.3 design
/// value, crowd.md §4.3) the square empties within the slowest walk (0.46 m/s) of 150 m (the
/// square's span) plus the queue N / (0.5 × total exit width).
#[test]
fn marienplatz_evacuation_finishes_within_hand_bounds() {
    let (scenario, _) = marienplatz(800);
    let outcome = run(&scenario).unwrap();
    crate::support::assert_invariants(&outcome, 1e-3);
    assert_eq!(
        outcome.agents_evacuated, 800,
        "{:?}",
        outcome.agents_remaining
    );
    let t = outcome.evacuation_time_s.unwrap();
    let centre = |ring: &[Point]| {
        let n = ring.len() as f64;
        Point::new(
            ring.iter().map(|p| p.x).sum::<f64>() / n,
            ring.iter().map(|p| p.y).sum::<f64>() / n,
        )
    };
    let exit_centres: Vec<Point> = scenario.exits.iter().map(|e| centre(&e.polygon)).collect();
    let farthest = outcome
        .agents
        .iter()
        .map(|a| {
            exit_centres
                .iter()
                .map(|c| a.start.distance_to(*c))
                .fold(f64::INFINITY, f64::min)
        })
        .fold(0.0, f64::max);
    let total_width: f64 = scenario
        .exits
        .iter()
        .map(|e| e.polygon[0].distance_to(e.polygon[1]))
        .sum();
    let lower = (farthest - 1.5) / 1.61;
    let upper = 150.0 / 0.46 + 800.0 / (0.5 * total_width);
    println!(
        "Marienplatz, 800 people: {t:.1} s (bounds {lower:.1}–{upper:.1} s), exits {:?}, peak {:?}",
        outcome
            .exits
            .iter()
            .map(|e| (e.name.as_str(), e.count))
            .collect::<Vec<_>>(),
        outcome.density.peak
    );
    assert!(t >= lower && t <= upper, "{t} s outside {lower}–{upper} s");
    let peak = outcome.density.peak.unwrap().density_per_m2;
    assert!(peak > 0.0 && peak < 6.0, "peak density {peak} /m²");
}
