//! Reading OpenStreetMap tag values the way the engines need them: widths in metres, speeds in km/h,
//! access in one enum. Unparseable values give `None`, never a guess; callers then use a default and
//! say so.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// OpenStreetMap tags of one object, kept sorted by key.
pub type Tags = BTreeMap<String, String>;

/// Parses a width, height or length: `5`, `5.5`, `5 m`, `5.5m`, `3,5` (decimal comma), `12'6"`
/// (feet and inches) or `40 cm`. Returns metres.
pub fn parse_length_m(text: &str) -> Option<f64> {
    let text = text.trim();
    if let Some((feet, rest)) = text.split_once('\'') {
        let feet: f64 = feet.trim().parse().ok()?;
        let inches = rest.trim().trim_end_matches('"').trim();
        let inches: f64 = if inches.is_empty() {
            0.0
        } else {
            inches.parse().ok()?
        };
        return Some(feet * 0.3048 + inches * 0.0254);
    }
    let (number, factor) = if let Some(number) = text.strip_suffix("cm") {
        (number, 0.01)
    } else if let Some(number) = text.strip_suffix("km") {
        (number, 1000.0)
    } else if let Some(number) = text.strip_suffix('m') {
        (number, 1.0)
    } else if let Some(number) = text.strip_suffix("ft") {
        (number, 0.3048)
    } else {
        (text, 1.0)
    };
    let value: f64 = number.trim().replace(',', ".").parse().ok()?;
    (value.is_finite() && value >= 0.0).then_some(value * factor)
}

/// Parses `maxspeed`: `50`, `30 mph`, `20 knots`, `walk` (taken as 7 km/h), `none` (no limit:
/// `f64::INFINITY`), and the German zone values `DE:urban` (50), `DE:rural` (100),
/// `DE:living_street` (7), `DE:zone30`/`DE:zone:30` (30). Other country codes give `None`.
pub fn parse_speed_kmh(text: &str) -> Option<f64> {
    let text = text.trim();
    match text {
        "walk" | "DE:walk" | "DE:living_street" => return Some(7.0),
        "none" | "DE:motorway" => return Some(f64::INFINITY),
        "DE:urban" => return Some(50.0),
        "DE:rural" => return Some(100.0),
        "DE:zone30" | "DE:zone:30" => return Some(30.0),
        "DE:zone20" | "DE:zone:20" => return Some(20.0),
        _ => {}
    }
    let (number, factor) = if let Some(number) = text.strip_suffix("mph") {
        (number, 1.609_344)
    } else if let Some(number) = text.strip_suffix("knots") {
        (number, 1.852)
    } else if let Some(number) = text.strip_suffix("km/h") {
        (number, 1.0)
    } else {
        (text, 1.0)
    };
    let value: f64 = number.trim().parse().ok()?;
    (value.is_finite() && value > 0.0).then_some(value * factor)
}

/// Who may use a way or pass a barrier, from an `access`-family value.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum Access {
    /// `yes`, `permissive`, `designated`, `official`.
    Yes,
    /// `no`.
    No,
    /// `private`, `customers`, `delivery`, `destination`, `permit`, `agricultural`, `forestry`,
    /// `emergency` and other limited access.
    Restricted,
}

impl Access {
    /// Reads one access value; `None` for values it does not know.
    pub fn parse(text: &str) -> Option<Access> {
        match text.trim() {
            "yes" | "permissive" | "designated" | "official" => Some(Access::Yes),
            "no" | "use_sidepath" | "dismount" => Some(Access::No),
            "private" | "customers" | "delivery" | "destination" | "permit" | "agricultural"
            | "forestry" | "emergency" | "residents" | "discouraged" => Some(Access::Restricted),
            _ => None,
        }
    }
}

/// The legal access for motor vehicles: the most specific of `motor_vehicle`, `vehicle`, `access`.
/// This is law, not physics: the hostile-vehicle engine ignores it in worst-case mode.
pub fn motor_vehicle_access(tags: &Tags) -> Option<Access> {
    ["motorcar", "motor_vehicle", "vehicle", "access"]
        .iter()
        .find_map(|key| tags.get(*key).and_then(|value| Access::parse(value)))
}

/// The OSM `layer` value (default 0); unparseable values give 0.
pub fn layer(tags: &Tags) -> i32 {
    tags.get("layer")
        .and_then(|value| value.trim().parse().ok())
        .unwrap_or(0)
}

/// True when the object is marked below ground or inside: `layer<0`, `tunnel=*` (not `no`),
/// `indoor=*` (not `no`), `location=underground`/`indoor`, or a negative `level`.
pub fn is_underground_or_indoor(tags: &Tags) -> bool {
    let set = |key: &str| tags.get(key).is_some_and(|value| value != "no");
    let negative_level = tags.get("level").is_some_and(|value| {
        value
            .split(';')
            .filter_map(|level| level.trim().parse::<f64>().ok())
            .all(|level| level < 0.0)
            && value
                .split(';')
                .any(|level| level.trim().parse::<f64>().is_ok())
    });
    layer(tags) < 0
        || set("tunnel")
        || set("indoor")
        || matches!(
            tags.get("location").map(String::as_str),
            Some("underground" | "indoor")
        )
        || negative_level
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lengths_in_the_forms_mappers_use() {
        assert_eq!(parse_length_m("5"), Some(5.0));
        assert_eq!(parse_length_m("5.5 m"), Some(5.5));
        assert_eq!(parse_length_m("3,5"), Some(3.5));
        assert_eq!(parse_length_m("40 cm"), Some(0.4));
        assert!((parse_length_m("12'6\"").unwrap() - 3.81).abs() < 1e-9);
        assert_eq!(parse_length_m("wide"), None);
        assert_eq!(parse_length_m("-2"), None);
    }

    #[test]
    fn speeds_in_the_forms_mappers_use() {
        assert_eq!(parse_speed_kmh("50"), Some(50.0));
        assert!((parse_speed_kmh("30 mph").unwrap() - 48.28).abs() < 0.01);
        assert_eq!(parse_speed_kmh("DE:urban"), Some(50.0));
        assert_eq!(parse_speed_kmh("walk"), Some(7.0));
        assert_eq!(parse_speed_kmh("FR:urban"), None);
    }

    #[test]
    fn the_most_specific_access_tag_wins() {
        let tags: Tags = [("access", "no"), ("motor_vehicle", "private")]
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .into();
        assert_eq!(motor_vehicle_access(&tags), Some(Access::Restricted));
    }

    #[test]
    fn underground_and_indoor_objects_are_recognised() {
        let tags = |pairs: &[(&str, &str)]| -> Tags {
            pairs
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect()
        };
        assert!(is_underground_or_indoor(&tags(&[("layer", "-1")])));
        assert!(is_underground_or_indoor(&tags(&[("tunnel", "yes")])));
        assert!(is_underground_or_indoor(&tags(&[("indoor", "corridor")])));
        assert!(is_underground_or_indoor(&tags(&[("level", "-2")])));
        assert!(!is_underground_or_indoor(&tags(&[
            ("level", "0"),
            ("layer", "1")
        ])));
        assert!(!is_underground_or_indoor(&tags(&[("tunnel", "no")])));
    }
}
