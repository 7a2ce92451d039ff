//! Vehicle classes as data: test masses from the barrier standards, dynamics from hvm.md §2.

use serde::{Deserialize, Serialize};

/// One threat vehicle: the test class it stands for and the constants its dynamics use.
///
/// Every number here is an engineering assumption unless `verified` says otherwise; `sources`
/// names where each came from (section numbers refer to `shared/research/hvm.md`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct VehicleClass {
    /// Short code used in inputs and outputs, e.g. `N2A`.
    pub code: String,
    /// Plain-language description, e.g. "2-axle rigid lorry, cab-over (7.2 t)".
    pub description: String,
    /// Mass in kg used for dynamics and kinetic energy (the standard's test mass).
    pub mass_kg: f64,
    /// The ISO 22343-1 / IWA 14-1 test vehicle class a barrier must be rated for, or `None` when
    /// no published test class is as heavy (the 40 t articulated lorry).
    pub rating_class: Option<String>,
    /// Test mass in kg of `rating_class` (what a rating string carries, e.g. 7200).
    pub rating_mass_kg: Option<f64>,
    /// True when the class code and test mass are confirmed by several real published ratings
    /// (hvm.md §1.2); false when sources conflict or none was found.
    pub verified: bool,
    /// Engine power in kW (Model B).
    pub power_kw: f64,
    /// Share of the weight on driven wheels, k_drive (Model B traction limit).
    pub driven_weight_share: f64,
    /// Drag coefficient times frontal area, C_d·A in m².
    pub drag_area_m2: f64,
    /// Top speed in m/s: the EU speed limiter for lorries over 3.5 t, design speed otherwise.
    pub top_speed_mps: f64,
    /// Static rollover threshold in g (rollover limit √(SRT·g·R)).
    pub static_rollover_threshold_g: f64,
    /// Braking deceleration in m/s² on dry asphalt (μ 0.8); scaled by μ/0.8 elsewhere.
    pub braking_mps2: f64,
    /// Overall width in m: gaps narrower than this stop the vehicle.
    pub width_m: f64,
    /// Smallest radius in m the vehicle's centre line can follow; tighter turns are infeasible.
    pub min_turning_radius_m: f64,
    /// Model A constant acceleration in m/s² (cross-check only).
    pub constant_acceleration_mps2: f64,
    /// Where the numbers come from.
    pub sources: Vec<String>,
}

const KMH: f64 = 1.0 / 3.6;

const SRC_CLASSES: &str =
    "test class and mass: hvm.md §1.2 (NPSA-derived catalogue of real ratings)";
const SRC_MODEL_B: &str =
    "power, k_drive, C_d·A, top speed: hvm.md §2.2 Model B table [calc; assumptions]";
const SRC_MODEL_A: &str =
    "constant acceleration: hvm.md §2.2 Model A (BarricadiX table, provenance unverified)";
const SRC_SRT: &str = "static rollover threshold: hvm.md §2.3 suggested defaults";
const SRC_BRAKING: &str = "braking: hvm.md §2.4 / §6.2 (dry, scaled by μ/0.8)";
const SRC_WIDTH: &str = "width: hvm.md §2.5 (M1 1.8 m, N1 2.0 m, N2/N3 2.55 m EU maximum) [mem]";
const SRC_TURNING: &str = "turning radius: EU 12.5 m outer swept circle (Directive 96/53/EC) less half \
    the width for lorries; cars about 11 m kerb to kerb (hvm.md §2.3) [mem]";

