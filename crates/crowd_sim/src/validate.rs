//! Input checks that need no geometry processing beyond the rings themselves.

use crate::error::{Error, invalid};
use crate::geometry::{Point, point_in_ring, ring_edges, ring_self_intersection, ring_signed_area};
use crate::scenario::{DesiredSpeed, Model, Premovement, Scenario};

pub(crate) fn check_scenario(s: &Scenario) -> Result<(), Error> {
    positive("dt_s", s.dt_s)?;
    positive("max_time_s", s.max_time_s)?;
    positive("navigation_cell_m", s.navigation_cell_m)?;
    if s.navigation_cell_m > 0.5 {
        return Err(invalid(
            "navigation_cell_m",
            format!(
                "{} m is too coarse for doors; use at most 0.5 m (0.1 m recommended)",
                s.navigation_cell_m
            ),
        ));
    }
    positive("output.density_cell_m", s.output.density_cell_m)?;
    positive("output.sample_interval_s", s.output.sample_interval_s)?;
    if let Some(t) = s.output.trajectory_interval_s {
        positive("output.trajectory_interval_s", t)?;
    }

    check_ring("walkable.outer", &s.walkable.outer)?;
    for (h, hole) in s.walkable.holes.iter().enumerate() {
        let field = format!("walkable.holes[{h}]");
        check_ring(&field, hole)?;
        // Holes may touch or cross the outer ring and each other (a stall against a façade):
        // the walkable area is the outer ring minus the union of the holes. A hole wholly
        // outside is a mistake in the input.
        if !point_in_ring(hole[0], &s.walkable.outer) && !rings_cross(hole, &s.walkable.outer) {
            return Err(invalid(field, "the hole lies outside walkable.outer"));
        }
    }

    if let Some(periodic) = s.periodic {
        if !(periodic.x_min.is_finite() && periodic.x_max > periodic.x_min + 2.0 * 3.0) {
            return Err(invalid(
                "periodic",
                "x_max must exceed x_min by more than two neighbour cutoffs (6 m)",
            ));
        }
        let (min, max) = crate::geometry::bounding_box(&s.walkable.outer);
        if min.x < periodic.x_min - 1e-9 || max.x > periodic.x_max + 1e-9 {
            return Err(invalid(
                "periodic",
                format!(
                    "walkable.outer spans x {}..{} beyond the corridor's ends {}..{}",
                    min.x, max.x, periodic.x_min, periodic.x_max
                ),
            ));
        }
    } else if s.exits.is_empty() {
        return Err(invalid("exits", "at least one exit is needed"));
    }
    for (e, exit) in s.exits.iter().enumerate() {
        let field = format!("exits[{e}]");
        if exit.name.trim().is_empty() {
            return Err(invalid(format!("{field}.name"), "the name is empty"));
        }
        if s.exits[..e].iter().any(|x| x.name == exit.name) {
            return Err(invalid(
                format!("{field}.name"),
                format!("exit name {:?} is used twice", exit.name),
            ));
        }
        check_ring(&format!("{field}.polygon"), &exit.polygon)?;
        if let Some(flow) = exit.max_flow_p_per_s {
            positive(&format!("{field}.max_flow_p_per_s"), flow)?;
        }
    }
    for (w, wp) in s.waypoints.iter().enumerate() {
        let field = format!("waypoints[{w}]");
        if s.waypoints[..w].iter().any(|x| x.name == wp.name) {
            return Err(invalid(
                format!("{field}.name"),
                format!("waypoint name {:?} is used twice", wp.name),
            ));
        }
        finite_point(&format!("{field}.position"), wp.position)?;
        positive(&format!("{field}.distance_m"), wp.distance_m)?;
    }
    for (z, zone) in s.speed_zones.iter().enumerate() {
        check_ring(&format!("speed_zones[{z}].polygon"), &zone.polygon)?;
        positive(&format!("speed_zones[{z}].factor"), zone.factor)?;
    }
    if let crate::scenario::ExitChoice::Quickest {
        reconsider_interval_s,
        flow_window_s,
        initial_flow_p_per_s,
        switch_margin_s,
    } = s.exit_choice
    {
        positive("exit_choice.reconsider_interval_s", reconsider_interval_s)?;
        positive("exit_choice.flow_window_s", flow_window_s)?;
        positive("exit_choice.initial_flow_p_per_s", initial_flow_p_per_s)?;
        non_negative("exit_choice.switch_margin_s", switch_margin_s)?;
    }
    match &s.model {
        Model::Cfsm(p) => {
            positive(
                "model.strength_neighbour_repulsion",
                p.strength_neighbour_repulsion,
            )?;
            positive(
                "model.range_neighbour_repulsion_m",
                p.range_neighbour_repulsion_m,
            )?;
            positive(
                "model.strength_geometry_repulsion",
                p.strength_geometry_repulsion,
            )?;
            positive(
                "model.range_geometry_repulsion_m",
                p.range_geometry_repulsion_m,
            )?;
            positive("model.cutoff_m", p.cutoff_m)?;
        }
        Model::Avm(p) => {
            // JuPedSim's `AnticipationVelocityModel::CheckModelConstraint` ranges.
            within(
                "model.strength_neighbour_repulsion",
                p.strength_neighbour_repulsion,
                0.0,
                20.0,
            )?;
            positive(
                "model.range_neighbour_repulsion_m",
                p.range_neighbour_repulsion_m,
            )?;
            within(
                "model.range_neighbour_repulsion_m",
                p.range_neighbour_repulsion_m,
                0.0,
                5.0,
            )?;
            within("model.anticipation_time_s", p.anticipation_time_s, 0.0, 5.0)?;
            positive("model.reaction_time_s", p.reaction_time_s)?;
            within("model.reaction_time_s", p.reaction_time_s, 0.0, 1.0)?;
            within(
                "model.wall_buffer_distance_m",
                p.wall_buffer_distance_m,
                0.0,
                1.0,
            )?;
            within("model.pushout_strength", p.pushout_strength, 0.0, 10.0)?;
            positive("model.cutoff_m", p.cutoff_m)?;
        }
    }
    if let Model::Avm(p) = &s.model
        && s.dt_s > p.reaction_time_s
    {
        // The heading relaxes by dt / reaction_time of the way per step: beyond 1 it overshoots.
        return Err(invalid(
            "dt_s",
            format!(
                "{} s is longer than the AVM's reaction time ({} s)",
                s.dt_s, p.reaction_time_s
            ),
        ));
    }

    for (k, pop) in s.populations.iter().enumerate() {
        check_population(s, k)?;
        let field = format!("populations[{k}]");
        // dt too large for the model: an agent must not move more than its radius in one step
        // (walls and exits are tested per step), and the CFSM speed law gap/T must not close a
        // head-on gap in one step (two agents each closing dt·gap/T needs dt < T/2).
        let v_max = pop.speed_mps.max_mps();
        let limit_radius = pop.radius_m / v_max.max(1e-9);
        let time_gap_s = pop.time_gap_s.unwrap_or(s.model.default_time_gap_s());
        let limit_gap = time_gap_s / 2.0;
        let limit = limit_radius.min(limit_gap);
        if s.dt_s > limit {
            return Err(invalid(
                "dt_s",
                format!(
                    "{} s is too large for {field} (radius {} m, speeds up to {} m/s, time gap {} s); \
                     use at most {:.4} s",
                    s.dt_s, pop.radius_m, v_max, time_gap_s, limit
                ),
            ));
        }
    }
    Ok(())
}

