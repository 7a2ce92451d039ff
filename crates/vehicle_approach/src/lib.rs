//! `vehicle_approach` is Agora's hostile-vehicle engine. Given a drivable-surface network in a
//! local metric frame, a protected perimeter and a set of threat vehicle classes, it finds every
//! place a vehicle can cross the perimeter, the highest speed each vehicle can have there over
//! all approach paths, the path, run-up, speed profile and what limits it at each bend, the
//! impact angle and kinetic energy, and the ISO 22343-1 / IWA 14-1 style barrier rating that
//! would stop it. It also reads rating strings and checks existing barriers against what they
//! face. The physics and every default follow `shared/research/hvm.md` (§2 and §6.2).
//!
//! It is a pure function of its input: no files, clocks, environment, threads or randomness;
//! the same input gives the same output bit for bit. It is **not** an OSM reader (`osm_import`
//! builds a `street_network::StreetNetwork`, and [`network_from_street_network`], the one module
//! that knows that crate, turns it into the plain [`Network`] the engine takes), not a crash
//! simulation (impacts are kinetic energy and a rating class, not deformation), and not a
//! prediction of what an attacker will do: the speeds are a physical upper envelope.
//!
//! # How it works
//! Ways are cut into straight segments; each segment is driven in both directions (worst case)
//! unless it is narrower than the vehicle or blocked. Directed segments wholly outside the
//! perimeter form the approach graph; those that first touch the perimeter line are entries.
//! One search per vehicle labels every directed segment with the highest speed a vehicle can
//! have at its end (power- and traction-limited run-up, capped at each bend by grip and
//! rollover on the widest line, bends tighter than the vehicle can steer needing a stop); a
//! single label per segment is exact because any lower speed is also feasible. The path behind
//! each entry's label is then re-driven with the forward–backward profile to report speeds,
//! bends, time and the Model A cross-check. A second search without barriers says what the
//! barriers face.
//!
//! # Many studies over one map
//! [`PreparedNetwork::new`] does the study-independent work once (node index, parsed ratings,
//! segments and lines across open areas, where mapped barrier lines cross them, a grid over the
//! nodes). On first use it also runs one search per vehicle (and per setting of the options
//! that change it) over the whole network without a perimeter, shared by every study without
//! added barriers, obstacles or openings (the search without barriers carries on from the one
//! with them: its labels are paths without barriers too). A study reads its entries' labels from
//! it and searches again only labels whose best path crosses its perimeter or starts in a pocket
//! the perimeter cuts off, and of those only the ones its entries turn out to need: going back
//! from each entry, the one whose network-wide upper bound offers most first, and more only
//! while what has been taken leaves the entry (or a label taken) short of what a candidate could
//! still offer and of what the segments after it can use. That gives the study's own optimum to
//! within the searches' improvement threshold (tests compare with each site's own search on
//! Munich and London). Other studies, and those with a search radius, run their own searches
//! ([`PreparedNetwork::analyse_with_own_search`]). [`PreparedNetwork::analyse_many`] runs a
//! list of studies and reports progress through [`Progress`], which can also stop the run. The
//! engine never starts threads; a caller may share one `PreparedNetwork` between its own
//! threads, which then run different vehicles' searches side by side.
//!
//! # Performance
//! Issue 3 asks for every candidate site of a city × every vehicle class in no more time than
//! parsing the extract, and the Munich old town in under 1 s on 2 cores. `cargo bench -p
//! vehicle_approach` and `agora bench hvm` print the figures (parse time, analysis time, sites,
//! entries, peak memory, each target met or not); `examples/city_all_sites.rs` runs the same
//! work with a fingerprint of every result, to check that a speed-up changes no number.
//! **"No longer than the parse" is not met, and cannot be by this design: Munich's analysis
//! takes six to twelve times its parse (see the instruction counts at the end), London's
//! about 1.7 times. Munich's 1 s target is met while these machines run at their usual speed
//! and missed by up to a fifth while they run slow.** Their speed changes by half and more
//! from hour to hour with no load of our own and no steal time shown, and the parse slows
//! with it. Both benchmarks therefore measure each city five times, from the PBF on, and
//! judge the targets on the medians, printing the ranges beside them. On 2026-12-07 (evening),
//! with that session's build, `cargo bench` gave for Munich a median analysis of
//! 0.94 s (runs 0.82–1.03 s) against a 0.15 s parse at one sitting, and 1.14 s (1.05–1.22 s)
//! against 0.17 s at another, half an hour apart; London 0.21 s against 0.12–0.15 s. Peak
//! memory: Munich 231–234 MiB, London 240–260 MiB, read after Munich's runs on a heap they
//! left behind. Instruction counts (callgrind) do not drift, so the changes below are
//! measured in them as well as in time.
//!
//! The table is from the round before, with single runs of `cargo bench` on an idle 2-core
//! development machine (2 threads, release build); its speed
//! drifts by a tenth or more over minutes, so the before/after rows run both builds'
//! `city_all_sites` alternately, 9 (Munich) and 15 (London) times each, in one sitting
//! (medians; the machine was at its slower then):
//!
//! | | at 9d3f715 | now |
//! |---|---|---|
//! | Munich (183 sites, 11,049 entries, 8 classes): analysis (bench) | 0.76–0.80 s | 0.65–0.75 s |
//! | Munich: shared searches + all sites, alternating runs | 0.188 + 0.724 s | 0.153 + 0.593 s (−18 %) |
//! | Munich: parse of the PBF | 0.06–0.08 s | 0.07–0.09 s |
//! | Munich: labels searched again at sites | 156 thousand | 156 thousand |
//! | London (157 sites, 1,165 entries): analysis against parse (bench) | 0.14–0.15 s / 0.06–0.08 s | 0.11–0.14 s / 0.07–0.08 s |
//! | London: shared searches + all sites, alternating runs | 0.105 + 0.104 s | 0.080 + 0.080 s (−26 %) |
//! | peak memory (VmHWM) Munich / London, each run alone, 2 threads | 322 / 176 MiB | 233 / 134 MiB |
//!
//! (At ccab8e4, before the round before, Munich took 3.4–3.6 s and London 0.33 s on a slower
//! machine, where 9d3f715 measured 0.98–1.15 s and 0.17–0.23 s. The bench's own peak memory
//! for London reads higher, 147–165 MiB: it resets the peak after Munich, most likely onto a
//! heap still holding what Munich freed; not verified.)
//!
//! What made the difference, in order of effect (each checked against the fingerprints, or,
//! where results change, against each site's own search on every Munich and London site and
//! vehicle):
//! - **A site's repair takes only what its entries need.** Munich's best network-wide paths are
//!   long (1.8 km on average) and loop through the old town's squares, so near any site most
//!   labels do not stand. Going back from the entries while an upper bound could beat what
//!   stands searched 3.27 million labels again; most of them end equal to their upper bound,
//!   and only 3.5 % lie on the paths finally reported. Now each entry, and each label taken,
//!   takes one candidate at a time, the best upper bound first, depth first down to labels
//!   seeded from what stands; one forward search follows, and only those still short of what
//!   a candidate could give take more. A label stops taking once it is as fast as what follows
//!   it can use: its *ceiling*, the speed cap of the turn after it, or the speed from which
//!   the segment after it reaches that segment's own ceiling (inverting the run-up table).
//!   Without barriers, an entry takes only candidates that could beat its label with barriers
//!   (only a faster approach is reported there). Munich: 156 thousand labels searched again.
//!   Results: the same status for every entry and vehicle; where speeds differ from before, by
//!   up to 0.16 km/h, the repair now finds a path the earlier search's improvement threshold
//!   (0.01 m/s) had passed over. Against each site's own search, on all 183 Munich and 157
//!   London sites × 8 classes: never slower by more than 0.03 km/h, faster by up to 0.16 km/h
//!   (with a threshold of 0.0005 m/s both agree within 0.05 km/h on the test's sites). Where
//!   barriers gain less than the threshold, one of the two may report an approach without
//!   barriers and the other not (20 of Munich's 88,392 results and 3 of London's 9,320;
//!   barriers gain at most 0.08 km/h there).
//! - **Reported profiles integrate only what is not settled.** What is final of the profile
//!   along the path behind each update of a shared search's log is kept with the update:
//!   whatever continues a path can only lower the speed at its end and brake back from there,
//!   so the stations before the one where braking from a standstill at the end meets the
//!   profile are final (on Munich about 80 m before the end). A reported approach integrates
//!   only its entry segment and those last stations (two braking passes give what one gives,
//!   bit for bit; a test compares every station). The path points, bends and station layout
//!   that became final with a kept profile are kept with it too, so a report lays out and
//!   looks up only the last few nodes. Where that last final station lies is found with the
//!   braking pass from a stop in closed form, √(k·2bs), rather than step by step (the steps
//!   then do not wait on each other's square roots), with a margin that keeps it never later
//!   than the step-by-step answer (a debug check).
//! - **Legs are driven side by side.** A Heun step of Model B is a chain of two divisions and
//!   two square roots, each waiting on the one before; a site's approaches are read back
//!   first, then their entry legs are driven four at a time (each leg's steps fill the others'
//!   waits), then reported; Model A's pass runs in the same loop as Model B's. Bit for bit as
//!   one at a time (tests compare every station). About a tenth of the per-site work.
//! - **The search without barriers carries on from the one with them**, searching further only
//!   what the barriers held back (segments arriving at a barrier, turns into segments only
//!   barriers narrow, origins only barriers cut off), and reads the records of the updates it
//!   carried on there rather than copying them.
//! - **Less memory touched by the shared searches** (this round: Munich's 185 → 150 MB and
//!   about 18 % faster, London's 112 → 93 MB and about 20 % faster). Fresh memory costs a page
//!   fault per 4 KiB, 2–3 µs each on these machines, so on London the page faults were a third
//!   of the shared searches' time: a search's log takes 8 bytes per update (it took 24), turn
//!   caps are plain `f64`s with `NO_STEERING` for a turn too tight to steer (an `Option` took
//!   16 bytes), and every vehicle's tables share the graph's turn layout.
//! - Barrier lines meet only the segments a grid puts near them (preparing London: 57 → 16 ms);
//!   the searches read turn targets, lengths, run-up tables and what they may label from
//!   compact arrays; their queues are four-way heaps (the same order out). A site's "outside the
//!   map?" check looks in the perimeter's own bounds before the 1 km around it (London's
//!   per-site work −5 %); a report's bends and a repair's per-label vectors are allocated
//!   once; the shared graph groups turns by the segment they lead into with a counting sort
//!   (Munich: 8 → 2 ms of the graph's serial build, during which the other thread waits); a
//!   site tells which nodes near it lie on its line by stopping at the first edge close
//!   enough, with square roots only near the limit (the same answers; London's per-site work
//!   about 5 % faster).
//! - A site finds its pockets (origins its perimeter cuts off) once per vehicle width and
//!   setting of barriers, not once per vehicle: they depend on the vehicle through its width
//!   alone, and the standard classes come in three widths. Munich's per-site work runs 6 %
//!   fewer instructions (callgrind) and about 4 % less time on one thread; a debug check
//!   compares every pocket set reused with a fresh walk.
//! - The engine is built in one codegen unit in release builds (`Cargo.toml`): 4 % fewer
//!   instructions on Munich (every fourth site, one thread: 4.74 → 4.56 billion), results bit
//!   for bit the same; whole-program LTO gave 1.5 % more and no measurable time for two more
//!   minutes of every release build, and is not used. A repair's candidates for an entry are
//!   the vector of its turns cut where the first label stands, sized once, not a second vector
//!   grown push by push: 1.5 % fewer instructions (4.56 → 4.49 billion). In time, neither
//!   shows outside the machine's noise (alternating runs: 0.887 → 0.884 s on 2 threads).
//!
//! Measured and not kept: a second label per segment from a search avoiding the insides of
//! all candidate sites (−9 % of the old repair's labels); labels that stand "by value" where a
//! start from rest one segment back reaches the turn's cap (−6 %); taking candidates best
//! first across all entries with a forward search after each (3.6× fewer labels than going
//! back from the entries, but every label was then searched again 16 times: no faster); a
//! repair's arrays over every segment and update handed from one repair to the next and
//! cleared by what was set, instead of filled anew (twice now: no measurable change); sites
//! starting while the shared searches still run, each thread running the searches it finds
//! unclaimed (no measurable change); jemalloc or mimalloc instead of glibc's allocator (no
//! faster, more memory); search-log records padded to 32 bytes so none straddles a cache line
//! (no measurable change); the missing kept profiles of a site's approaches made side by side
//! as well, round by round as their parents became ready (6–10 % slower: most rounds had one
//! chain to drive, and each profile's parent had left the cache by its turn). Two orders of
//! the network-wide search that keep shorter paths, so that fewer of them cross a site: the
//! slowest label first (Munich's mean run-up 1,712 → 899 m, labels searched again at sites
//! 156 → 74 thousand and the sites 8 % faster, but the searches logged 4.4 times the updates
//! and took 2.4 times as long, slower in all); and, of offers no faster than a label, taking
//! one whose run-up is more than 1 m shorter (run-up 1,712 → 1,468 m, labels searched again
//! 156 → 118 thousand, but the lorries' searches took 2–4 times as long, since most of their
//! labels sit at the limiter and every shorter path is passed on again; the sites no
//! faster). Two orders of a caller's work (2026-12-07): every site vehicle by vehicle, so
//! that one vehicle's search data stays in cache, instead of site by site with all eight
//! (10 % slower: pockets are then found per vehicle, not per width); and sites in a
//! space-filling-curve order of their centroids (no gain). Glibc's transparent huge pages
//! for the heap (`GLIBC_TUNABLES=glibc.malloc.hugetlb=1`: 64 huge-page faults, no gain).
//!
//! Next steps, each worth a few percent: reports that walk the chain of kept profiles only
//! back to their first open node for the layout (the full walk is needed only for the final
//! points, and for the barriers on a path without barriers); the shared graph's turn
//! geometries (9 ms on London, 17 ms on Munich, most of the graph's serial build) computed by
//! every thread that is waiting for the graph, each taking a share of the segments.
//!
//! Where the time goes now (perf, one thread). Munich, all sites after the shared searches:
//! building the reported results about half (integrating legs, about 3.5 million Heun steps
//! of 1 m on entry legs and 2.6 million on the legs of 111 thousand kept profiles, an eighth
//! of all; walking the chain of kept profiles behind each approach, twice, for its layout and
//! its final points, about 5 %; allocation), the repairs about 40 % (a tenth of all in
//! `SiteView::stands`, waiting for memory). Munich's results hold 4.3 million path points and 2.8 million bends (about
//! 400 MB if all were kept), from an 842 kB extract. London: the shared searches are about
//! 40 % of the analysis and the sites the rest; page faults are a sixth of it all.
//!
//! Why "analysis ≤ parse" is out of reach of this design, not of a few more percent. Counted
//! in instructions (callgrind, one thread, so independent of the machine's speed), Munich's
//! parse runs 0.69 billion, the network-wide searches 1.75 billion and the 183 sites 6.7
//! billion: the analysis is about twelve times the parse's work, and the searches alone, split
//! over 2 threads, already exceed it (callgrind counts each byte a `rep stos` clears as an
//! instruction, about a twentieth of these counts; without them the comparison stands). In
//! time: on Munich the 16 network-wide searches alone (39 thousand directed segments, 255
//! thousand turns, each label improved about five times by cars) take about 0.13 s on 2 threads,
//! already more than the 0.07–0.08 s parse; the reports then integrate, lay out and copy
//! 85 thousand approaches of about 50 points and 33 bends each. Merely cloning Munich's
//! finished analyses takes 0.08 s on one thread into memory already touched (0.2 s into
//! fresh memory), as long as the parse itself. Meeting it would take
//! approaches reported lazily (numbers first, paths on request) or paths shared between
//! approaches rather than copied, both changes to what an analysis returns.
//!
//! # Glossary
//! - **Perimeter**: the polygon around the space to protect (a square, a market).
//! - **Entry point**: a place where a drivable surface (road, pavement, tram track, open area)
//!   crosses the perimeter inward; every one is a candidate attack vector.
//! - **Approach path** (vector): the route a vehicle drives to an entry point.
//! - **Origin**: where a run-up may start: anywhere connected, without passing a barrier or
//!   entering the perimeter, to a public road, a dead end of the network (an extract's edge) or,
//!   when a study sets one, the search radius; and any point a vehicle has reached (it may stop
//!   and start again).
//! - **Run-up**: the length of approach path over which the vehicle accelerates, from a
//!   standstill (or a rolling start) to the perimeter.
//! - **Impact speed**: the speed at the perimeter line; the driver is assumed not to brake there.
//! - **Impact angle**: the angle between the vehicle's final heading and the perimeter edge; 90°
//!   is head-on.
//! - **Widest line**: the largest circular arc through a bend that stays on the paved width; a
//!   hostile driver ignores lanes.
//! - **Worst case / compliant**: whether the driver ignores one-way, access and pedestrian-only
//!   rules (the default) or obeys them.
//! - **Rating**: a barrier's impact test result, e.g. `V/7200[N2A]/48/90:8.3/0.0` (method,
//!   test mass and vehicle class, speed km/h, angle °, penetration m, debris m).
//! - **Nominal test speed**: 16, 32, 48, 64, 80, 96 or 112 km/h; a required speed is rounded up
//!   to one of these.
//! - **Stand-off**: the distance between the perimeter line and what it protects
//!   ([`Options::stand_off_m`]); a barrier's rated penetration must stay within the room behind
//!   it: the stand-off, plus the rest of the path for a barrier out on the approach
//!   ([`StandOffCheck`]).
//!
//! # Example
//! ```
//! use vehicle_approach::*;
//!
//! // A 150 m street approaching a square, with a bollard mapped on it 20 m before the square.
//! let node = |id, x: f64, bollard: bool| Node {
//!     id: NodeId(id),
//!     position: Point::new(x, 0.0),
//!     barrier: bollard.then(|| Barrier { kind: BarrierKind::Bollard, rating: None }),
//! };
//! let network = Network {
//!     nodes: vec![node(1, -150.0, false), node(2, -20.0, true), node(3, 30.0, false)],
//!     ways: vec![Way {
//!         id: WayId(7),
//!         kind: WayKind::Tertiary,
//!         nodes: vec![NodeId(1), NodeId(2), NodeId(3)],
//!         width_m: Some(7.0),
//!         oneway: Oneway::Forward,
//!         access: Access::Unspecified,
//!         surface: Surface::Asphalt,
//!         is_area: false,
//!     }],
//!     ..Network::default()
//! };
//! let square = vec![
//!     Point::new(0.0, -40.0),
//!     Point::new(80.0, -40.0),
//!     Point::new(80.0, 40.0),
//!     Point::new(0.0, 40.0),
//! ];
//! let lorry = standard_vehicle_class("N2A").unwrap();
//! let analysis = analyse(&network, &Study::new(square), &[lorry]).unwrap();
//!
//! let entry = &analysis.entries[0];
//! let result = &entry.vehicles[0];
//! // The bollard closes the entry; without it the lorry would arrive after 150 m of run-up.
//! assert_eq!(result.status, EntryStatus::ClosedByBarriers);
//! let open = result.unprotected_approach.as_ref().unwrap();
//! assert_eq!(open.run_up_m, 150.0);
//! assert!(matches!(&open.required_rating, RatingRequirement::Rating(r) if r.speed_kmh == 80));
//! assert_eq!(result.barriers_relied_on[0].barrier, BarrierRef::Node(NodeId(2)));
//! ```

