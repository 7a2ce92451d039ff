//! Vehicle dynamics of hvm.md §2 and §6.2: run-up, cornering, rollover, braking, energy.

use serde::{Deserialize, Serialize};

use crate::vehicle::VehicleClass;

/// Standard gravity used throughout hvm.md, m/s².
pub const GRAVITY_MPS2: f64 = 9.81;
/// Air density, kg/m³ (hvm.md §2.2).
pub const AIR_DENSITY_KG_M3: f64 = 1.2;
/// Drivetrain efficiency η (hvm.md §2.2).
pub const DRIVETRAIN_EFFICIENCY: f64 = 0.85;
/// Speed below which the power limit is evaluated at this speed, m/s (hvm.md §2.2 v_min).
pub const POWER_LIMIT_MIN_SPEED_MPS: f64 = 0.5;
/// Rolling resistance coefficient C_rr (hvm.md §2.2).
pub const ROLLING_RESISTANCE: f64 = 0.012;
/// Friction on dry asphalt, the default μ (hvm.md §6.2).
pub const DEFAULT_FRICTION: f64 = 0.7;
/// Friction at which `VehicleClass::braking_mps2` is quoted (hvm.md §2.4: scale by μ/0.8).
pub const BRAKING_REFERENCE_FRICTION: f64 = 0.8;
/// Longest integration step along a path, m (hvm.md §6.2: Δs ≤ 1 m).
pub const DEFAULT_STEP_M: f64 = 1.0;

/// km/h to m/s.
pub fn kmh_to_mps(speed_kmh: f64) -> f64 {
    speed_kmh / 3.6
}

/// m/s to km/h.
pub fn mps_to_kmh(speed_mps: f64) -> f64 {
    speed_mps * 3.6
}

/// Kinetic energy ½mv² in joules.
pub fn kinetic_energy_j(mass_kg: f64, speed_mps: f64) -> f64 {
    0.5 * mass_kg * speed_mps * speed_mps
}

/// How a vehicle accelerates along a run-up.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum AccelerationModel {
    /// Model B (the default): power- and traction-limited with rolling and aerodynamic resistance.
    PowerAndTraction,
    /// Model A: the class's constant acceleration, v = √(v₀² + 2as) (a cross-check).
    ConstantPerClass,
}

/// Model B acceleration on the flat at `speed_mps` on a surface of friction `friction`:
/// a = [min(μ g m k_drive, η P / max(v, v_min)) − C_rr m g − ½ ρ C_dA v²] / m (hvm.md §6.2).
pub fn power_model_acceleration_mps2(vehicle: &VehicleClass, speed_mps: f64, friction: f64) -> f64 {
    let m = vehicle.mass_kg;
    let traction_n = friction * GRAVITY_MPS2 * m * vehicle.driven_weight_share;
    let power_n = DRIVETRAIN_EFFICIENCY * vehicle.power_kw * 1000.0
        / speed_mps.max(POWER_LIMIT_MIN_SPEED_MPS);
    let resistance_n = ROLLING_RESISTANCE * m * GRAVITY_MPS2
        + 0.5 * AIR_DENSITY_KG_M3 * vehicle.drag_area_m2 * speed_mps * speed_mps;
    (traction_n.min(power_n) - resistance_n) / m
}

/// Speed after one step of `step_m` from `speed_mps` at full throttle, capped at the top speed.
///
/// Integrates d(v²)/ds = 2a(v) with Heun's method (second order); the constant-acceleration
/// model is exact in this form.
pub(crate) fn accelerate_step_mps(
    vehicle: &VehicleClass,
    model: AccelerationModel,
    speed_mps: f64,
    step_m: f64,
    friction: f64,
) -> f64 {
    let v_squared = speed_mps * speed_mps;
    let next_squared = match model {
        AccelerationModel::ConstantPerClass => {
            v_squared + 2.0 * vehicle.constant_acceleration_mps2 * step_m
        }
        AccelerationModel::PowerAndTraction => {
            let k1 = 2.0 * power_model_acceleration_mps2(vehicle, speed_mps, friction);
            let predicted = (v_squared + k1 * step_m).max(0.0);
            let k2 = 2.0 * power_model_acceleration_mps2(vehicle, predicted.sqrt(), friction);
            v_squared + 0.5 * (k1 + k2) * step_m
        }
    };
    next_squared
        .max(0.0)
        .sqrt()
        .min(vehicle.top_speed_mps.max(speed_mps))
}

/// Number of equal integration steps for a stretch, each at most `max_step_m`.
pub(crate) fn step_count(length_m: f64, max_step_m: f64) -> usize {
    ((length_m / max_step_m).ceil() as usize).max(1)
}

/// Speed in m/s after `distance_m` of straight, flat run-up at full throttle from `start_speed_mps`.
pub fn run_up_speed_mps(
    vehicle: &VehicleClass,
    model: AccelerationModel,
    start_speed_mps: f64,
    distance_m: f64,
    friction: f64,
    max_step_m: f64,
) -> f64 {
    run_up(
        vehicle,
        model,
        start_speed_mps,
        distance_m,
        friction,
        max_step_m,
    )
    .speed_mps
}

/// Speed and elapsed time at the end of a straight run-up.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct RunUp {
    /// Speed at the end, m/s.
    pub speed_mps: f64,
    /// Time taken, s.
    pub time_s: f64,
}

/// Straight, flat run-up at full throttle: the speed reached after `distance_m` and the time it took.
pub fn run_up(
    vehicle: &VehicleClass,
    model: AccelerationModel,
    start_speed_mps: f64,
    distance_m: f64,
    friction: f64,
    max_step_m: f64,
) -> RunUp {
    if distance_m <= 0.0 {
        return RunUp {
            speed_mps: start_speed_mps,
            time_s: 0.0,
        };
    }
    let steps = step_count(distance_m, max_step_m);
    let step_m = distance_m / steps as f64;
    let mut speed_mps = start_speed_mps;
    let mut time_s = 0.0;
    for _ in 0..steps {
        let next = accelerate_step_mps(vehicle, model, speed_mps, step_m, friction);
        time_s += 2.0 * step_m / (speed_mps + next).max(1e-9);
        speed_mps = next;
    }
    RunUp { speed_mps, time_s }
}

/// Distance from rest to every speed on a fine grid, for one vehicle, model and surface: the
/// search's fast form of [`run_up_speed_mps`]. Flat-ground acceleration depends on speed only,
/// so the speed after `L` metres from `v₀` is the speed at distance `s(v₀) + L` from rest.
pub(crate) struct RunUpTable {
    /// Speed step of the grid, m/s.
    step_mps: f64,
    /// `distance_m[i]`: distance from rest to `i · step_mps`.
    distance_m: Vec<f64>,
    /// Highest speed the table reaches: the top speed, or just below the terminal speed where
    /// drag and rolling resistance eat all the power.
    ceiling_mps: f64,
    /// The constant acceleration of Model A, which needs no table.
    constant_mps2: Option<f64>,
    top_speed_mps: f64,
    /// `first_at_least[k]`: the first index whose distance is at least `(k / per_root_m)²`:
    /// buckets even in √distance, so in speed, hold a few entries each from rest to the
    /// ceiling, and a lookup searches three of them, not the whole table.
    first_at_least: Vec<u32>,
    /// Buckets per √m.
    per_root_m: f64,
}

