//! Barrier impact ratings (ISO 22343-1 / IWA 14-1 / PAS 68): parsing, the rating an entry needs,
//! and whether a product's rating meets it.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::physics::mps_to_kmh;
use crate::vehicle::VehicleClass;

/// Nominal impact test speeds in km/h, 10 to 70 mph (hvm.md §1.3; 16, 96 and 112 unverified).
pub const NOMINAL_TEST_SPEEDS_KMH: [u32; 7] = [16, 32, 48, 64, 80, 96, 112];

/// Impact angles seen in published ratings, in degrees (hvm.md §1.3 catalogue counts).
pub const TEST_ANGLES_DEG: [u32; 5] = [20, 30, 45, 60, 90];

/// How the barrier was rated, the first field of a rating string.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum TestMethod {
    /// `V`: full-scale vehicle impact test.
    VehicleImpact,
    /// `F`: finite-element / design method.
    DesignMethod,
    /// `P`: pendulum test (dropped from PAS 68 in 2010).
    Pendulum,
}

/// A parsed impact rating such as `V/7200[N2A]/48/90:8.3/0.0`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Rating {
    /// Test method.
    pub method: TestMethod,
    /// Test vehicle mass, kg.
    pub test_mass_kg: u32,
    /// Test vehicle class, e.g. `N2A`.
    pub vehicle_class: String,
    /// Impact speed, km/h.
    pub speed_kmh: u32,
    /// Impact angle, degrees (90 = head-on).
    pub angle_deg: u32,
    /// Vehicle penetration beyond the barrier datum, m.
    pub penetration_m: f64,
    /// Major-debris distance, m; absent in most IWA 14-1 ratings.
    pub debris_m: Option<f64>,
}

/// Why a rating string could not be read. Nothing is guessed: a malformed string is an error.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("rating `{input}`, column {column}: {problem}")]
pub struct RatingParseError {
    /// The string as given.
    pub input: String,
    /// 1-based character column where reading failed.
    pub column: usize,
    /// What was expected or found there.
    pub problem: String,
}

struct Cursor<'a> {
    input: &'a str,
    bytes: &'a [u8],
    position: usize,
}

impl Cursor<'_> {
    fn error(&self, problem: impl Into<String>) -> RatingParseError {
        RatingParseError {
            input: self.input.to_string(),
            column: self.input[..self.position].chars().count() + 1,
            problem: problem.into(),
        }
    }

    fn skip_spaces(&mut self) {
        while self
            .bytes
            .get(self.position)
            .is_some_and(|b| b.is_ascii_whitespace())
        {
            self.position += 1;
        }
    }

    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.position).copied()
    }

    fn expect(&mut self, wanted: u8, what: &str) -> Result<(), RatingParseError> {
        self.skip_spaces();
        if self.peek() == Some(wanted) {
            self.position += 1;
            Ok(())
        } else {
            Err(self.error(format!(
                "expected '{}' {what}, found {}",
                wanted as char,
                self.describe_here()
            )))
        }
    }

    fn describe_here(&self) -> String {
        match self.input[self.position..].chars().next() {
            Some(c) => format!("'{c}'"),
            None => "the end".to_string(),
        }
    }

    fn integer(&mut self, what: &str) -> Result<u32, RatingParseError> {
        self.skip_spaces();
        let start = self.position;
        while self.peek().is_some_and(|b| b.is_ascii_digit()) {
            self.position += 1;
        }
        if start == self.position {
            return Err(self.error(format!(
                "expected {what} (digits), found {}",
                self.describe_here()
            )));
        }
        self.input[start..self.position].parse().map_err(|_| {
            self.position = start;
            self.error(format!("{what} is too large"))
        })
    }

    fn decimal(&mut self, what: &str) -> Result<f64, RatingParseError> {
        self.skip_spaces();
        let start = self.position;
        while self.peek().is_some_and(|b| b.is_ascii_digit() || b == b'.') {
            self.position += 1;
        }
        let text = &self.input[start..self.position];
        if text.is_empty() {
            return Err(self.error(format!(
                "expected {what} in metres, found {}",
                self.describe_here()
            )));
        }
        text.parse().map_err(|_| {
            self.position = start;
            self.error(format!("{what} `{text}` is not a number"))
        })
    }
}

