//! The measures catalogue as content: what each protective measure does to which threat, what
//! it costs, and what it takes from the openness of the place.

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};
use toml::Spanned;

use crate::content::{convert_unique, syntax_error};
use crate::error::ContentError;
use crate::ids::{MeasureId, Text};
use crate::threat::{Factor, Threat};

/// A versioned list of measures.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Catalogue {
    /// Version string.
    pub version: String,
    /// Measures in file order.
    pub measures: Vec<Measure>,
}

/// The families of measures (issue 5, scope 4).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MeasureCategory {
    /// Hostile vehicle mitigation: bollards, planters, barriers, gates, road geometry.
    Hvm,
    /// Access control and screening.
    AccessControl,
    /// Surveillance and detection.
    Surveillance,
    /// Stewarding and staff.
    Stewarding,
    /// Communication and alerting.
    Communication,
    /// Crowd management.
    CrowdManagement,
    /// Design changes: lighting, sightlines, stand-off.
    Design,
}

/// One protective measure.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Measure {
    /// Stable id, e.g. `hvm.fixed_bollards_rated`.
    pub id: MeasureId,
    /// Family.
    pub category: MeasureCategory,
    /// Short name.
    pub name: Text,
    /// What it is and where it fits.
    pub description: Text,
    /// What it does to which threat.
    pub effects: Vec<MeasureEffect>,
    /// One-off cost for a typical public space (one square, one event perimeter), EUR.
    pub capital_cost_eur: CostRangeEur,
    /// Yearly cost (staff, maintenance, deployment), EUR per year.
    pub running_cost_eur_per_year: CostRangeEur,
    /// What it takes from the openness of the place.
    pub openness: OpennessImpact,
    /// For HVM measures, the vehicle impact rating it provides as a rating string (e.g.
    /// `ISO 22343-1 V/7200[N3C]/48/90`, or `unrated`); `None` for other measures.
    pub vehicle_rating: Option<String>,
    /// Measures of the same group are alternatives for the same job (e.g. kinds of bollard
    /// for one perimeter line); a plan takes at most one of them.
    pub exclusive_group: Option<String>,
    /// Public guidance the entry was written from.
    pub sources: Vec<String>,
}

/// A measure's effect on one factor of one threat's risk.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MeasureEffect {
    /// The threat.
    pub threat: Threat,
    /// The factor reduced: T (deterrence), V (harder to succeed) or C (less harm).
    pub factor: Factor,
    /// The fraction of the factor removed, in (0, 0.9]: 0.3 turns V = 8 into 5.6.
    pub reduction: f64,
    /// Why this much (English).
    pub rationale: String,
}

/// A cost range, EUR, low to high.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct CostRangeEur {
    /// Low end, EUR.
    pub min_eur: u64,
    /// High end, EUR.
    pub max_eur: u64,
}

impl CostRangeEur {
    /// The sum of two ranges.
    pub fn plus(self, other: CostRangeEur) -> CostRangeEur {
        CostRangeEur {
            min_eur: self.min_eur.saturating_add(other.min_eur),
            max_eur: self.max_eur.saturating_add(other.max_eur),
        }
    }
}

/// The most an openness dimension can lose.
pub const OPENNESS_MAX: u8 = 4;

/// What a measure takes from the openness of a place, per dimension, on one 0-4 scale of loss:
/// 0 none, 1 slight (noticed, no one's way is changed), 2 moderate (some people detour, slow
/// down or need help), 3 major (a group is diverted or held up at most times), 4 severe (the way
/// is closed to that group). Derived from the Security-by-Design principles of the JRC handbook
/// (accessibility, proportionality, aesthetics; mission-anchors.md §1.2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct OpennessImpact {
    /// Loss of pedestrian permeability (crossing the line on foot, with prams).
    pub pedestrian: u8,
    /// Loss of cycle permeability.
    pub cycle: u8,
    /// Loss of wheelchair and step-free access (gap widths, kerbs, queues at screening).
    pub wheelchair: u8,
    /// Loss of emergency-vehicle access (fire, ambulance: time to open, width).
    pub emergency: u8,
    /// Visual intrusion: how much it makes the place look fortified.
    pub visual: u8,
    /// Irreversibility (the reverse of reversibility): 0 removed by staff in minutes, 1 in a
    /// day with ordinary tools, 2 with lifting equipment, 3 with civil works, 4 permanent
    /// construction.
    pub irreversibility: u8,
}