impl RunUpTable {
    pub(crate) fn new(
        vehicle: &VehicleClass,
        model: AccelerationModel,
        friction: f64,
    ) -> RunUpTable {
        let step_mps = 0.01;
        let top = vehicle.top_speed_mps;
        if model == AccelerationModel::ConstantPerClass {
            return RunUpTable {
                step_mps,
                distance_m: Vec::new(),
                ceiling_mps: top,
                constant_mps2: Some(vehicle.constant_acceleration_mps2),
                top_speed_mps: top,
                first_at_least: Vec::new(),
                per_root_m: 0.0,
            };
        }
        let mut distance_m = vec![0.0];
        let mut speed = 0.0;
        let mut total = 0.0;
        let mut ceiling_mps = top;
        while speed + step_mps <= top {
            let middle = speed + step_mps / 2.0;
            let a = power_model_acceleration_mps2(vehicle, middle, friction);
            if a <= 1e-4 {
                ceiling_mps = speed;
                break;
            }
            // ds = v dv / a, midpoint rule.
            total += middle * step_mps / a;
            distance_m.push(total);
            speed += step_mps;
        }
        // About one bucket per two entries.
        let root_of_last = distance_m[distance_m.len() - 1].sqrt();
        let buckets = distance_m.len().div_ceil(2).max(1);
        let per_root_m = buckets as f64 / root_of_last.max(1e-9);
        let first_at_least = (0..=buckets + 2)
            .map(|k| {
                let root = k as f64 / per_root_m;
                distance_m.partition_point(|&d| d < root * root) as u32
            })
            .collect();
        RunUpTable {
            step_mps,
            distance_m,
            ceiling_mps,
            constant_mps2: None,
            top_speed_mps: top,
            first_at_least,
            per_root_m,
        }
    }

    /// The first index whose distance is not below `target` (`target` within the table), as
    /// `partition_point` over the whole table finds it, searching only the buckets around
    /// `target` (the one before and after too, against rounding). Should the bracket not hold
    /// the answer after all (its ends are checked), the whole table is searched.
    fn first_not_below(&self, target: f64) -> usize {
        let whole = || self.distance_m.partition_point(|&d| d < target);
        let k = (target.sqrt() * self.per_root_m) as usize;
        let Some(&high) = self.first_at_least.get(k + 2) else {
            return whole();
        };
        let low = self.first_at_least[k.saturating_sub(1)] as usize;
        let high = high as usize;
        let below_low = low == 0 || self.distance_m[low - 1] < target;
        let from_high = high >= self.distance_m.len() || self.distance_m[high] >= target;
        if !(below_low && from_high) {
            return whole();
        }
        low + self.distance_m[low..high].partition_point(|&d| d < target)
    }

    fn distance_to(&self, speed_mps: f64) -> f64 {
        let position = speed_mps / self.step_mps;
        let i = (position.floor() as usize).min(self.distance_m.len() - 1);
        let j = (i + 1).min(self.distance_m.len() - 1);
        let fraction = (position - i as f64).clamp(0.0, 1.0);
        self.distance_m[i] + (self.distance_m[j] - self.distance_m[i]) * fraction
    }

    /// Speed after `length_m` at full throttle from `start_speed_mps`.
    pub(crate) fn speed_after(&self, start_speed_mps: f64, length_m: f64) -> f64 {
        if let Some(a) = self.constant_mps2 {
            return constant_acceleration_speed_mps(
                start_speed_mps,
                a,
                length_m,
                self.top_speed_mps.max(start_speed_mps),
            );
        }
        let last = self.distance_m.len() - 1;
        let table_top = last as f64 * self.step_mps;
        if start_speed_mps >= table_top {
            // At or above the top of the table the vehicle cannot gain speed.
            return start_speed_mps;
        }
        let target = self.distance_to(start_speed_mps) + length_m;
        if target >= self.distance_m[last] {
            return self.ceiling_mps.max(table_top);
        }
        self.speed_at_distance(target)
    }

    /// The speed reached at `target` m from rest (within the table).
    fn speed_at_distance(&self, target: f64) -> f64 {
        let j = self.first_not_below(target).max(1);
        let i = j - 1;
        let fraction = (target - self.distance_m[i]) / (self.distance_m[j] - self.distance_m[i]);
        (i as f64 + fraction) * self.step_mps
    }

    /// The highest speed a run-up on this table ends at, from any start below it.
    pub(crate) fn highest_speed_mps(&self) -> f64 {
        match self.constant_mps2 {
            Some(_) => self.top_speed_mps,
            None => {
                let table_top = (self.distance_m.len() - 1) as f64 * self.step_mps;
                self.ceiling_mps.max(table_top)
            }
        }
    }

    /// About the lowest start speed from which `length_m` at full throttle reaches
    /// `end_speed_mps` (0 when a start from rest does; `end_speed_mps` itself when the vehicle
    /// cannot gain speed up to it). Callers allow a margin: it inverts the table's
    /// interpolation only to within rounding.
    pub(crate) fn start_speed_to_reach(&self, end_speed_mps: f64, length_m: f64) -> f64 {
        if let Some(a) = self.constant_mps2 {
            if end_speed_mps >= self.top_speed_mps {
                return end_speed_mps;
            }
            let squared = end_speed_mps * end_speed_mps - 2.0 * a * length_m;
            return if squared <= 0.0 { 0.0 } else { squared.sqrt() };
        }
        let last = self.distance_m.len() - 1;
        let table_top = last as f64 * self.step_mps;
        if end_speed_mps >= table_top || end_speed_mps >= self.ceiling_mps {
            return end_speed_mps;
        }
        let target = self.distance_to(end_speed_mps) - length_m;
        if target <= 0.0 {
            return 0.0;
        }
        self.speed_at_distance(target)
    }
}

/// Model A in closed form: v = min(v_top, √(v₀² + 2as)).
pub fn constant_acceleration_speed_mps(
    start_speed_mps: f64,
    acceleration_mps2: f64,
    distance_m: f64,
    top_speed_mps: f64,
) -> f64 {
    (start_speed_mps * start_speed_mps + 2.0 * acceleration_mps2 * distance_m)
        .sqrt()
        .min(top_speed_mps)
}

/// Skid limit on a curve of radius `radius_m`: √(μ g R).
pub fn grip_speed_limit_mps(friction: f64, radius_m: f64) -> f64 {
    (friction * GRAVITY_MPS2 * radius_m).sqrt()
}

/// Rollover limit on a curve of radius `radius_m`: √(SRT g R).
pub fn rollover_speed_limit_mps(static_rollover_threshold_g: f64, radius_m: f64) -> f64 {
    (static_rollover_threshold_g * GRAVITY_MPS2 * radius_m).sqrt()
}

/// Widest-line radius through a bend of deflection `deflection_rad` joining corridors of widths
/// `width_a_m` and `width_b_m` (hvm.md §2.3): the largest root of
/// (R − w_a)² + (R − w_b)² + 2(R − w_a)(R − w_b)·cos φ = R² sin² φ with φ = π − δ, which is
/// R = (w_a + w_b + √(2 w_a w_b (1 − cos φ))) / (1 + cos φ). For equal widths this reduces to
/// R = w / (1 − cos(δ/2)). Infinite for a straight continuation.
pub fn widest_line_radius_m(deflection_rad: f64, width_a_m: f64, width_b_m: f64) -> f64 {
    let cos_phi = (std::f64::consts::PI - deflection_rad).cos();
    let denominator = 1.0 + cos_phi;
    if denominator < 1e-12 {
        return f64::INFINITY;
    }
    let root = (2.0 * width_a_m * width_b_m * (1.0 - cos_phi))
        .max(0.0)
        .sqrt();
    (width_a_m + width_b_m + root) / denominator
}