#![forbid(unsafe_code)]
#![warn(missing_docs)]

mod analysis;
mod from_street_network;
mod geometry;
mod many;
mod network;
mod physics;
mod prepare;
mod rating;
mod shared;
mod synthetic;
mod vehicle;

pub use analysis::{
    Analysis, Approach, BarrierOnPath, Bend, Diagnostic, EntryPoint, EntryStatus, Error, PathPoint,
    StandOffCheck, VehicleResult, analyse, vehicle_classes_by_code,
};
pub use from_street_network::network_from_street_network;
pub use geometry::Point;
pub use many::{PreparedNetwork, Progress, analyse_many, analyse_many_with_progress};
pub use network::{
    Access, Barrier, BarrierId, BarrierKind, BarrierLine, Network, Node, NodeId, Oneway, Opening,
    Options, PointObstacle, Study, Surface, TrafficRules, Way, WayId, WayKind,
};
pub use physics::{
    AIR_DENSITY_KG_M3, AccelerationModel, BRAKING_REFERENCE_FRICTION, BendLimit, DEFAULT_FRICTION,
    DEFAULT_STEP_M, DRIVETRAIN_EFFICIENCY, GRAVITY_MPS2, POWER_LIMIT_MIN_SPEED_MPS, PathStretch,
    ProfileStation, ROLLING_RESISTANCE, RunUp, braking_deceleration_mps2, braking_distance_m,
    constant_acceleration_speed_mps, corner_speed_limit, forward_backward_profile,
    grip_speed_limit_mps, kinetic_energy_j, kmh_to_mps, mps_to_kmh, power_model_acceleration_mps2,
    rollover_speed_limit_mps, run_up, run_up_speed_mps, widest_line_radius_m,
};
pub use prepare::{BarrierRef, WidthSource};
pub use rating::{
    NOMINAL_TEST_SPEEDS_KMH, Rating, RatingCheck, RatingParseError, RatingRequirement,
    RequiredRating, TEST_ANGLES_DEG, TestMethod, check_rating, parse_rating, required_rating,
    round_up_to_test_angle_deg, round_up_to_test_speed_kmh,
};
pub use shared::SearchStatistics;
pub use synthetic::{SyntheticCity, synthetic_city};
pub use vehicle::{VehicleClass, standard_vehicle_class, standard_vehicle_classes};
