//! Every candidate public space of an extract as a study: the first outer ring of its polygon,
//! in the network's frame. Shared by the Munich test, the benchmark and the `city_all_sites`
//! example (each includes this file with `#[path]`): the engine itself knows nothing of
//! `osm_import`, so this adapter lives beside the code that measures it.

use osm_import::{CandidateSpace, OsmExtract};
use vehicle_approach::{Point, Study};

/// One study per candidate that has an outline, in the extract's order, with its candidate.
pub fn candidate_studies(extract: &OsmExtract) -> Vec<(&CandidateSpace, Study)> {
    extract
        .candidates
        .iter()
        .filter_map(|candidate| {
            let outline = candidate.polygon.as_geo().0.first()?;
            let ring = outline
                .exterior()
                .coords()
                .map(|c| {
                    let p = extract.network.frame.project(c.x, c.y);
                    Point::new(p.east_m, p.north_m)
                })
                .collect();
            Some((candidate, Study::new(ring)))
        })
        .collect()
}