/// Braking deceleration of `vehicle` on a surface of friction `friction` (hvm.md §2.4).
pub fn braking_deceleration_mps2(vehicle: &VehicleClass, friction: f64) -> f64 {
    vehicle.braking_mps2 * friction / BRAKING_REFERENCE_FRICTION
}

/// Distance to stop from `speed_mps` at constant deceleration: v² / 2b.
pub fn braking_distance_m(speed_mps: f64, deceleration_mps2: f64) -> f64 {
    speed_mps * speed_mps / (2.0 * deceleration_mps2)
}

/// What caps the speed through a bend.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum BendLimit {
    /// Tyre grip, √(μ g R), is the lower limit and the vehicle reaches it.
    Grip,
    /// Rollover, √(SRT g R), is the lower limit and the vehicle reaches it.
    Rollover,
    /// The vehicle cannot reach the bend's limit: engine power (the run-up) governs.
    Power,
    /// The speed limiter (top speed) governs.
    SpeedLimiter,
}

/// The corner speed limit for a radius: min(√(μgR), √(SRT·g·R)) with which of the two governs.
pub fn corner_speed_limit(
    vehicle: &VehicleClass,
    friction: f64,
    radius_m: f64,
) -> (f64, BendLimit) {
    let grip = grip_speed_limit_mps(friction, radius_m);
    let rollover = rollover_speed_limit_mps(vehicle.static_rollover_threshold_g, radius_m);
    if rollover < grip {
        (rollover, BendLimit::Rollover)
    } else {
        (grip, BendLimit::Grip)
    }
}

/// A stretch of a path with a uniform speed cap; zero-length stretches impose their cap at a point.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct PathStretch {
    /// Length in m (0 for a point constraint such as a sharp corner).
    pub length_m: f64,
    /// Highest speed allowed along the stretch, m/s (`f64::INFINITY` for none).
    pub speed_cap_mps: f64,
    /// Tyre-road friction μ along the stretch (traction and braking).
    pub friction: f64,
}

/// One computed point of a speed profile.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct ProfileStation {
    /// Distance from the start of the path, m.
    pub distance_m: f64,
    /// Highest feasible speed there, m/s.
    pub speed_mps: f64,
    /// Time from the start at that speed profile, s.
    pub time_s: f64,
}

/// Highest-speed profile along a path: a forward pass at full throttle under the caps, then a
/// backward braking pass so the vehicle can slow down in time for each cap (hvm.md §2.4).
/// Stations lie at every stretch boundary and at most `max_step_m` apart.
pub fn forward_backward_profile(
    vehicle: &VehicleClass,
    model: AccelerationModel,
    stretches: &[PathStretch],
    start_speed_mps: f64,
    max_step_m: f64,
) -> Vec<ProfileStation> {
    // Station list: distance, cap at the station, friction of the step that ends there.
    let mut distance = vec![0.0];
    let mut cap = vec![f64::INFINITY];
    let mut step_friction = vec![DEFAULT_FRICTION];
    let mut step_length = vec![0.0];
    for stretch in stretches {
        let last = cap.len() - 1;
        cap[last] = cap[last].min(stretch.speed_cap_mps);
        if stretch.length_m <= 0.0 {
            continue;
        }
        let steps = step_count(stretch.length_m, max_step_m);
        let step_m = stretch.length_m / steps as f64;
        let start = distance[last];
        for i in 1..=steps {
            distance.push(start + step_m * i as f64);
            cap.push(stretch.speed_cap_mps);
            step_friction.push(stretch.friction);
            step_length.push(step_m);
        }
    }
    let n = distance.len();
    let mut speed = vec![0.0; n];
    speed[0] = start_speed_mps
        .min(cap[0])
        .min(vehicle.top_speed_mps.max(start_speed_mps));
    for i in 1..n {
        let free = accelerate_step_mps(
            vehicle,
            model,
            speed[i - 1],
            step_length[i],
            step_friction[i],
        );
        speed[i] = free.min(cap[i]);
    }
    brake_and_time(vehicle, &distance, &step_friction, &step_length, speed)
}

/// The braking pass and the clock of [`forward_backward_profile`], from the forward pass's
/// `speed` at stations `distance` (each with the friction and length of the step ending there).
fn brake_and_time(
    vehicle: &VehicleClass,
    distance: &[f64],
    step_friction: &[f64],
    step_length: &[f64],
    mut speed: Vec<f64>,
) -> Vec<ProfileStation> {
    let n = distance.len();
    for i in (0..n - 1).rev() {
        // Braking binds only where the next station is slower: in binary floating point
        // √(v·v) is exactly v and both roundings are monotone, so √(v² + 2bs) ≥ v there and the
        // minimum below would keep `speed[i]` anyway. Skipping the square root on the (long)
        // stretches where the vehicle accelerates changes no bit.
        if speed[i + 1] >= speed[i] {
            continue;
        }
        let b = braking_deceleration_mps2(vehicle, step_friction[i + 1]);
        let reachable = (speed[i + 1] * speed[i + 1] + 2.0 * b * step_length[i + 1]).sqrt();
        speed[i] = speed[i].min(reachable);
    }
    let mut time_s = 0.0;
    let mut stations = Vec::with_capacity(n);
    for i in 0..n {
        if i > 0 {
            time_s += 2.0 * step_length[i] / (speed[i - 1] + speed[i]).max(1e-9);
        }
        stations.push(ProfileStation {
            distance_m: distance[i],
            speed_mps: speed[i],
            time_s,
        });
    }
    stations
}

/// A straight stretch of a path without a speed cap of its own (caps come at the points
/// between legs): what `leg_forward_speeds` and [`legs_profile`] take.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Leg {
    pub length_m: f64,
    pub friction: f64,
}

/// The forward pass of [`forward_backward_profile`] over one leg entered at `entry_speed_mps`
/// (the speed at the leg's first station, caps there applied): the speed at each of its
/// stations after the first, pushed onto `out` (none for a leg of no length). The last one is
/// not capped by what follows the leg. Reports drive legs with [`drive_leg_alone`] and
/// [`drive_legs_side_by_side`]; this, one pass at a time, is their reference.
#[cfg(test)]
pub(crate) fn leg_forward_speeds(
    vehicle: &VehicleClass,
    model: AccelerationModel,
    entry_speed_mps: f64,
    leg: Leg,
    max_step_m: f64,
    out: &mut Vec<f64>,
) {
    if leg.length_m <= 0.0 {
        return;
    }
    let steps = step_count(leg.length_m, max_step_m);
    let step_m = leg.length_m / steps as f64;
    let mut speed = entry_speed_mps;
    out.reserve(steps);
    for done in 0..steps {
        let next = accelerate_step_mps(vehicle, model, speed, step_m, leg.friction);
        if next.to_bits() == speed.to_bits() {
            // Each step is the same function of the speed alone (same length and surface), so
            // at a fixed point (the top or the terminal speed) every later step repeats it.
            out.resize(out.len() + steps - done, speed);
            return;
        }
        out.push(next);
        speed = next;
    }
}

