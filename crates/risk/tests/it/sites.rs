//! The test site shared by the plan tests and the bench (`benches/pareto.rs` includes this
//! file by path).

use risk::{Threat, ThreatFactors};

/// A Marienplatz-like square with every threat scored (T, V, C).
pub fn busy_square() -> Vec<ThreatFactors> {
    let rows = [
        (Threat::VehicleRamming, 6.0, 8.5, 8.0),
        (Threat::EdgedWeapon, 6.0, 7.0, 5.0),
        (Threat::Firearms, 3.0, 7.0, 7.5),
        (Threat::PersonBorneIed, 4.0, 7.5, 8.0),
        (Threat::VehicleBorneIed, 2.0, 6.0, 9.0),
        (Threat::UnmannedAircraft, 2.0, 8.0, 5.0),
        (Threat::Cbrn, 1.5, 5.0, 8.0),
        (Threat::Arson, 3.0, 5.0, 5.0),
        (Threat::Insider, 2.0, 5.0, 4.0),
        (Threat::HoaxPanic, 5.0, 6.0, 6.0),
    ];
    rows.iter()
        .map(|&(threat, t, v, c)| ThreatFactors {
            threat,
            threat_likelihood: t,
            vulnerability: v,
            consequence: c,
        })
        .collect()
}