impl OpennessImpact {
    /// The dimensions as (name, loss) pairs, in declaration order.
    pub fn dimensions(&self) -> [(&'static str, u8); 6] {
        [
            ("pedestrian", self.pedestrian),
            ("cycle", self.cycle),
            ("wheelchair", self.wheelchair),
            ("emergency", self.emergency),
            ("visual", self.visual),
            ("irreversibility", self.irreversibility),
        ]
    }

    /// Openness lost, in points: the sum of the six dimensions (0-24). Equal weights, so that
    /// no dimension is silently worth less; a plan's loss is the sum over its measures.
    pub fn loss_points(&self) -> u32 {
        self.dimensions()
            .iter()
            .map(|&(_, loss)| u32::from(loss))
            .sum()
    }
}

impl Catalogue {
    /// Loads a catalogue from its TOML text (see `content/measures/`).
    ///
    /// Errors name the line, the measure and the field: an unknown threat in an effect, a
    /// reduction out of range, a missing French name, a cost range upside down.
    ///
    /// ```
    /// let catalogue = risk::shipped_catalogue();
    /// assert!(catalogue.measures.len() >= 40);
    /// ```
    pub fn parse(text: &str) -> Result<Catalogue, ContentError> {
        let raw: RawCatalogue = toml::from_str(text).map_err(syntax_error)?;
        if raw.version.trim().is_empty() {
            return Err(ContentError::Invalid {
                line: 1,
                item: "catalogue".to_owned(),
                field: "version".to_owned(),
                problem: "must not be empty".to_owned(),
            });
        }
        let measures = convert_unique(
            text,
            raw.measures,
            &mut BTreeSet::new(),
            "measure",
            convert_measure,
            |measure: &Measure| &measure.id,
        )?;
        Ok(Catalogue {
            version: raw.version,
            measures,
        })
    }