/// One leg to drive forward: the speed it is entered at, Model A's (driven alongside when the
/// search's model is Model B), and the leg.
#[derive(Clone, Copy, Debug)]
pub(crate) struct LegDrive {
    pub entry_mps: f64,
    pub model_a_entry_mps: f64,
    pub leg: Leg,
}

/// A leg driven by [`drive_legs_side_by_side`]: where its forward speeds lie in the output,
/// and Model A's speed at its end.
pub(crate) type DrivenLeg = (std::ops::Range<usize>, f64);

/// How many legs [`drive_legs_side_by_side`] drives at once.
const LEGS_SIDE_BY_SIDE: usize = 4;

/// A leg being driven: `leg_forward_speeds`'s pass with the search's model and, alongside it
/// for Model B, Model A's `leg_end_speed_mps`, each stopping at the leg's end or at a fixed
/// point (every later step repeats it), as those do.
#[derive(Clone, Copy)]
struct LegLane {
    forward_mps: f64,
    model_a_mps: f64,
    step_m: f64,
    friction: f64,
    forward_done: bool,
    model_a_done: bool,
}

impl LegLane {
    /// `drive` ready to drive in `steps` steps (none for a leg of no length).
    fn new(drive: &LegDrive, steps: usize, with_model_a: bool) -> LegLane {
        LegLane {
            forward_mps: drive.entry_mps,
            model_a_mps: drive.model_a_entry_mps,
            step_m: if steps > 0 {
                drive.leg.length_m / steps as f64
            } else {
                0.0
            },
            friction: drive.leg.friction,
            forward_done: steps == 0,
            model_a_done: steps == 0 || !with_model_a,
        }
    }

    /// Step `k` of the leg: the forward speed at its station `k + 1` into `speeds[k]`, where
    /// `speeds` holds the leg's stations after its first (at a fixed point, all the rest).
    #[inline(always)]
    fn step(
        &mut self,
        vehicle: &VehicleClass,
        model: AccelerationModel,
        k: usize,
        speeds: &mut [f64],
    ) {
        if !self.forward_done {
            let next =
                accelerate_step_mps(vehicle, model, self.forward_mps, self.step_m, self.friction);
            if next.to_bits() == self.forward_mps.to_bits() {
                speeds[k..].fill(self.forward_mps);
                self.forward_done = true;
            } else {
                speeds[k] = next;
                self.forward_mps = next;
            }
        }
        if !self.model_a_done {
            let next = accelerate_step_mps(
                vehicle,
                AccelerationModel::ConstantPerClass,
                self.model_a_mps,
                self.step_m,
                self.friction,
            );
            if next.to_bits() == self.model_a_mps.to_bits() {
                self.model_a_done = true;
            } else {
                self.model_a_mps = next;
            }
        }
    }

    fn done(&self) -> bool {
        self.forward_done && self.model_a_done
    }
}

/// How many steps a leg is driven in (none for a leg of no length).
fn leg_steps(leg: Leg, max_step_m: f64) -> usize {
    if leg.length_m <= 0.0 {
        0
    } else {
        step_count(leg.length_m, max_step_m)
    }
}

/// `drive` as `leg_forward_speeds` drives it with `model`, its forward speeds appended to
/// `out`, and for Model B Model A's `leg_end_speed_mps` alongside, which it returns (the
/// entry's for Model A, which needs no second pass): bit for bit what those give apart. One
/// loop, because the two integrations do not depend on each other: Model A's square roots then
/// run while Model B's divisions wait (a Model B step is a chain of two divisions and two
/// square roots; reports drive millions of them).
pub(crate) fn drive_leg_alone(
    vehicle: &VehicleClass,
    model: AccelerationModel,
    drive: LegDrive,
    max_step_m: f64,
    out: &mut Vec<f64>,
) -> f64 {
    let steps = leg_steps(drive.leg, max_step_m);
    let mut lane = LegLane::new(&drive, steps, model == AccelerationModel::PowerAndTraction);
    let start = out.len();
    out.resize(start + steps, 0.0);
    let speeds = &mut out[start..];
    for k in 0..steps {
        lane.step(vehicle, model, k, speeds);
        if lane.done() {
            break;
        }
    }
    lane.model_a_mps
}

/// Every one of `drives` as [`drive_leg_alone`] drives it, bit for bit, but four legs side by
/// side: a step of one leg waits on its own divisions and square roots, and the other legs'
/// steps fill that time. Each leg's forward speeds are appended to `out`, leg after leg;
/// returns per drive where its speeds lie in `out` and Model A's speed at its end.
pub(crate) fn drive_legs_side_by_side(
    vehicle: &VehicleClass,
    model: AccelerationModel,
    drives: &[LegDrive],
    max_step_m: f64,
    out: &mut Vec<f64>,
) -> Vec<DrivenLeg> {
    let with_model_a = model == AccelerationModel::PowerAndTraction;
    let mut driven = Vec::with_capacity(drives.len());
    let mut end = out.len();
    for drive in drives {
        let steps = leg_steps(drive.leg, max_step_m);
        driven.push((end..end + steps, drive.model_a_entry_mps));
        end += steps;
    }
    out.resize(end, 0.0);
    for (group, places) in drives
        .chunks(LEGS_SIDE_BY_SIDE)
        .zip(driven.chunks_mut(LEGS_SIDE_BY_SIDE))
    {
        let idle = LegLane::new(&group[0], 0, false);
        let mut lanes = [idle; LEGS_SIDE_BY_SIDE];
        for (lane, (drive, (place, _))) in lanes.iter_mut().zip(group.iter().zip(places.iter())) {
            *lane = LegLane::new(drive, place.len(), with_model_a);
        }
        let longest = places
            .iter()
            .map(|(place, _)| place.len())
            .max()
            .unwrap_or(0);
        for k in 0..longest {
            for (lane, (place, _)) in lanes.iter_mut().zip(places.iter()) {
                if k < place.len() {
                    lane.step(vehicle, model, k, &mut out[place.clone()]);
                }
            }
        }
        for (lane, (_, model_a_end)) in lanes.iter().zip(places.iter_mut()) {
            *model_a_end = lane.model_a_mps;
        }
    }
    driven
}

/// The speed at the end of one leg entered at `entry_speed_mps`: the last of
/// `leg_forward_speeds` (or the entry speed for a leg of no length), without storing them.
/// Reports take Model A's from [`drive_leg_alone`]; this is its reference.
#[cfg(test)]
pub(crate) fn leg_end_speed_mps(
    vehicle: &VehicleClass,
    model: AccelerationModel,
    entry_speed_mps: f64,
    leg: Leg,
    max_step_m: f64,
) -> f64 {
    if leg.length_m <= 0.0 {
        return entry_speed_mps;
    }
    let steps = step_count(leg.length_m, max_step_m);
    let step_m = leg.length_m / steps as f64;
    let mut speed = entry_speed_mps;
    for _ in 0..steps {
        let next = accelerate_step_mps(vehicle, model, speed, step_m, leg.friction);
        if next.to_bits() == speed.to_bits() {
            break; // a fixed point, as in `leg_forward_speeds`
        }
        speed = next;
    }
    speed
}

