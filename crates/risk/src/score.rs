//! The 1-10 scales, the graded answers and FEMA 452's risk with its bands.

use serde::{Deserialize, Serialize};

/// The lowest value of a 1-10 factor (FEMA 452: "very low").
pub const SCORE_MIN: f64 = 1.0;
/// The highest value of a 1-10 factor (FEMA 452: "very high").
pub const SCORE_MAX: f64 = 10.0;

/// Whether `value` is a valid T, V or C score (finite, within 1..=10).
pub fn is_valid_score(value: f64) -> bool {
    value.is_finite() && (SCORE_MIN..=SCORE_MAX).contains(&value)
}

/// A graded answer: 1 to 5, as CISA's self-assessments grade theirs (mission-anchors.md §3.2).
/// Grade 1 is the weakest position (very high vulnerability, or very high consequence for a
/// site-description question), grade 5 the strongest (very low).
pub type Grade = u8;

/// The number of graded levels every question has.
pub const LEVELS: usize = 5;

/// A grade mapped onto the 1-10 scale, linearly: 1 -> 10, 2 -> 7.75, 3 -> 5.5, 4 -> 3.25,
/// 5 -> 1. `None` for a grade outside 1..=5.
///
/// Linear so that each step of the answer scale moves the score by the same amount (9/4); the
/// extremes meet FEMA 452's extremes (10 "very high", 1 "very low").
pub fn grade_score(grade: Grade) -> Option<f64> {
    (1..=LEVELS as u8)
        .contains(&grade)
        .then(|| SCORE_MAX - f64::from(grade - 1) * (SCORE_MAX - SCORE_MIN) / (LEVELS as f64 - 1.0))
}

/// FEMA 452's risk for one threat: T × V × C, 1 to 1000, and its band.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct RiskScore {
    /// T × V × C, 1..=1000.
    pub value: f64,
    /// The band the value falls in.
    pub band: RiskBand,
}

impl RiskScore {
    /// Risk from its three factors (each 1-10).
    pub fn from_factors(threat_likelihood: f64, vulnerability: f64, consequence: f64) -> RiskScore {
        let value = threat_likelihood * vulnerability * consequence;
        RiskScore {
            value,
            band: RiskBand::of(value),
        }
    }
}

/// The colour bands of total risk in FEMA 426 Table 1-19, as FEMA 452's training unit cites
/// them (mission-anchors.md §5.1): low 1-60, medium 61-175, high above 175. The research note
/// flags the numbers as recalled, not re-read from the PDF; they are kept in one place here so
/// a correction is one edit. Non-integer risks fall in the band whose upper limit they do not
/// exceed (60.5 is medium).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RiskBand {
    /// 1 to 60.
    Low,
    /// Above 60, up to 175.
    Medium,
    /// Above 175, up to 1000.
    High,
}

impl RiskBand {
    /// Upper limit of the low band (FEMA 426 Table 1-19).
    pub const LOW_MAX: f64 = 60.0;
    /// Upper limit of the medium band (FEMA 426 Table 1-19).
    pub const MEDIUM_MAX: f64 = 175.0;

    /// The band of a risk value.
    pub fn of(risk: f64) -> RiskBand {
        if risk <= Self::LOW_MAX {
            RiskBand::Low
        } else if risk <= Self::MEDIUM_MAX {
            RiskBand::Medium
        } else {
            RiskBand::High
        }
    }

    /// The stable identifier: `low`, `medium` or `high`.
    pub fn as_str(self) -> &'static str {
        match self {
            RiskBand::Low => "low",
            RiskBand::Medium => "medium",
            RiskBand::High => "high",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fema_452_worked_example_risks_and_bands() {
        // FEMA 452 unit 5 worked example (mission-anchors.md §5.1): asset "critical functions"
        // with value 8; CBR, vehicle bomb, armed attack, cyber with T = 2, 6, 5, 8 and
        // V = 9, 8, 4, 2 give risks 144, 384, 160, 128.
        let cases = [
            (2.0, 9.0, 144.0),
            (6.0, 8.0, 384.0),
            (5.0, 4.0, 160.0),
            (8.0, 2.0, 128.0),
        ];
        for (t, v, expected) in cases {
            let risk = RiskScore::from_factors(t, v, 8.0);
            assert_eq!(risk.value, expected);
        }
        // With FEMA 426's bands (low <= 60 < medium <= 175 < high), the vehicle bomb alone is high.
        let bands: Vec<RiskBand> = cases
            .iter()
            .map(|&(t, v, _)| RiskScore::from_factors(t, v, 8.0).band)
            .collect();
        assert_eq!(
            bands,
            [
                RiskBand::Medium,
                RiskBand::High,
                RiskBand::Medium,
                RiskBand::Medium
            ]
        );
    }

    #[test]
    fn band_limits_are_inclusive_upper_bounds() {
        assert_eq!(RiskBand::of(1.0), RiskBand::Low);
        assert_eq!(RiskBand::of(60.0), RiskBand::Low);
        assert_eq!(RiskBand::of(60.5), RiskBand::Medium);
        assert_eq!(RiskBand::of(175.0), RiskBand::Medium);
        assert_eq!(RiskBand::of(176.0), RiskBand::High);
        assert_eq!(RiskBand::of(1000.0), RiskBand::High);
    }

    #[test]
    fn grades_map_linearly_onto_one_to_ten() {
        // Hand values: 10 - (g - 1) * 9 / 4.
        assert_eq!(grade_score(1), Some(10.0));
        assert_eq!(grade_score(2), Some(7.75));
        assert_eq!(grade_score(3), Some(5.5));
        assert_eq!(grade_score(4), Some(3.25));
        assert_eq!(grade_score(5), Some(1.0));
        assert_eq!(grade_score(0), None);
        assert_eq!(grade_score(6), None);
    }

    #[test]
    fn score_validity() {
        assert!(is_valid_score(1.0) && is_valid_score(10.0) && is_valid_score(5.5));
        assert!(!is_valid_score(0.99) && !is_valid_score(10.01) && !is_valid_score(f64::NAN));
    }
}