/// Reads an impact rating string: `<V|F|P>[digit]/<mass kg>[<class>]/<speed km/h>/<angle °>:
/// <penetration m>[/<debris m>]`, spaces allowed between fields and `()` in place of `[]`
/// (hvm.md §1.4). Legacy PAS 68:2005 strings and ASTM/DoS designations are reported as errors.
///
/// ```
/// let rating = vehicle_approach::parse_rating("V/7200[N2A]/48/90:8.3/0.0").unwrap();
/// assert_eq!((rating.test_mass_kg, rating.speed_kmh, rating.angle_deg), (7200, 48, 90));
/// assert!(vehicle_approach::parse_rating("V/7200[N2A]48/90:0.2").is_err());
/// ```
pub fn parse_rating(input: &str) -> Result<Rating, RatingParseError> {
    let mut cursor = Cursor {
        input,
        bytes: input.as_bytes(),
        position: 0,
    };
    cursor.skip_spaces();
    let rest = &input[cursor.position..];
    if rest.to_ascii_uppercase().starts_with("PAS") {
        return Err(cursor.error(
            "legacy PAS 68:2005 seven-part rating (with a barrier-type field) is not supported; \
             restate it as V/<mass>[<class>]/<speed>/<angle>:<penetration>",
        ));
    }
    let method = match cursor.peek() {
        Some(b'V') => TestMethod::VehicleImpact,
        Some(b'F') => TestMethod::DesignMethod,
        Some(b'P') => TestMethod::Pendulum,
        _ => {
            return Err(cursor.error(format!(
                "expected the test method V, F or P, found {} (ASTM F2656 and DoS K/L \
                 designations are a different family and are not read here)",
                cursor.describe_here()
            )));
        }
    };
    cursor.position += 1;
    if cursor.peek().is_some_and(|b| b.is_ascii_digit()) {
        // PAS 68 editions write "V1" (test vehicle number); the digit carries no rating information.
        cursor.position += 1;
    }
    cursor.expect(b'/', "after the test method")?;
    let test_mass_kg = cursor.integer("the test vehicle mass in kg")?;
    cursor.skip_spaces();
    let closing = match cursor.peek() {
        Some(b'[') => b']',
        Some(b'(') => b')',
        _ => {
            return Err(cursor.error(format!(
                "expected '[' before the vehicle class, found {}",
                cursor.describe_here()
            )));
        }
    };
    cursor.position += 1;
    cursor.skip_spaces();
    let class_start = cursor.position;
    while cursor.peek().is_some_and(|b| b.is_ascii_alphanumeric()) {
        cursor.position += 1;
    }
    if class_start == cursor.position {
        return Err(cursor.error(format!(
            "expected a vehicle class such as N2A, found {}",
            cursor.describe_here()
        )));
    }
    let vehicle_class = input[class_start..cursor.position].to_ascii_uppercase();
    cursor.expect(closing, "after the vehicle class")?;
    cursor.expect(b'/', "before the impact speed")?;
    let speed_kmh = cursor.integer("the impact speed in km/h")?;
    cursor.expect(b'/', "before the impact angle")?;
    let angle_deg = cursor.integer("the impact angle in degrees")?;
    if angle_deg == 0 || angle_deg > 90 {
        return Err(cursor.error(format!("impact angle {angle_deg}° is outside 1..=90")));
    }
    cursor.expect(b':', "before the penetration")?;
    let penetration_m = cursor.decimal("the penetration")?;
    cursor.skip_spaces();
    let debris_m = if cursor.peek() == Some(b'/') {
        cursor.position += 1;
        Some(cursor.decimal("the debris distance")?)
    } else {
        None
    };
    cursor.skip_spaces();
    if cursor.position != input.len() {
        return Err(cursor.error(format!(
            "unexpected text {} after the rating",
            cursor.describe_here()
        )));
    }
    Ok(Rating {
        method,
        test_mass_kg,
        vehicle_class,
        speed_kmh,
        angle_deg,
        penetration_m,
        debris_m,
    })
}