/// [`forward_backward_profile`] of a path of `legs` (stretches without caps of their own, the
/// point caps between them already applied) from its forward pass `forward`: the speed at the
/// start (capped as there) followed by every leg's `leg_forward_speeds`, each leg's last
/// capped by the point cap after it. The same stations, bit for bit (a test checks it), without
/// integrating again what the caller already knows, and walking the legs instead of laying out
/// per-station arrays of step lengths and surfaces.
pub(crate) fn legs_profile(
    vehicle: &VehicleClass,
    legs: &[Leg],
    forward: Vec<f64>,
    max_step_m: f64,
) -> Vec<ProfileStation> {
    let layout = lay_out_legs(vehicle, legs, max_step_m);
    let mut speed = forward;
    brake_stations(&layout, 0, &mut speed);
    stations_from(&layout, 0, &speed, 0.0)
}

/// Where one leg's stations lie on a path of legs: after the station it starts at (the last of
/// the leg before, or the path's first), one per step, numbered as [`legs_profile`] lays them
/// out.
#[derive(Debug, Clone, Copy)]
pub(crate) struct LegStations {
    /// Index of the station the leg starts at.
    pub start_station: usize,
    /// Its steps, one station each (none for a leg of no length).
    pub steps: usize,
    /// Length of each step, m.
    pub step_m: f64,
    /// Distance of the start station from the path's start, m: the sum [`legs_profile`] makes
    /// (the start of the leg before plus its step times its steps).
    pub start_m: f64,
    /// Braking deceleration on the leg's surface, m/s².
    pub braking_mps2: f64,
}

impl LegStations {
    /// Index of its last station (its start station for a leg of no length).
    pub(crate) fn end_station(&self) -> usize {
        self.start_station + self.steps
    }

    /// Distance of `station` (its start station or one of its own) from the path's start, m:
    /// the leg's start plus whole steps, as [`legs_profile`] computes it.
    pub(crate) fn distance_m(&self, station: usize) -> f64 {
        self.start_m + self.step_m * (station - self.start_station) as f64
    }
}

/// The stations of a path of `legs` leg by leg, for integration steps of at most `max_step_m`.
pub(crate) fn lay_out_legs(
    vehicle: &VehicleClass,
    legs: &[Leg],
    max_step_m: f64,
) -> Vec<LegStations> {
    let mut layout = Vec::with_capacity(legs.len());
    lay_out_more_legs(vehicle, &mut layout, legs.iter().copied(), max_step_m);
    layout
}

/// Continues `layout` with the stations of `legs`: what [`lay_out_legs`] gives for the legs
/// of `layout` followed by `legs`, bit for bit, without laying out the first ones again.
pub(crate) fn lay_out_more_legs(
    vehicle: &VehicleClass,
    layout: &mut Vec<LegStations>,
    legs: impl IntoIterator<Item = Leg>,
    max_step_m: f64,
) {
    // A leg of no length starts the next leg where it starts itself.
    let (mut start_station, mut start_m) = layout.last().map_or((0, 0.0), |leg| {
        let start_m = if leg.steps > 0 {
            leg.distance_m(leg.end_station())
        } else {
            leg.start_m
        };
        (leg.end_station(), start_m)
    });
    for leg in legs {
        let (steps, step_m) = if leg.length_m <= 0.0 {
            (0, 0.0)
        } else {
            let steps = step_count(leg.length_m, max_step_m);
            (steps, leg.length_m / steps as f64)
        };
        let stations = LegStations {
            start_station,
            steps,
            step_m,
            start_m,
            braking_mps2: braking_deceleration_mps2(vehicle, leg.friction),
        };
        if steps > 0 {
            start_m = stations.distance_m(stations.end_station());
            start_station += steps;
        }
        layout.push(stations);
    }
}

/// Index of the last station of a path laid out as `layout`.
pub(crate) fn last_station(layout: &[LegStations]) -> usize {
    layout.last().map_or(0, LegStations::end_station)
}

/// The legs of `layout` with stations of their own after station `first`, in order, each with
/// those stations (after `first`).
fn legs_after(
    layout: &[LegStations],
    first: usize,
) -> impl DoubleEndedIterator<Item = (&LegStations, std::ops::RangeInclusive<usize>)> {
    let from = layout.partition_point(|leg| leg.end_station() <= first);
    layout[from..]
        .iter()
        .filter(|leg| leg.steps > 0)
        .map(move |leg| (leg, leg.start_station.max(first) + 1..=leg.end_station()))
}

/// The braking pass of [`forward_backward_profile`] over the stations from `first` to the end
/// of a path laid out as `layout`, `speed[i]` being station `first + i`'s: each station is
/// lowered to the speed the vehicle can brake from in time for the next. With `first` above 0
/// the stations before it are final and `speed[0]` stays as it is (the caller knows that no
/// braking reaches it; a debug check says so).
///
/// Made in two stages, first over the start of a path and then from its end back over the
/// first stage's result, it gives what one pass over the whole path gives, bit for bit: each
/// station becomes the minimum of its own speed and a monotone function of the next station's
/// (√(v² + 2bs) in IEEE arithmetic), so the second stage, starting from an end no faster than
/// the first stage assumed, lowers each station to exactly what one pass would.
pub(crate) fn brake_stations(layout: &[LegStations], first: usize, speed: &mut [f64]) {
    assert_eq!(
        first + speed.len(),
        last_station(layout) + 1,
        "one speed per station"
    );
    let first_speed = speed[0];
    for (leg, stations) in legs_after(layout, first).rev() {
        let two_b_step = 2.0 * leg.braking_mps2 * leg.step_m;
        for j in stations.rev() {
            let (i, before) = (j - first, j - first - 1);
            // Braking binds only where the next station is slower: in binary floating point
            // √(v·v) is exactly v and both roundings are monotone, so √(v² + 2bs) ≥ v there
            // and the minimum below would keep the station anyway. Skipping the square root on
            // the (long) stretches where the vehicle accelerates changes no bit.
            if speed[i] >= speed[before] {
                continue;
            }
            let reachable = (speed[i] * speed[i] + two_b_step).sqrt();
            speed[before] = speed[before].min(reachable);
        }
    }
    debug_assert!(
        first == 0 || speed[0].to_bits() == first_speed.to_bits(),
        "braking reached station {first}, taken to be final"
    );
}

/// The last station from `first` on that no continuation of the path can lower, `speed` being
/// the stations from `first` to the path's end after [`brake_stations`], or one before it. A
/// continuation can only lower the path's end (to a bend's cap, as low as 0 where the vehicle
/// must stop) and brake back from there; the braking pass from 0 meets `speed` at this station.
/// Once a station is unchanged so is every one before it (each follows from the next), and
/// every end speed between 0 and the end's own leaves it unchanged (the pass is monotone in the
/// end speed). `first` must be final already.
///
/// The braking pass from 0 is taken in closed form, √(k·2bs) after k steps on a leg (and on
/// from the speed at the leg's end on the one before), rather than step by step as
/// [`brake_stations`] rounds it: the steps then do not wait for each other's square roots (this
/// runs for every profile a shared search keeps). The two differ by a few units in the last
/// place at most, so a station counts as met only with [`FINAL_MARGIN`] to spare: the answer is
/// never later than the step-by-step pass's (a debug check says so) and at most a station
/// earlier where the two are that close. An earlier answer only keeps one more station open,
/// which a continuation's braking pass then leaves as it is: no reported number changes.
pub(crate) fn last_final_station(layout: &[LegStations], first: usize, speed: &[f64]) -> usize {
    let found = last_final_station_closed_form(layout, first, speed);
    debug_assert!(
        found <= last_final_station_step_by_step(layout, first, speed),
        "the closed form claims a station the step-by-step pass lowers"
    );
    found
}

