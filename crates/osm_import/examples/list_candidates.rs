//! Lists the candidate public spaces of an OSM file: `cargo run -p osm_import --example list_candidates -- FILE`.

fn main() {
    let path = std::env::args()
        .nth(1)
        .expect("usage: list_candidates FILE");
    let started = std::time::Instant::now();
    match osm_import::read_osm_file(std::path::Path::new(&path)) {
        Ok(extract) => {
            println!("read in {:?}: {:?}", started.elapsed(), extract.counts);
            println!(
                "network: {} nodes, {} ways, {} areas, {} barrier lines, {} buildings; basemap {} features",
                extract.network.nodes.len(),
                extract.network.ways.len(),
                extract.network.areas.len(),
                extract.network.barrier_lines.len(),
                extract.network.buildings.len(),
                extract.basemap.len()
            );
            for candidate in &extract.candidates {
                println!(
                    "{}\t{}\t{:.1}\t{}\t{}",
                    candidate.osm_ref,
                    candidate.kind,
                    candidate.area_m2,
                    candidate.name.as_deref().unwrap_or("-"),
                    candidate.reason
                );
            }
            for diagnostic in &extract.diagnostics {
                println!("diagnostic: {diagnostic}");
            }
        }
        Err(error) => {
            eprintln!("error: {error}");
            std::process::exit(1);
        }
    }
}