impl fmt::Display for Rating {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let method = match self.method {
            TestMethod::VehicleImpact => 'V',
            TestMethod::DesignMethod => 'F',
            TestMethod::Pendulum => 'P',
        };
        write!(
            f,
            "{method}/{}[{}]/{}/{}:{}",
            self.test_mass_kg,
            self.vehicle_class,
            self.speed_kmh,
            self.angle_deg,
            self.penetration_m
        )?;
        if let Some(debris) = self.debris_m {
            write!(f, "/{debris}")?;
        }
        Ok(())
    }
}

/// The smallest nominal test speed at or above `speed_kmh`, or `None` above the highest (112).
pub fn round_up_to_test_speed_kmh(speed_kmh: f64) -> Option<u32> {
    NOMINAL_TEST_SPEEDS_KMH
        .into_iter()
        .find(|&nominal| f64::from(nominal) >= speed_kmh - 1e-9)
}

/// The smallest published test angle at or above `angle_deg` (a head-on 90° test covers all).
///
/// Convention of this engine, to be confirmed against ISO 22343-2: a rating covers impacts at its
/// tested angle or shallower.
pub fn round_up_to_test_angle_deg(angle_deg: f64) -> u32 {
    TEST_ANGLES_DEG
        .into_iter()
        .find(|&nominal| f64::from(nominal) >= angle_deg - 1e-9)
        .unwrap_or(90)
}

/// The rating a barrier at an entry needs for one vehicle.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RequiredRating {
    /// Test vehicle class, e.g. `N2A`.
    pub vehicle_class: String,
    /// Test vehicle mass, kg.
    pub test_mass_kg: u32,
    /// Impact speed rounded up to the nominal test speed, km/h.
    pub speed_kmh: u32,
    /// Impact angle rounded up to a test angle, degrees.
    pub angle_deg: u32,
    /// Largest acceptable penetration, m (the available stand-off), when known.
    pub max_penetration_m: Option<f64>,
}

impl fmt::Display for RequiredRating {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "V/{}[{}]/{}/{}",
            self.test_mass_kg, self.vehicle_class, self.speed_kmh, self.angle_deg
        )?;
        if let Some(penetration) = self.max_penetration_m {
            write!(f, ":≤{penetration:.1}")?;
        }
        Ok(())
    }
}

/// What the standards can say about an entry for one vehicle.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum RatingRequirement {
    /// A rating that covers the predicted impact.
    Rating(RequiredRating),
    /// No impact at all (the vehicle cannot move there).
    None,
    /// The impact lies outside what the standards test (too fast, or no test vehicle that heavy).
    BeyondStandard {
        /// Why, in words.
        reason: String,
    },
}

/// The rating needed to stop `vehicle` arriving at `impact_speed_mps` and `impact_angle_deg`.
pub fn required_rating(
    vehicle: &VehicleClass,
    impact_speed_mps: f64,
    impact_angle_deg: f64,
    max_penetration_m: Option<f64>,
) -> RatingRequirement {
    if impact_speed_mps <= 0.0 {
        return RatingRequirement::None;
    }
    let (Some(class), Some(mass)) = (&vehicle.rating_class, vehicle.rating_mass_kg) else {
        return RatingRequirement::BeyondStandard {
            reason: format!(
                "no ISO 22343-1 / IWA 14-1 test vehicle is as heavy as {} ({} kg)",
                vehicle.code, vehicle.mass_kg
            ),
        };
    };
    let speed_kmh = mps_to_kmh(impact_speed_mps);
    let Some(speed_kmh) = round_up_to_test_speed_kmh(speed_kmh) else {
        return RatingRequirement::BeyondStandard {
            reason: format!(
                "{speed_kmh:.1} km/h is above the highest nominal test speed (112 km/h)"
            ),
        };
    };
    RatingRequirement::Rating(RequiredRating {
        vehicle_class: class.clone(),
        test_mass_kg: mass.round() as u32,
        speed_kmh,
        angle_deg: round_up_to_test_angle_deg(impact_angle_deg),
        max_penetration_m,
    })
}