/// Relative slack by which the closed-form braking speed must exceed a station's speed for
/// [`last_final_station`] to take the station as met: far above the rounding of a few hundred
/// steps (about 1e-13), far below anything measurable (1e-9 of 30 m/s is 30 nm/s).
const FINAL_MARGIN: f64 = 1e-9;

fn last_final_station_closed_form(layout: &[LegStations], first: usize, speed: &[f64]) -> usize {
    let last = first + speed.len() - 1;
    if speed[last - first] <= 0.0 {
        return last;
    }
    // The square of the braking pass's speed at the end of the leg being walked.
    let mut end_squared = 0.0_f64;
    for (leg, stations) in legs_after(layout, first).rev() {
        let two_b_step = 2.0 * leg.braking_mps2 * leg.step_m;
        let end = *stations.end();
        for j in stations.clone().rev() {
            let reachable = (end_squared + (end + 1 - j) as f64 * two_b_step).sqrt();
            if reachable >= speed[j - first - 1] * (1.0 + FINAL_MARGIN) {
                return j - 1;
            }
        }
        end_squared += (end + 1 - stations.start()) as f64 * two_b_step;
    }
    first
}

/// [`last_final_station`] as [`brake_stations`] rounds the braking pass, step by step: the
/// reference the closed form is checked against.
fn last_final_station_step_by_step(layout: &[LegStations], first: usize, speed: &[f64]) -> usize {
    let last = first + speed.len() - 1;
    let mut lowest = 0.0_f64;
    if speed[last - first] <= lowest {
        return last;
    }
    for (leg, stations) in legs_after(layout, first).rev() {
        let two_b_step = 2.0 * leg.braking_mps2 * leg.step_m;
        for j in stations.rev() {
            // The expression of `brake_stations`: the pass a continuation stopping at the end
            // makes.
            let reachable = (lowest * lowest + two_b_step).sqrt();
            if reachable >= speed[j - first - 1] {
                return j - 1;
            }
            lowest = reachable;
        }
    }
    debug_assert!(
        false,
        "braking from a stop reached station {first}, taken to be final"
    );
    first
}

/// The stations from `first` to the end of a path laid out as `layout` with speeds `speed`
/// (`speed[i]` being station `first + i`'s), the clock reading `time_s` at `first`:
/// [`legs_profile`]'s stations, the clock adding step by step in the same order.
pub(crate) fn stations_from(
    layout: &[LegStations],
    first: usize,
    speed: &[f64],
    time_s: f64,
) -> Vec<ProfileStation> {
    let mut stations = Vec::with_capacity(speed.len());
    stations.push(ProfileStation {
        distance_m: station_distance_m(layout, first),
        speed_mps: speed[0],
        time_s,
    });
    let mut time_s = time_s;
    for (leg, range) in legs_after(layout, first) {
        for j in range {
            let i = j - first;
            time_s += 2.0 * leg.step_m / (speed[i - 1] + speed[i]).max(1e-9);
            stations.push(ProfileStation {
                distance_m: leg.distance_m(j),
                speed_mps: speed[i],
                time_s,
            });
        }
    }
    stations
}

/// The clock at station `through` (not before `first`), reading `time_s` at `first`: what
/// [`stations_from`] gives there, without laying out the stations.
pub(crate) fn clock_at(
    layout: &[LegStations],
    first: usize,
    speed: &[f64],
    time_s: f64,
    through: usize,
) -> f64 {
    let mut time_s = time_s;
    for (leg, range) in legs_after(layout, first) {
        if *range.start() > through {
            break;
        }
        for j in *range.start()..=(*range.end()).min(through) {
            let i = j - first;
            time_s += 2.0 * leg.step_m / (speed[i - 1] + speed[i]).max(1e-9);
        }
    }
    time_s
}

/// Distance of station `station` of a path laid out as `layout` from its start, m, as
/// [`legs_profile`] computes it: from the leg whose step ends there (0 at the start).
pub(crate) fn station_distance_m(layout: &[LegStations], station: usize) -> f64 {
    if station == 0 {
        return 0.0;
    }
    // The first leg ending there or after has a step ending there (a leg of no length ends
    // where a leg before it does).
    let leg = layout.partition_point(|leg| leg.end_station() < station);
    layout[leg].distance_m(station)
}

/// The first station of a path laid out as `layout` at least `target_m` from its start: the
/// number of stations nearer than that, as `partition_point` over the stations' distances
/// counts them (so one past the last station when all are nearer). Searched from the start of
/// leg `near`, where the answer is expected.
pub(crate) fn first_station_at_least(layout: &[LegStations], target_m: f64, near: usize) -> usize {
    let Some(last_leg) = layout.len().checked_sub(1) else {
        return usize::from(0.0 < target_m); // only the start station, at 0 m
    };
    let mut l = near.min(last_leg);
    // Back to a leg starting nearer than the target: the answer is after its start station.
    while layout[l].start_m >= target_m {
        if l == 0 {
            return 0; // the start station, at 0 m, is as far already
        }
        l -= 1;
    }
    // On to the first leg whose last station is at least the target.
    while layout[l].steps == 0 || layout[l].distance_m(layout[l].end_station()) < target_m {
        l += 1;
        if l > last_leg {
            return last_station(layout) + 1;
        }
    }
    // Its first step ending at least the target away (distances grow with the step).
    let leg = &layout[l];
    let at_least = |k: usize| leg.distance_m(leg.start_station + k) >= target_m;
    let guess = ((target_m - leg.start_m) / leg.step_m).ceil();
    let mut k = if guess >= 1.0 {
        (guess as usize).min(leg.steps)
    } else {
        1
    };
    while k > 1 && at_least(k - 1) {
        k -= 1;
    }
    while !at_least(k) {
        k += 1;
    }
    leg.start_station + k
}