    /// The measure with this id.
    pub fn measure(&self, id: &MeasureId) -> Option<&Measure> {
        self.measures.iter().find(|measure| &measure.id == id)
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCatalogue {
    version: String,
    measures: Vec<Spanned<RawMeasure>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawMeasure {
    id: String,
    category: MeasureCategory,
    name: Text,
    description: Text,
    effects: Vec<RawEffect>,
    capital_cost_eur: RawRange,
    running_cost_eur_per_year: RawRange,
    openness: OpennessImpact,
    vehicle_rating: Option<String>,
    exclusive_group: Option<String>,
    sources: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawEffect {
    threat: String,
    factor: String,
    reduction: f64,
    rationale: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRange {
    min: u64,
    max: u64,
}

/// The largest reduction one measure may claim on one factor.
pub const MAX_SINGLE_REDUCTION: f64 = 0.9;

fn convert_measure(raw: RawMeasure, line: usize) -> Result<Measure, ContentError> {
    let item = format!("measure {}", raw.id);
    let invalid = |field: &str, problem: String| ContentError::Invalid {
        line,
        item: item.clone(),
        field: field.to_owned(),
        problem,
    };
    if raw.id.trim().is_empty() {
        return Err(invalid("id", "must not be empty".to_owned()));
    }
    for (field, text) in [("name", &raw.name), ("description", &raw.description)] {
        if let Some(language) = text.missing_language() {
            return Err(invalid(
                &format!("{field}.{language}"),
                "must not be empty".to_owned(),
            ));
        }
    }
    if raw.effects.is_empty() {
        return Err(invalid(
            "effects",
            "a measure acts on at least one threat".to_owned(),
        ));
    }
    let mut effects = Vec::with_capacity(raw.effects.len());
    let mut seen = BTreeSet::new();
    for (index, effect) in raw.effects.into_iter().enumerate() {
        let threat: Threat = effect
            .threat
            .parse()
            .map_err(|_| ContentError::UnknownThreat {
                line,
                item: item.clone(),
                field: format!("effects[{index}].threat"),
                value: effect.threat.clone(),
            })?;
        let factor: Factor = effect
            .factor
            .parse()
            .map_err(|problem| invalid(&format!("effects[{index}].factor"), problem))?;
        if !(effect.reduction > 0.0 && effect.reduction <= MAX_SINGLE_REDUCTION) {
            return Err(invalid(
                &format!("effects[{index}].reduction"),
                format!(
                    "{} is outside (0, {MAX_SINGLE_REDUCTION}]",
                    effect.reduction
                ),
            ));
        }
        if effect.rationale.trim().is_empty() {
            return Err(invalid(
                &format!("effects[{index}].rationale"),
                "must not be empty".to_owned(),
            ));
        }
        if !seen.insert((threat, factor)) {
            return Err(invalid(
                &format!("effects[{index}]"),
                format!("a second effect on {threat} {factor}; merge them"),
            ));
        }
        effects.push(MeasureEffect {
            threat,
            factor,
            reduction: effect.reduction,
            rationale: effect.rationale,
        });
    }
    let range = |field: &str, raw_range: &RawRange| {
        if raw_range.min > raw_range.max {
            Err(invalid(
                field,
                format!("min {} is above max {}", raw_range.min, raw_range.max),
            ))
        } else {
            Ok(CostRangeEur {
                min_eur: raw_range.min,
                max_eur: raw_range.max,
            })
        }
    };
    let capital_cost_eur = range("capital_cost_eur", &raw.capital_cost_eur)?;
    let running_cost_eur_per_year =
        range("running_cost_eur_per_year", &raw.running_cost_eur_per_year)?;
    for (name, loss) in raw.openness.dimensions() {
        if loss > OPENNESS_MAX {
            return Err(invalid(
                &format!("openness.{name}"),
                format!("{loss} is above the scale's maximum {OPENNESS_MAX}"),
            ));
        }
    }
    match (&raw.vehicle_rating, raw.category) {
        (None, MeasureCategory::Hvm) => {
            return Err(invalid(
                "vehicle_rating",
                "an HVM measure states its vehicle rating (or `unrated`)".to_owned(),
            ));
        }
        (Some(rating), MeasureCategory::Hvm) if rating.trim().is_empty() => {
            return Err(invalid("vehicle_rating", "must not be empty".to_owned()));
        }
        (Some(_), category) if category != MeasureCategory::Hvm => {
            return Err(invalid(
                "vehicle_rating",
                "only HVM measures have a vehicle rating".to_owned(),
            ));
        }
        _ => {}
    }
    if raw.sources.iter().all(|source| source.trim().is_empty()) {
        return Err(invalid("sources", "cite at least one source".to_owned()));
    }
    Ok(Measure {
        id: MeasureId(raw.id),
        category: raw.category,
        name: raw.name,
        description: raw.description,
        effects,
        capital_cost_eur,
        running_cost_eur_per_year,
        openness: raw.openness,
        vehicle_rating: raw.vehicle_rating,
        exclusive_group: raw.exclusive_group,
        sources: raw.sources,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn catalogue_with(measure_body: &str) -> String {
        format!(
            r#"version = "test"

[[measures]]
id = "m1"
category = "hvm"
name = {{ en = "Bollards", fr = "Bornes" }}
description = {{ en = "Fixed bollards.", fr = "Bornes fixes." }}
capital_cost_eur = {{ min = 1000, max = 2000 }}
running_cost_eur_per_year = {{ min = 0, max = 100 }}
openness = {{ pedestrian = 0, cycle = 1, wheelchair = 0, emergency = 2, visual = 1, irreversibility = 4 }}
sources = ["NPSA"]
{measure_body}
"#
        )
    }

    fn check_error(body: &str, expected: &str) {
        let error = Catalogue::parse(&catalogue_with(body))
            .unwrap_err()
            .to_string();
        assert!(
            error.contains(expected),
            "{error}\n does not contain\n{expected}"
        );
    }

    const GOOD_EFFECT: &str = r#"effects = [{ threat = "vehicle_ramming", factor = "vulnerability", reduction = 0.6, rationale = "stops a car" }]"#;

    #[test]
    fn parses_a_measure() {
        let text = catalogue_with(&format!("vehicle_rating = \"unrated\"\n{GOOD_EFFECT}"));
        let catalogue = Catalogue::parse(&text).unwrap();
        let measure = catalogue.measure(&MeasureId::from("m1")).unwrap();
        assert_eq!(measure.openness.loss_points(), 8);
        assert_eq!(measure.effects[0].threat, Threat::VehicleRamming);
        assert_eq!(
            measure.capital_cost_eur,
            CostRangeEur {
                min_eur: 1000,
                max_eur: 2000
            }
        );
    }

    #[test]
    fn unknown_threat_names_measure_and_field() {
        let body = "vehicle_rating = \"unrated\"\neffects = [\n { threat = \"vehicle_ramming\", factor = \"vulnerability\", reduction = 0.5, rationale = \"x\" },\n { threat = \"tank\", factor = \"vulnerability\", reduction = 0.5, rationale = \"x\" },\n]";
        let error = Catalogue::parse(&catalogue_with(body)).unwrap_err();
        assert_eq!(
            error,
            ContentError::UnknownThreat {
                line: 3,
                item: "measure m1".to_owned(),
                field: "effects[1].threat".to_owned(),
                value: "tank".to_owned(),
            }
        );
        assert_eq!(
            error.to_string(),
            "line 3: measure m1: effects[1].threat: unknown threat `tank`"
        );
    }

    #[test]
    fn bad_fields_are_named() {
        check_error(
            GOOD_EFFECT,
            "line 3: measure m1: vehicle_rating: an HVM measure states its vehicle rating",
        );
        check_error(
            &format!(
                "vehicle_rating = \"unrated\"\n{}",
                GOOD_EFFECT.replace("0.6", "0.95")
            ),
            "measure m1: effects[0].reduction: 0.95 is outside (0, 0.9]",
        );
        check_error(
            &format!(
                "vehicle_rating = \"unrated\"\n{}",
                GOOD_EFFECT.replace("\"vulnerability\"", "\"price\"")
            ),
            "measure m1: effects[0].factor: unknown factor `price`",
        );
        let upside_down = catalogue_with(&format!("vehicle_rating = \"unrated\"\n{GOOD_EFFECT}"))
            .replace("min = 1000, max = 2000", "min = 3000, max = 2000");
        let error = Catalogue::parse(&upside_down).unwrap_err().to_string();
        assert!(
            error.contains("capital_cost_eur: min 3000 is above max 2000"),
            "{error}"
        );
        let too_visible = catalogue_with(&format!("vehicle_rating = \"unrated\"\n{GOOD_EFFECT}"))
            .replace("visual = 1", "visual = 7");
        let error = Catalogue::parse(&too_visible).unwrap_err().to_string();
        assert!(
            error.contains("openness.visual: 7 is above the scale's maximum 4"),
            "{error}"
        );
        let no_french = catalogue_with(&format!("vehicle_rating = \"unrated\"\n{GOOD_EFFECT}"))
            .replace("fr = \"Bornes\"", "fr = \"\"");
        let error = Catalogue::parse(&no_french).unwrap_err().to_string();
        assert!(
            error.contains("measure m1: name.fr: must not be empty"),
            "{error}"
        );
    }
}