/// Whether a product's rating meets a requirement, and why not.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RatingCheck {
    /// True when every criterion is met.
    pub meets: bool,
    /// One sentence per unmet criterion.
    pub shortfalls: Vec<String>,
}

/// Compares a rating with a requirement: test mass, speed and angle at least those required,
/// penetration within the stand-off; only full-scale vehicle tests count as proof.
pub fn check_rating(rating: &Rating, required: &RequiredRating) -> RatingCheck {
    let mut shortfalls = Vec::new();
    if rating.method != TestMethod::VehicleImpact {
        shortfalls.push("not a full-scale vehicle impact test".to_string());
    }
    if rating.test_mass_kg < required.test_mass_kg {
        shortfalls.push(format!(
            "tested with {} kg, needs {} kg ({})",
            rating.test_mass_kg, required.test_mass_kg, required.vehicle_class
        ));
    }
    if rating.speed_kmh < required.speed_kmh {
        shortfalls.push(format!(
            "tested at {} km/h, needs {} km/h",
            rating.speed_kmh, required.speed_kmh
        ));
    }
    if rating.angle_deg < required.angle_deg {
        shortfalls.push(format!(
            "tested at {}°, needs {}°",
            rating.angle_deg, required.angle_deg
        ));
    }
    if let Some(max) = required.max_penetration_m
        && rating.penetration_m > max
    {
        shortfalls.push(format!(
            "penetration {} m exceeds the {max} m stand-off",
            rating.penetration_m
        ));
    }
    RatingCheck {
        meets: shortfalls.is_empty(),
        shortfalls,
    }
}

#[cfg(test)]
mod tests {
    use expect_test::{Expect, expect};

    use super::*;

    fn check(input: &str, expected: Expect) {
        let actual = match parse_rating(input) {
            Ok(rating) => format!(
                "ok {:?} {} [{}] {} km/h {}° pen {} debris {:?} => {rating}",
                rating.method,
                rating.test_mass_kg,
                rating.vehicle_class,
                rating.speed_kmh,
                rating.angle_deg,
                rating.penetration_m,
                rating.debris_m
            ),
            Err(error) => format!("error: {error}"),
        };
        expected.assert_eq(&actual);
    }

    // Fixtures: real ratings quoted in hvm.md §1.4 and the malformed catalogue entries of §6.4 case 3.
    #[test]
    fn iso_rating_with_debris() {
        check(
            "V/7200[N2A]/48/90:8.3/0.0",
            expect![[
                r#"ok VehicleImpact 7200 [N2A] 48 km/h 90° pen 8.3 debris Some(0.0) => V/7200[N2A]/48/90:8.3/0"#
            ]],
        );
    }

    #[test]
    fn iwa_rating_without_debris() {
        check(
            "V/7200[N3C]/80/90:8.1",
            expect![[
                r#"ok VehicleImpact 7200 [N3C] 80 km/h 90° pen 8.1 debris None => V/7200[N3C]/80/90:8.1"#
            ]],
        );
    }

    #[test]
    fn space_before_class_is_tolerated() {
        check(
            "V/7200 [N3C]/48/90:0",
            expect![[
                r#"ok VehicleImpact 7200 [N3C] 48 km/h 90° pen 0 debris None => V/7200[N3C]/48/90:0"#
            ]],
        );
    }

    #[test]
    fn pas_68_rating_with_parentheses_and_45_degrees() {
        check(
            "V/7500(N2)/48/45:4/1.0",
            expect![[
                r#"ok VehicleImpact 7500 [N2] 48 km/h 45° pen 4 debris Some(1.0) => V/7500[N2]/48/45:4/1"#
            ]],
        );
        check(
            "V/30000[N3]/80/90:3.3/25.0",
            expect![[
                r#"ok VehicleImpact 30000 [N3] 80 km/h 90° pen 3.3 debris Some(25.0) => V/30000[N3]/80/90:3.3/25"#
            ]],
        );
    }

