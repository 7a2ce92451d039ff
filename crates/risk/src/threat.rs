//! The threat types every assessment scores and the three FEMA 452 factors of risk.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// A type of attack (or hazard) scored separately in every assessment: the ten scenarios of the
/// EU vulnerability assessment method as Agora applies it (mission-anchors.md §1.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Threat {
    /// A vehicle driven into people (vehicle as a weapon).
    VehicleRamming,
    /// Knives and other bladed or sharp weapons.
    EdgedWeapon,
    /// Handguns, rifles, automatic weapons.
    Firearms,
    /// An improvised explosive device carried or worn by a person (PBIED), or left as an item.
    PersonBorneIed,
    /// An improvised explosive device in a vehicle (VBIED).
    VehicleBorneIed,
    /// Drones (UAS): carrying a payload, crashing into a crowd, or disrupting.
    UnmannedAircraft,
    /// Chemical, biological, radiological or nuclear agents.
    Cbrn,
    /// Deliberate fire, incendiary devices.
    Arson,
    /// A person with legitimate access (staff, contractor, volunteer) acting against the site.
    Insider,
    /// A hoax threat or false alarm that causes panic, a crush or a disorderly evacuation.
    HoaxPanic,
}

impl Threat {
    /// Every threat, in the order the questionnaire and reports use.
    pub const ALL: [Threat; 10] = [
        Threat::VehicleRamming,
        Threat::EdgedWeapon,
        Threat::Firearms,
        Threat::PersonBorneIed,
        Threat::VehicleBorneIed,
        Threat::UnmannedAircraft,
        Threat::Cbrn,
        Threat::Arson,
        Threat::Insider,
        Threat::HoaxPanic,
    ];

    /// The stable identifier used in content files, JSON and URLs, e.g. `vehicle_ramming`.
    pub fn as_str(self) -> &'static str {
        match self {
            Threat::VehicleRamming => "vehicle_ramming",
            Threat::EdgedWeapon => "edged_weapon",
            Threat::Firearms => "firearms",
            Threat::PersonBorneIed => "person_borne_ied",
            Threat::VehicleBorneIed => "vehicle_borne_ied",
            Threat::UnmannedAircraft => "unmanned_aircraft",
            Threat::Cbrn => "cbrn",
            Threat::Arson => "arson",
            Threat::Insider => "insider",
            Threat::HoaxPanic => "hoax_panic",
        }
    }
}

impl fmt::Display for Threat {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A string that names no [`Threat`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "unknown threat `{0}` (known: vehicle_ramming, edged_weapon, firearms, person_borne_ied, vehicle_borne_ied, unmanned_aircraft, cbrn, arson, insider, hoax_panic)"
)]
pub struct UnknownThreat(pub String);

impl FromStr for Threat {
    type Err = UnknownThreat;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Threat::ALL
            .into_iter()
            .find(|threat| threat.as_str() == s)
            .ok_or_else(|| UnknownThreat(s.to_owned()))
    }
}

/// One of the three factors of FEMA 452's risk: risk = T × V × C, each on a 1-10 scale.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Factor {
    /// T: how likely this type of attack is against this kind of site (set from threat
    /// intelligence by the assessor's organisation; FEMA 452's "threat rating").
    ThreatLikelihood,
    /// V: how easily the attack would succeed here (from the answers and the HVM study).
    Vulnerability,
    /// C: how bad the outcome would be (FEMA 452's "asset value", from the site description and
    /// the crowd study).
    Consequence,
}

impl Factor {
    /// Every factor, in T, V, C order.
    pub const ALL: [Factor; 3] = [
        Factor::ThreatLikelihood,
        Factor::Vulnerability,
        Factor::Consequence,
    ];

    /// The stable identifier: `threat_likelihood`, `vulnerability` or `consequence`.
    pub fn as_str(self) -> &'static str {
        match self {
            Factor::ThreatLikelihood => "threat_likelihood",
            Factor::Vulnerability => "vulnerability",
            Factor::Consequence => "consequence",
        }
    }
}

impl fmt::Display for Factor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Factor {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Factor::ALL
            .into_iter()
            .find(|factor| factor.as_str() == s)
            .ok_or_else(|| {
                format!(
                    "unknown factor `{s}` (known: threat_likelihood, vulnerability, consequence)"
                )
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn threat_ids_round_trip_through_from_str_and_serde() {
        for threat in Threat::ALL {
            assert_eq!(threat.as_str().parse::<Threat>(), Ok(threat));
            let json = serde_json::to_string(&threat).unwrap();
            assert_eq!(json, format!("\"{}\"", threat.as_str()));
        }
        assert_eq!(
            "ramming".parse::<Threat>(),
            Err(UnknownThreat("ramming".to_owned()))
        );
    }

    #[test]
    fn factor_ids_round_trip() {
        for factor in Factor::ALL {
            assert_eq!(factor.as_str().parse::<Factor>(), Ok(factor));
            let json = serde_json::to_string(&factor).unwrap();
            assert_eq!(json, format!("\"{}\"", factor.as_str()));
        }
        assert!("likelihood".parse::<Factor>().is_err());
    }
}