fn check_population(s: &Scenario, k: usize) -> Result<(), Error> {
    let pop = &s.populations[k];
    let field = format!("populations[{k}]");
    match (&pop.area, pop.count, &pop.positions) {
        (Some(area), Some(_), None) => check_ring(&format!("{field}.area"), area)?,
        (None, None, Some(positions)) => {
            for (m, p) in positions.iter().enumerate() {
                finite_point(&format!("{field}.positions[{m}]"), *p)?;
            }
        }
        (Some(_), None, None) => {
            return Err(invalid(format!("{field}.count"), "missing (area is given)"));
        }
        (None, Some(_), None) => {
            return Err(invalid(format!("{field}.area"), "missing (count is given)"));
        }
        _ => {
            return Err(invalid(
                field,
                "give either `area` and `count`, or `positions`",
            ));
        }
    }
    if !(pop.radius_m > 0.0 && pop.radius_m <= 2.0) {
        return Err(invalid(
            format!("{field}.radius_m"),
            format!("{} m is outside (0, 2] m", pop.radius_m),
        ));
    }
    if let Some(t) = pop.time_gap_s
        && !(0.1..=10.0).contains(&t)
    {
        return Err(invalid(
            format!("{field}.time_gap_s"),
            format!("{t} s is outside [0.1, 10] s"),
        ));
    }
    match pop.speed_mps {
        DesiredSpeed::Fixed(v) => speed_in_range(&format!("{field}.speed_mps"), v)?,
        DesiredSpeed::Normal { mean, sd, min, max } => {
            let f = format!("{field}.speed_mps");
            speed_in_range(&format!("{f}.mean"), mean)?;
            speed_in_range(&format!("{f}.min"), min)?;
            speed_in_range(&format!("{f}.max"), max)?;
            if !(sd >= 0.0 && sd.is_finite()) {
                return Err(invalid(format!("{f}.sd"), "must be finite and ≥ 0"));
            }
            if min > max {
                return Err(invalid(f, format!("min {min} exceeds max {max}")));
            }
        }
    }
    match pop.premovement_s {
        Premovement::Fixed(t) => non_negative(&format!("{field}.premovement_s"), t)?,
        Premovement::Uniform { min, max } => {
            non_negative(&format!("{field}.premovement_s.min"), min)?;
            non_negative(&format!("{field}.premovement_s.max"), max)?;
            if min > max {
                return Err(invalid(
                    format!("{field}.premovement_s"),
                    format!("min {min} exceeds max {max}"),
                ));
            }
        }
    }
    for (r, name) in pop.route.iter().enumerate() {
        if !s.waypoints.iter().any(|w| &w.name == name) {
            return Err(invalid(
                format!("{field}.route[{r}]"),
                format!("no waypoint is named {name:?}"),
            ));
        }
    }
    if let Some(name) = &pop.exit
        && !s.exits.iter().any(|e| &e.name == name)
    {
        return Err(invalid(
            format!("{field}.exit"),
            format!("no exit is named {name:?}"),
        ));
    }
    Ok(())
}