    #[test]
    fn malformed_catalogue_entries_are_reported_not_guessed() {
        check(
            "V/7200[N2A]48/90:0.2",
            expect![[
                r#"error: rating `V/7200[N2A]48/90:0.2`, column 12: expected '/' before the impact speed, found '4'"#
            ]],
        );
        check(
            "7500[N2]/48/90:3.0/0.0",
            expect![[
                r#"error: rating `7500[N2]/48/90:3.0/0.0`, column 1: expected the test method V, F or P, found '7' (ASTM F2656 and DoS K/L designations are a different family and are not read here)"#
            ]],
        );
        check(
            "7200[N3C]/80/90:19.1",
            expect![[
                r#"error: rating `7200[N3C]/80/90:19.1`, column 1: expected the test method V, F or P, found '7' (ASTM F2656 and DoS K/L designations are a different family and are not read here)"#
            ]],
        );
        check(
            "Provisional:",
            expect![[
                r#"error: rating `Provisional:`, column 2: expected '/' after the test method, found 'r'"#
            ]],
        );
        check(
            "V/7200[N2A]/48/90/25.4",
            expect![[
                r#"error: rating `V/7200[N2A]/48/90/25.4`, column 18: expected ':' before the penetration, found '/'"#
            ]],
        );
    }

    #[test]
    fn legacy_and_astm_strings_are_rejected_with_a_reason() {
        check(
            "PAS 68 - V1 / ROAD BLOCKER / 30000 / 80:0 / 6.85",
            expect![[
                r#"error: rating `PAS 68 - V1 / ROAD BLOCKER / 30000 / 80:0 / 6.85`, column 1: legacy PAS 68:2005 seven-part rating (with a barrier-type field) is not supported; restate it as V/<mass>[<class>]/<speed>/<angle>:<penetration>"#
            ]],
        );
        check(
            "M50/P1",
            expect![[
                r#"error: rating `M50/P1`, column 1: expected the test method V, F or P, found 'M' (ASTM F2656 and DoS K/L designations are a different family and are not read here)"#
            ]],
        );
        check(
            "",
            expect![[
                r#"error: rating ``, column 1: expected the test method V, F or P, found the end (ASTM F2656 and DoS K/L designations are a different family and are not read here)"#
            ]],
        );
        check(
            "V/7200[N2A]/48/90:8.3 extra",
            expect![[
                r#"error: rating `V/7200[N2A]/48/90:8.3 extra`, column 23: unexpected text 'e' after the rating"#
            ]],
        );
    }

    #[test]
    fn predicted_speeds_round_up_to_the_nominal_test_speed() {
        // hvm.md §6.4 case 6: 41, 48.0, 49, 79 km/h -> 48, 48, 64, 80.
        let rounded: Vec<Option<u32>> = [41.0, 48.0, 49.0, 79.0, 112.0, 112.5]
            .into_iter()
            .map(round_up_to_test_speed_kmh)
            .collect();
        assert_eq!(
            rounded,
            [Some(48), Some(48), Some(64), Some(80), Some(112), None]
        );
    }

    #[test]
    fn a_rating_meets_a_requirement_only_on_every_criterion() {
        let required = RequiredRating {
            vehicle_class: "N2A".into(),
            test_mass_kg: 7200,
            speed_kmh: 48,
            angle_deg: 90,
            max_penetration_m: Some(5.0),
        };
        let good = parse_rating("V/7200[N2A]/64/90:1.2").unwrap();
        assert_eq!(
            check_rating(&good, &required),
            RatingCheck {
                meets: true,
                shortfalls: vec![]
            }
        );
        let weak = parse_rating("V/1500[M1]/48/45:8.3").unwrap();
        let outcome = check_rating(&weak, &required);
        assert!(!outcome.meets);
        assert_eq!(outcome.shortfalls.len(), 3, "{:?}", outcome.shortfalls);
    }
}