#[allow(clippy::too_many_arguments)]
fn class(
    code: &str,
    description: &str,
    mass_kg: f64,
    rating_class: Option<(&str, f64)>,
    verified: bool,
    (power_kw, driven_weight_share, drag_area_m2, top_speed_kmh): (f64, f64, f64, f64),
    (static_rollover_threshold_g, braking_mps2, width_m, min_turning_radius_m): (
        f64,
        f64,
        f64,
        f64,
    ),
    constant_acceleration_mps2: f64,
    extra_source: Option<&str>,
) -> VehicleClass {
    let mut sources: Vec<String> = [
        SRC_CLASSES,
        SRC_MODEL_B,
        SRC_MODEL_A,
        SRC_SRT,
        SRC_BRAKING,
        SRC_WIDTH,
        SRC_TURNING,
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    if let Some(extra) = extra_source {
        sources.push(extra.to_string());
    }
    VehicleClass {
        code: code.to_string(),
        description: description.to_string(),
        mass_kg,
        rating_class: rating_class.map(|(c, _)| c.to_string()),
        rating_mass_kg: rating_class.map(|(_, m)| m),
        verified,
        power_kw,
        driven_weight_share,
        drag_area_m2,
        top_speed_mps: top_speed_kmh * KMH,
        static_rollover_threshold_g,
        braking_mps2,
        width_m,
        min_turning_radius_m,
        constant_acceleration_mps2,
        sources,
    }
}

/// The standard threat vehicles: M1, N1G, N1, N2A, N3C, N3D, a 30 t rigid (N3F) and a 40 t
/// articulated lorry, in that order (lightest first).
pub fn standard_vehicle_classes() -> Vec<VehicleClass> {
    vec![
        class(
            "M1",
            "car (1.5 t)",
            1500.0,
            Some(("M1", 1500.0)),
            true,
            (100.0, 0.6, 0.65, 200.0),
            (1.2, 7.5, 1.8, 5.0),
            3.2,
            None,
        ),
        class(
            "N1G",
            "4x4 double-cab pick-up (2.5 t)",
            2500.0,
            Some(("N1G", 2500.0)),
            true,
            (130.0, 0.6, 0.9, 170.0),
            (1.0, 7.0, 2.0, 6.0),
            2.5,
            None,
        ),
        class(
            "N1",
            "light goods vehicle, day cab or flatbed (3.5 t)",
            3500.0,
            Some(("N1", 3500.0)),
            true,
            (100.0, 0.55, 1.8, 150.0),
            (0.9, 6.5, 2.0, 6.5),
            1.9,
            None,
        ),
        class(
            "N2A",
            "2-axle rigid lorry, cab-over (7.2 t)",
            7200.0,
            Some(("N2A", 7200.0)),
            true,
            (135.0, 0.6, 4.5, 90.0),
            (0.5, 5.5, 2.55, 8.0),
            2.0,
            None,
        ),
        class(
            "N3C",
            "2-axle rigid lorry, heavier cab-over chassis ballasted to 7.2 t",
            7200.0,
            Some(("N3C", 7200.0)),
            true,
            // An 18 t GVW chassis carries a bigger engine than the N2A: the 200 kW of the N3 row
            // of hvm.md §2.2 is assumed (more power = higher, i.e. conservative, speeds).
            (200.0, 0.6, 5.5, 90.0),
            (0.45, 5.0, 2.55, 9.0),
            1.25,
            Some("N3C power: N3 row of hvm.md §2.2 assumed for the heavier chassis"),
        ),
        class(
            "N3D",
            "2-axle rigid lorry (12 t)",
            12000.0,
            Some(("N3D", 12000.0)),
            true,
            (200.0, 0.6, 5.5, 90.0),
            (0.45, 5.0, 2.55, 10.0),
            1.0,
            None,
        ),
        class(
            "N3F",
            "heavy rigid lorry (30 t)",
            30000.0,
            Some(("N3F", 30000.0)),
            // ATG's rating says 30 000 kg, the BarricadiX table 24 000 kg (hvm.md §1.2).
            false,
            (300.0, 0.45, 6.5, 90.0),
            (0.45, 5.0, 2.55, 11.0),
            0.8,
            Some("N3F mass: ATG SP1200 rating V/30000[N3F]/80/90:4.0; conflicts with BarricadiX"),
        ),
        class(
            "ART40",
            "articulated lorry, tractor and semi-trailer (40 t)",
            40000.0,
            None,
            false,
            (331.0, 0.3, 6.5, 90.0),
            (0.40, 5.0, 2.55, 11.5),
            0.75,
            Some("40 t articulated: Berlin 2016 replay parameters, hvm.md §2.2 and §6.4 case 12"),
        ),
    ]
}

/// The standard vehicle class with this code (case-insensitive), if there is one.
pub fn standard_vehicle_class(code: &str) -> Option<VehicleClass> {
    standard_vehicle_classes()
        .into_iter()
        .find(|vehicle| vehicle.code.eq_ignore_ascii_case(code))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn test_masses_match_the_standards_class_table() {
        // hvm.md §1.2: M1 1500, N1G 2500, N1 3500, N2A 7200, N3C 7200, N3D 12000, N3F 30000 kg.
        let masses: Vec<(String, Option<f64>)> = standard_vehicle_classes()
            .into_iter()
            .map(|v| (v.code, v.rating_mass_kg))
            .collect();
        let expected = [
            ("M1", Some(1500.0)),
            ("N1G", Some(2500.0)),
            ("N1", Some(3500.0)),
            ("N2A", Some(7200.0)),
            ("N3C", Some(7200.0)),
            ("N3D", Some(12000.0)),
            ("N3F", Some(30000.0)),
            ("ART40", None),
        ];
        assert_eq!(masses.len(), expected.len());
        for ((code, mass), (want_code, want_mass)) in masses.iter().zip(expected) {
            assert_eq!((code.as_str(), *mass), (want_code, want_mass));
        }
    }

    #[test]
    fn only_classes_confirmed_by_several_ratings_are_verified() {
        // hvm.md §1.2: "Only M1, N1G, N1, N2A, N3C and N3D are confirmed by multiple real ratings."
        let verified: Vec<String> = standard_vehicle_classes()
            .into_iter()
            .filter(|v| v.verified)
            .map(|v| v.code)
            .collect();
        assert_eq!(verified, ["M1", "N1G", "N1", "N2A", "N3C", "N3D"]);
    }

    #[test]
    fn lorries_are_speed_limited_to_90_kmh() {
        // EU limiter for lorries over 3.5 t, Directive 92/6/EEC as amended (hvm.md §2.2).
        for vehicle in standard_vehicle_classes()
            .iter()
            .filter(|v| v.mass_kg > 3500.0)
        {
            assert!(
                (vehicle.top_speed_mps * 3.6 - 90.0).abs() < 1e-9,
                "{}",
                vehicle.code
            );
        }
    }

    #[test]
    fn lookup_is_case_insensitive_and_unknown_codes_are_none() {
        assert_eq!(standard_vehicle_class("n2a").unwrap().code, "N2A");
        assert!(standard_vehicle_class("Z9").is_none());
    }
}