fn positive(field: &str, v: f64) -> Result<(), Error> {
    if v > 0.0 && v.is_finite() {
        Ok(())
    } else {
        Err(invalid(field, format!("{v} must be finite and > 0")))
    }
}

fn non_negative(field: &str, v: f64) -> Result<(), Error> {
    if v >= 0.0 && v.is_finite() {
        Ok(())
    } else {
        Err(invalid(field, format!("{v} must be finite and ≥ 0")))
    }
}

fn speed_in_range(field: &str, v: f64) -> Result<(), Error> {
    if (0.0..=10.0).contains(&v) {
        Ok(())
    } else {
        Err(invalid(field, format!("{v} m/s is outside [0, 10] m/s")))
    }
}

fn finite_point(field: &str, p: Point) -> Result<(), Error> {
    if p.x.is_finite() && p.y.is_finite() {
        Ok(())
    } else {
        Err(invalid(field, "coordinates must be finite numbers"))
    }
}

fn check_ring(field: &str, ring: &[Point]) -> Result<(), Error> {
    let mut ring = ring.to_vec();
    if ring.len() > 1 && ring.first() == ring.last() {
        ring.pop();
    }
    if ring.len() < 3 {
        return Err(invalid(
            field,
            format!("a polygon needs at least 3 vertices, got {}", ring.len()),
        ));
    }
    for (v, p) in ring.iter().enumerate() {
        finite_point(&format!("{field}[{v}]"), *p)?;
    }
    if let Some((a, b)) = ring_self_intersection(&ring) {
        return Err(invalid(
            field,
            format!("the polygon intersects itself (edges {a} and {b} cross)"),
        ));
    }
    if ring_signed_area(&ring).abs() < 1e-9 {
        return Err(invalid(field, "the polygon has zero area"));
    }
    Ok(())
}

fn rings_cross(a: &[Point], b: &[Point]) -> bool {
    ring_edges(a).any(|(p1, p2)| {
        ring_edges(b).any(|(q1, q2)| crate::geometry::segments_intersect(p1, p2, q1, q2))
    })
}

fn within(field: &str, v: f64, min: f64, max: f64) -> Result<(), Error> {
    if (min..=max).contains(&v) {
        Ok(())
    } else {
        Err(invalid(field, format!("{v} is outside [{min}, {max}]")))
    }
}