/// The speed at the end of [`forward_backward_profile`]'s path, computed by its forward pass
/// alone without storing stations: the braking pass never lowers the last station, so this is
/// the same number, bit for bit (a test checks it). The reference for what reported approaches
/// compute leg by leg (`leg_end_speed_mps`).
#[cfg(test)]
pub(crate) fn forward_profile_end_speed_mps(
    vehicle: &VehicleClass,
    model: AccelerationModel,
    stretches: &[PathStretch],
    start_speed_mps: f64,
    max_step_m: f64,
) -> f64 {
    // Caps are minima, so applying a point cap when it comes gives the same speed as applying
    // it with the station's other caps.
    let mut speed = start_speed_mps.min(vehicle.top_speed_mps.max(start_speed_mps));
    for stretch in stretches {
        speed = speed.min(stretch.speed_cap_mps);
        if stretch.length_m <= 0.0 {
            continue;
        }
        let steps = step_count(stretch.length_m, max_step_m);
        let step_m = stretch.length_m / steps as f64;
        for _ in 0..steps {
            speed = accelerate_step_mps(vehicle, model, speed, step_m, stretch.friction)
                .min(stretch.speed_cap_mps);
        }
    }
    speed
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::vehicle::standard_vehicle_class;

    #[test]
    fn the_forward_pass_alone_ends_at_the_profiles_last_speed_bit_for_bit() {
        // Straights, point caps (bends), a capped stretch and a rolling start, both models.
        let stretch = |length_m, speed_cap_mps, friction| PathStretch {
            length_m,
            speed_cap_mps,
            friction,
        };
        let paths = [
            vec![stretch(150.0, f64::INFINITY, 0.7)],
            vec![
                stretch(0.0, 3.0, 0.7),
                stretch(150.0, f64::INFINITY, 0.7),
                stretch(0.0, 12.9, 0.7),
                stretch(37.5, 14.0, 0.55),
                stretch(0.0, 8.0, 0.55),
                stretch(100.3, f64::INFINITY, 0.7),
            ],
            vec![stretch(0.4, f64::INFINITY, 0.7), stretch(0.0, 0.0, 0.7)],
        ];
        for vehicle in crate::vehicle::standard_vehicle_classes() {
            for model in [
                AccelerationModel::PowerAndTraction,
                AccelerationModel::ConstantPerClass,
            ] {
                for path in &paths {
                    for start in [0.0, 4.2] {
                        let profile = forward_backward_profile(&vehicle, model, path, start, 1.0);
                        let end = forward_profile_end_speed_mps(&vehicle, model, path, start, 1.0);
                        assert_eq!(
                            end.to_bits(),
                            profile.last().unwrap().speed_mps.to_bits(),
                            "{} {model:?}",
                            vehicle.code
                        );
                    }
                }
            }
        }
    }

    #[test]
    fn model_a_alongside_model_b_is_each_apart_bit_for_bit() {
        // Legs from none to long, with the fixed points of both models reached at different
        // steps (the top speed from a start near it; a start from rest on a long leg).
        let lengths = [0.0, 0.3, 1.0, 7.5, 48.2, 400.0, 2500.0];
        let entries = [0.0, 3.1, 12.0, 30.0, 60.0];
        for vehicle in crate::vehicle::standard_vehicle_classes() {
            for length_m in lengths {
                for friction in [0.3, 0.7] {
                    for (model_b_entry, model_a_entry) in entries
                        .iter()
                        .flat_map(|&b| entries.iter().map(move |&a| (b, a)))
                    {
                        let leg = Leg { length_m, friction };
                        let mut apart = vec![model_b_entry];
                        leg_forward_speeds(
                            &vehicle,
                            AccelerationModel::PowerAndTraction,
                            model_b_entry,
                            leg,
                            1.0,
                            &mut apart,
                        );
                        let model_a_apart = leg_end_speed_mps(
                            &vehicle,
                            AccelerationModel::ConstantPerClass,
                            model_a_entry,
                            leg,
                            1.0,
                        );
                        let mut together = vec![model_b_entry];
                        let model_a_together = drive_leg_alone(
                            &vehicle,
                            AccelerationModel::PowerAndTraction,
                            LegDrive {
                                entry_mps: model_b_entry,
                                model_a_entry_mps: model_a_entry,
                                leg,
                            },
                            1.0,
                            &mut together,
                        );
                        let bits = |v: &[f64]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
                        let case = format!("{} {length_m} m from {model_b_entry}", vehicle.code);
                        assert_eq!(bits(&together), bits(&apart), "{case}");
                        assert_eq!(
                            model_a_together.to_bits(),
                            model_a_apart.to_bits(),
                            "{case}"
                        );
                    }
                }
            }
        }
    }

    #[test]
    fn legs_driven_side_by_side_are_each_driven_alone_bit_for_bit() {
        // Groups that fill the lanes and leave some empty; legs of no length, short and long,
        // reaching their fixed points at different steps; both models.
        let lengths = [0.0, 0.3, 7.5, 48.2, 400.0, 2500.0, 12.0];
        let entries = [0.0, 3.1, 30.0, 60.0];
        for vehicle in crate::vehicle::standard_vehicle_classes() {
            for model in [
                AccelerationModel::PowerAndTraction,
                AccelerationModel::ConstantPerClass,
            ] {
                let drives: Vec<LegDrive> = (0..11)
                    .map(|i| LegDrive {
                        entry_mps: entries[i % entries.len()],
                        model_a_entry_mps: entries[(i + 1) % entries.len()],
                        leg: Leg {
                            length_m: lengths[i % lengths.len()],
                            friction: if i % 3 == 0 { 0.3 } else { 0.7 },
                        },
                    })
                    .collect();
                for count in [0, 1, 4, 5, 11] {
                    let drives = &drives[..count];
                    let mut out = vec![-1.0];
                    let driven = drive_legs_side_by_side(&vehicle, model, drives, 1.0, &mut out);
                    assert_eq!(driven.len(), count);
                    for (drive, (speeds, model_a_end)) in drives.iter().zip(&driven) {
                        // Against the passes one at a time (not the lanes' own code).
                        let mut alone = Vec::new();
                        leg_forward_speeds(
                            &vehicle,
                            model,
                            drive.entry_mps,
                            drive.leg,
                            1.0,
                            &mut alone,
                        );
                        let model_a_alone = match model {
                            AccelerationModel::PowerAndTraction => leg_end_speed_mps(
                                &vehicle,
                                AccelerationModel::ConstantPerClass,
                                drive.model_a_entry_mps,
                                drive.leg,
                                1.0,
                            ),
                            AccelerationModel::ConstantPerClass => drive.model_a_entry_mps,
                        };
                        let bits = |v: &[f64]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
                        let case = format!("{} {model:?} {drive:?}", vehicle.code);
                        assert_eq!(bits(&out[speeds.clone()]), bits(&alone), "{case}");
                        assert_eq!(model_a_end.to_bits(), model_a_alone.to_bits(), "{case}");
                    }
                    assert_eq!(out[0], -1.0, "what was in `out` stays");
                    assert_eq!(
                        out.len(),
                        1 + driven.iter().map(|d| d.0.len()).sum::<usize>()
                    );
                }
            }
        }
    }

    #[test]
    fn profiles_from_legs_are_the_forward_backward_profile_bit_for_bit() {
        // Reported approaches integrate leg by leg (and reuse legs other approaches drove):
        // legs of every length class, bends that bind and bends that do not, a stop, a second
        // surface, long enough to reach the top speed, both models, rest and a rolling start.
        let legs = [
            (150.0, 0.7, 3.0),
            (37.5, 0.55, 12.9),
            (0.0, 0.55, 8.0),
            (0.4, 0.7, f64::INFINITY),
            (100.3, 0.7, 0.0),
            (2500.0, 0.7, 5.5),
            (12.25, 0.7, f64::INFINITY),
        ];
        for vehicle in crate::vehicle::standard_vehicle_classes() {
            for model in [
                AccelerationModel::PowerAndTraction,
                AccelerationModel::ConstantPerClass,
            ] {
                for start in [0.0_f64, 4.2, 90.0] {
                    for count in 1..=legs.len() {
                        let mut stretches = Vec::new();
                        let mut by_leg = Vec::new();
                        let first = start.min(vehicle.top_speed_mps.max(start));
                        let mut forward = vec![first];
                        let mut model_a = first;
                        for (i, &(length_m, friction, cap)) in legs[..count].iter().enumerate() {
                            if i > 0 {
                                stretches.push(PathStretch {
                                    length_m: 0.0,
                                    speed_cap_mps: cap,
                                    friction,
                                });
                                let last = forward.last_mut().unwrap();
                                *last = last.min(cap);
                                model_a = model_a.min(cap);
                            }
                            stretches.push(PathStretch {
                                length_m,
                                speed_cap_mps: f64::INFINITY,
                                friction,
                            });
                            let leg = Leg { length_m, friction };
                            by_leg.push(leg);
                            let entry = *forward.last().unwrap();
                            leg_forward_speeds(&vehicle, model, entry, leg, 1.0, &mut forward);
                            model_a = leg_end_speed_mps(
                                &vehicle,
                                AccelerationModel::ConstantPerClass,
                                model_a,
                                leg,
                                1.0,
                            );
                        }
                        let expected =
                            forward_backward_profile(&vehicle, model, &stretches, start, 1.0);
                        let got = legs_profile(&vehicle, &by_leg, forward, 1.0);
                        assert_eq!(
                            format!("{got:?}"),
                            format!("{expected:?}"),
                            "{} {model:?}",
                            vehicle.code
                        );
                        let model_a_expected = forward_profile_end_speed_mps(
                            &vehicle,
                            AccelerationModel::ConstantPerClass,
                            &stretches,
                            start,
                            1.0,
                        );
                        assert_eq!(
                            model_a.to_bits(),
                            model_a_expected.to_bits(),
                            "{}",
                            vehicle.code
                        );
                    }
                }
            }
        }
    }

    #[test]
    fn a_square_root_of_a_square_is_the_number_itself() {
        // The braking pass skips √(v² + 2bs) where the next station is no slower, relying on
        // √(v·v) = v exactly in binary floating point (with monotone rounding, then
        // √(v² + 2bs) ≥ v). A check over speeds from 0 to 200 m/s in uneven steps.
        let mut v = 0.0_f64;
        while v < 200.0 {
            assert_eq!((v * v).sqrt().to_bits(), v.to_bits(), "{v}");
            v += 0.000_713_9 + v * 1e-6;
        }
    }

    #[test]
    fn kinetic_energy_of_a_car_at_48_kmh_is_133_kj() {
        // By hand: ½ · 1500 kg · (48/3.6 m/s)² = 750 · 177.78 = 133 333 J (hvm.md §1.5).
        let energy = kinetic_energy_j(1500.0, kmh_to_mps(48.0));
        assert!((energy - 133_333.3).abs() < 0.1, "{energy}");
    }

    #[test]
    fn braking_distance_from_80_kmh_at_6_5_is_38_m() {
        // By hand: (22.22 m/s)² / (2 · 6.5) = 493.8 / 13 = 37.99 m (hvm.md §6.4 case 10).
        assert!((braking_distance_m(kmh_to_mps(80.0), 6.5) - 37.99).abs() < 0.01);
    }

    #[test]
    fn widest_line_formula_reduces_to_the_equal_width_form() {
        // hvm.md §2.3: R = w / (1 − cos(δ/2)) when both widths are w.
        for (deflection_deg, width) in [(90.0_f64, 7.0), (45.0, 7.0), (30.0, 10.0), (120.0, 4.0)] {
            let delta = deflection_deg.to_radians();
            let expected = width / (1.0 - (delta / 2.0).cos());
            let got = widest_line_radius_m(delta, width, width);
            assert!(
                (got - expected).abs() < 1e-9 * expected,
                "{deflection_deg} {width}"
            );
        }
        assert!(widest_line_radius_m(0.0, 7.0, 7.0).is_infinite());
    }

    #[test]
    fn power_model_is_traction_limited_from_rest() {
        // At 0.5 m/s a 1.5 t, 100 kW car could deliver 0.85·100 kW/0.5 m/s = 170 kN; the
        // driven wheels give only 0.7·9.81·1500·0.6 = 6180 N. By hand: a = (6180.3 − 176.6 −
        // ~0)/1500 = 4.002 m/s² at v = 0.
        let car = standard_vehicle_class("M1").unwrap();
        let a = power_model_acceleration_mps2(&car, 0.0, 0.7);
        assert!((a - (0.7 * 9.81 * 0.6 - 0.012 * 9.81)).abs() < 1e-9, "{a}");
    }

    #[test]
    fn start_speed_to_reach_inverts_the_run_up() {
        // Model A by hand: v² = v0² + 2as, so reaching 20 m/s after 50 m at a m/s² takes a start
        // of √(400 − 100a); a start from rest reaches 5 m/s within 50 m (a > 0.25 m/s² for
        // every class), so no start speed is needed there.
        let car = standard_vehicle_class("M1").unwrap();
        let constant = RunUpTable::new(&car, AccelerationModel::ConstantPerClass, 0.7);
        let a = car.constant_acceleration_mps2;
        let by_hand = (400.0 - 100.0 * a).sqrt();
        assert!((constant.start_speed_to_reach(20.0, 50.0) - by_hand).abs() < 1e-9);
        assert_eq!(constant.start_speed_to_reach(5.0, 50.0), 0.0);
        // Model B: what a start reaches, the inverse gives back to within the table's step
        // (0.01 m/s), and where a start from rest already reaches the speed it asks for none.
        for code in ["M1", "N2A", "ART40"] {
            let vehicle = standard_vehicle_class(code).unwrap();
            let table = RunUpTable::new(&vehicle, AccelerationModel::PowerAndTraction, 0.7);
            for (start, length) in [(3.0, 10.0), (5.0, 50.0), (12.0, 200.0), (8.0, 20.0)] {
                let end = table.speed_after(start, length);
                let back = table.start_speed_to_reach(end, length);
                assert!(
                    (back - start).abs() < 0.01,
                    "{code} {start} {length}: {back}"
                );
            }
            let from_rest = table.speed_after(0.0, 30.0);
            assert_eq!(
                table.start_speed_to_reach(from_rest * 0.9, 30.0),
                0.0,
                "{code}"
            );
            // No run-up passes the top of the table: only that speed itself reaches it.
            let highest = table.highest_speed_mps();
            assert_eq!(
                table.start_speed_to_reach(highest, 500.0),
                highest,
                "{code}"
            );
        }
    }

    #[test]
    fn run_up_table_agrees_with_step_integration() {
        // The table (ds = v dv / a, dv = 0.01 m/s) and the Heun integrator (Δs = 0.1 m) are two
        // independent integrations of the same model; they must agree to 0.05 km/h.
        for code in ["M1", "N2A", "ART40"] {
            let vehicle = standard_vehicle_class(code).unwrap();
            let table = RunUpTable::new(&vehicle, AccelerationModel::PowerAndTraction, 0.7);
            for (start, length) in [
                (0.0, 10.0),
                (0.0, 100.0),
                (5.0, 50.0),
                (12.0, 700.0),
                (0.0, 3000.0),
            ] {
                let fine = run_up_speed_mps(
                    &vehicle,
                    AccelerationModel::PowerAndTraction,
                    start,
                    length,
                    0.7,
                    0.1,
                );
                let fast = table.speed_after(start, length);
                assert!(
                    (mps_to_kmh(fine) - mps_to_kmh(fast)).abs() < 0.05,
                    "{code} {start} {length}: {fine} {fast}"
                );
            }
        }
    }

    #[test]
    fn constant_model_step_is_exact() {
        // v² = 2as: 100 m at 3 m/s² gives √600 = 24.495 m/s.
        let mut car = standard_vehicle_class("M1").unwrap();
        car.constant_acceleration_mps2 = 3.0;
        let v = run_up_speed_mps(
            &car,
            AccelerationModel::ConstantPerClass,
            0.0,
            100.0,
            0.7,
            1.0,
        );
        assert!((v - 600f64.sqrt()).abs() < 1e-9);
    }
}
