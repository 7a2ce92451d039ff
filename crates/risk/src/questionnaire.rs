//! The questionnaire as content: sections following the EU method's steps, graded questions,
//! the weights that turn answers into vulnerability and consequence scores, and its loader.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};
use toml::Spanned;

use crate::content::{convert_unique, line_of, syntax_error};
use crate::error::ContentError;
use crate::ids::{QuestionId, SectionId, Text};
use crate::score::{Grade, LEVELS};
use crate::threat::{Factor, Threat};

/// A versioned questionnaire (e.g. `public-space` v1): what the assessor answers.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Questionnaire {
    /// Stable id of the questionnaire family, e.g. `public-space`.
    pub id: String,
    /// Version string; answers name it and are refused by another version.
    pub version: String,
    /// Title.
    pub title: Text,
    /// Sections in the order they are asked.
    pub sections: Vec<Section>,
}

/// Which step of the EU vulnerability assessment method a section belongs to
/// (mission-anchors.md §1.1: describe the space, list existing measures, then one scenario per
/// threat type).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum Step {
    /// The site itself: size, crowds, symbolism, surroundings.
    DescribeSite,
    /// Security measures already in place (natural and emplaced).
    ExistingMeasures,
    /// One threat's scenario.
    Scenario {
        /// The threat this section is about.
        threat: Threat,
    },
}

/// A group of questions with the sources they were written from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Section {
    /// Stable id, e.g. `site` or `vehicle_ramming`.
    pub id: SectionId,
    /// The method step.
    pub step: Step,
    /// Title.
    pub title: Text,
    /// Public guidance the questions were written from (title and address).
    pub sources: Vec<String>,
    /// Questions in the order they are asked.
    pub questions: Vec<Question>,
}

/// One question with five graded answers.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Question {
    /// Stable id, unique in the questionnaire.
    pub id: QuestionId,
    /// The question.
    pub text: Text,
    /// Which factor its answers feed: vulnerability or consequence (never the threat
    /// likelihood, which the assessor's organisation sets from intelligence).
    pub feeds: Factor,
    /// How much its answer weighs in each threat's score; threats not listed are unaffected.
    pub weights: BTreeMap<Threat, f64>,
    /// The five graded answers: `levels[0]` is grade 1 (weakest: very high vulnerability or
    /// consequence), `levels[4]` grade 5 (strongest: very low).
    pub levels: Vec<Level>,
}

/// One graded answer and what to consider doing from there (as in CISA's self-assessments).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Level {
    /// What the site looks like at this level.
    pub description: Text,
    /// Options for consideration for a site at this level.
    pub options: Text,
}

impl Questionnaire {
    /// Loads a questionnaire from its TOML text (see `content/questionnaires/`).
    ///
    /// Errors name the line and the section, question and field at fault: a missing French
    /// text, four levels instead of five, an unknown threat in `weights`, a duplicate id.
    ///
    /// ```
    /// let questionnaire = risk::shipped_questionnaire();
    /// assert!(questionnaire.questions().count() >= 60);
    /// let broken = risk::Questionnaire::parse("id = \"x\"\nversion = \"1\"");
    /// assert!(broken.unwrap_err().to_string().contains("title"));
    /// ```
    pub fn parse(text: &str) -> Result<Questionnaire, ContentError> {
        let raw: RawQuestionnaire = toml::from_str(text).map_err(syntax_error)?;
        convert(raw, text)
    }

    /// `id vVERSION`, how errors and reports name this questionnaire.
    pub fn label(&self) -> String {
        format!("{} v{}", self.id, self.version)
    }

    /// Every question, in order.
    pub fn questions(&self) -> impl Iterator<Item = &Question> {
        self.sections
            .iter()
            .flat_map(|section| section.questions.iter())
    }

    /// The question with this id, if this version has it.
    pub fn question(&self, id: &QuestionId) -> Option<&Question> {
        self.questions().find(|question| &question.id == id)
    }
}

impl Question {
    /// The level of a grade (1..=5), if in range.
    pub fn level(&self, grade: Grade) -> Option<&Level> {
        (grade as usize)
            .checked_sub(1)
            .and_then(|index| self.levels.get(index))
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawQuestionnaire {
    id: String,
    version: String,
    title: Text,
    sections: Vec<Spanned<RawSection>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSection {
    id: String,
    step: String,
    threat: Option<String>,
    title: Text,
    sources: Vec<String>,
    questions: Vec<Spanned<RawQuestion>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawQuestion {
    id: String,
    text: Text,
    feeds: String,
    weights: BTreeMap<String, f64>,
    levels: Vec<RawLevel>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawLevel {
    en: String,
    fr: String,
    options_en: String,
    options_fr: String,
}

fn convert(raw: RawQuestionnaire, text: &str) -> Result<Questionnaire, ContentError> {
    let whole = |field: &str, problem: &str| ContentError::Invalid {
        line: 1,
        item: "questionnaire".to_owned(),
        field: field.to_owned(),
        problem: problem.to_owned(),
    };
    if raw.id.trim().is_empty() {
        return Err(whole("id", "must not be empty"));
    }
    if raw.version.trim().is_empty() {
        return Err(whole("version", "must not be empty"));
    }
    if let Some(language) = raw.title.missing_language() {
        return Err(whole(&format!("title.{language}"), "must not be empty"));
    }
    if raw.sections.is_empty() {
        return Err(whole(
            "sections",
            "a questionnaire needs at least one section",
        ));
    }
    let mut section_ids = BTreeSet::new();
    let mut question_ids = BTreeSet::new();
    let mut scenario_threats = BTreeSet::new();
    let mut sections = Vec::with_capacity(raw.sections.len());
    for spanned in raw.sections {
        let line = line_of(text, spanned.span().start);
        let raw_section = spanned.into_inner();
        let item = format!("section {}", raw_section.id);
        let invalid = |field: &str, problem: String| ContentError::Invalid {
            line,
            item: item.clone(),
            field: field.to_owned(),
            problem,
        };
        if raw_section.id.trim().is_empty() {
            return Err(invalid("id", "must not be empty".to_owned()));
        }
        if !section_ids.insert(raw_section.id.clone()) {
            return Err(invalid("id", "another section has this id".to_owned()));
        }
        let step = match (raw_section.step.as_str(), &raw_section.threat) {
            ("describe_site", None) => Step::DescribeSite,
            ("existing_measures", None) => Step::ExistingMeasures,
            ("scenario", Some(threat)) => {
                let threat: Threat = threat.parse().map_err(|_| ContentError::UnknownThreat {
                    line,
                    item: item.clone(),
                    field: "threat".to_owned(),
                    value: threat.clone(),
                })?;
                if !scenario_threats.insert(threat) {
                    return Err(invalid(
                        "threat",
                        format!("another section is already the {threat} scenario"),
                    ));
                }
                Step::Scenario { threat }
            }
            ("scenario", None) => {
                return Err(invalid(
                    "threat",
                    "a scenario section names its threat".to_owned(),
                ));
            }
            ("describe_site" | "existing_measures", Some(_)) => {
                return Err(invalid(
                    "threat",
                    "only a scenario section names a threat".to_owned(),
                ));
            }
            (other, _) => {
                return Err(invalid(
                    "step",
                    format!(
                        "unknown step `{other}` (known: describe_site, existing_measures, scenario)"
                    ),
                ));
            }
        };
        if let Some(language) = raw_section.title.missing_language() {
            return Err(invalid(
                &format!("title.{language}"),
                "must not be empty".to_owned(),
            ));
        }
        if raw_section
            .sources
            .iter()
            .all(|source| source.trim().is_empty())
        {
            return Err(invalid("sources", "cite at least one source".to_owned()));
        }
        if raw_section.questions.is_empty() {
            return Err(invalid(
                "questions",
                "a section needs at least one question".to_owned(),
            ));
        }
        let questions = convert_unique(
            text,
            raw_section.questions,
            &mut question_ids,
            "question",
            convert_question,
            |question: &Question| &question.id,
        )?;
        sections.push(Section {
            id: SectionId(raw_section.id),
            step,
            title: raw_section.title,
            sources: raw_section.sources,
            questions,
        });
    }
    Ok(Questionnaire {
        id: raw.id,
        version: raw.version,
        title: raw.title,
        sections,
    })
}

fn convert_question(raw: RawQuestion, line: usize) -> Result<Question, ContentError> {
    let item = format!("question {}", raw.id);
    let invalid = |field: &str, problem: String| ContentError::Invalid {
        line,
        item: item.clone(),
        field: field.to_owned(),
        problem,
    };
    if raw.id.trim().is_empty() {
        return Err(invalid("id", "must not be empty".to_owned()));
    }
    if let Some(language) = raw.text.missing_language() {
        return Err(invalid(
            &format!("text.{language}"),
            "must not be empty".to_owned(),
        ));
    }
    let feeds = match raw.feeds.as_str() {
        "vulnerability" => Factor::Vulnerability,
        "consequence" => Factor::Consequence,
        other => {
            return Err(invalid(
                "feeds",
                format!("`{other}`: answers feed `vulnerability` or `consequence`"),
            ));
        }
    };
    if raw.weights.is_empty() {
        return Err(invalid(
            "weights",
            "name at least one threat (or `all`)".to_owned(),
        ));
    }
    let mut weights = BTreeMap::new();
    for (key, weight) in &raw.weights {
        if !(weight.is_finite() && *weight > 0.0) {
            return Err(invalid(
                &format!("weights.{key}"),
                format!("{weight} is not a positive number"),
            ));
        }
        if key == "all" {
            if raw.weights.len() > 1 {
                return Err(invalid(
                    "weights",
                    "`all` cannot be combined with named threats".to_owned(),
                ));
            }
            weights.extend(Threat::ALL.into_iter().map(|threat| (threat, *weight)));
        } else {
            let threat: Threat = key.parse().map_err(|_| ContentError::UnknownThreat {
                line,
                item: item.clone(),
                field: format!("weights.{key}"),
                value: key.clone(),
            })?;
            weights.insert(threat, *weight);
        }
    }
    if raw.levels.len() != LEVELS {
        return Err(invalid(
            "levels",
            format!(
                "expected {LEVELS} graded levels, found {}",
                raw.levels.len()
            ),
        ));
    }
    let mut levels = Vec::with_capacity(LEVELS);
    for (index, level) in raw.levels.into_iter().enumerate() {
        let fields = [
            ("en", &level.en),
            ("fr", &level.fr),
            ("options_en", &level.options_en),
            ("options_fr", &level.options_fr),
        ];
        for (name, value) in fields {
            if value.trim().is_empty() {
                return Err(invalid(
                    &format!("levels[{index}].{name}"),
                    "must not be empty".to_owned(),
                ));
            }
        }
        levels.push(Level {
            description: Text {
                en: level.en,
                fr: level.fr,
            },
            options: Text {
                en: level.options_en,
                fr: level.options_fr,
            },
        });
    }
    Ok(Question {
        id: QuestionId(raw.id),
        text: raw.text,
        feeds,
        weights,
        levels,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const LEVELS_TOML: &str = r#"levels = [
  { en = "a", fr = "a", options_en = "o", options_fr = "o" },
  { en = "b", fr = "b", options_en = "o", options_fr = "o" },
  { en = "c", fr = "c", options_en = "o", options_fr = "o" },
  { en = "d", fr = "d", options_en = "o", options_fr = "o" },
  { en = "e", fr = "e", options_en = "o", options_fr = "o" },
]"#;

    fn questionnaire_with(question: &str) -> String {
        format!(
            r#"id = "test"
version = "1"
title = {{ en = "Test", fr = "Test" }}

[[sections]]
id = "site"
step = "describe_site"
title = {{ en = "Site", fr = "Site" }}
sources = ["somewhere"]

[[sections.questions]]
{question}
"#
        )
    }

    fn check_error(question: &str, expected: &str) {
        let text = questionnaire_with(question);
        let error = Questionnaire::parse(&text).unwrap_err().to_string();
        assert!(
            error.contains(expected),
            "{error}\n does not contain\n{expected}"
        );
    }

    #[test]
    fn parses_a_minimal_questionnaire() {
        let text = questionnaire_with(&format!(
            "id = \"q1\"\ntext = {{ en = \"Q?\", fr = \"Q ?\" }}\nfeeds = \"consequence\"\nweights = {{ all = 2.0 }}\n{LEVELS_TOML}"
        ));
        let questionnaire = Questionnaire::parse(&text).unwrap();
        assert_eq!(questionnaire.label(), "test v1");
        let question = questionnaire.question(&QuestionId::from("q1")).unwrap();
        assert_eq!(question.feeds, Factor::Consequence);
        assert_eq!(question.weights.len(), Threat::ALL.len());
        assert_eq!(question.level(5).unwrap().description.en, "e");
        assert!(question.level(6).is_none() && question.level(0).is_none());
    }

    #[test]
    fn errors_name_line_question_and_field() {
        let four_levels = LEVELS_TOML.replace(
            "  { en = \"e\", fr = \"e\", options_en = \"o\", options_fr = \"o\" },\n",
            "",
        );
        check_error(
            &format!(
                "id = \"q1\"\ntext = {{ en = \"Q?\", fr = \"Q ?\" }}\nfeeds = \"consequence\"\nweights = {{ all = 1.0 }}\n{four_levels}"
            ),
            "line 11: question q1: levels: expected 5 graded levels, found 4",
        );
        check_error(
            &format!(
                "id = \"q1\"\ntext = {{ en = \"Q?\", fr = \" \" }}\nfeeds = \"consequence\"\nweights = {{ all = 1.0 }}\n{LEVELS_TOML}"
            ),
            "line 11: question q1: text.fr: must not be empty",
        );
        check_error(
            &format!(
                "id = \"q1\"\ntext = {{ en = \"Q?\", fr = \"Q\" }}\nfeeds = \"consequence\"\nweights = {{ ramming = 1.0 }}\n{LEVELS_TOML}"
            ),
            "line 11: question q1: weights.ramming: unknown threat `ramming`",
        );
        check_error(
            &format!(
                "id = \"q1\"\ntext = {{ en = \"Q?\", fr = \"Q\" }}\nfeeds = \"threat_likelihood\"\nweights = {{ all = 1.0 }}\n{LEVELS_TOML}"
            ),
            "question q1: feeds: `threat_likelihood`",
        );
        check_error(
            &format!(
                "id = \"q1\"\ntext = {{ en = \"Q?\", fr = \"Q\" }}\nfeeds = \"consequence\"\nweights = {{ firearms = -1.0 }}\n{LEVELS_TOML}"
            ),
            "question q1: weights.firearms: -1 is not a positive number",
        );
        let empty_option = LEVELS_TOML.replacen("options_fr = \"o\"", "options_fr = \"\"", 3);
        check_error(
            &format!(
                "id = \"q1\"\ntext = {{ en = \"Q?\", fr = \"Q\" }}\nfeeds = \"consequence\"\nweights = {{ all = 1.0 }}\n{empty_option}"
            ),
            "question q1: levels[0].options_fr: must not be empty",
        );
        // A missing field is reported by the TOML parser with its line and column.
        check_error(
            &format!(
                "id = \"q1\"\nfeeds = \"consequence\"\nweights = {{ all = 1.0 }}\n{LEVELS_TOML}"
            ),
            "missing field `text`",
        );
    }

    #[test]
    fn duplicate_question_ids_are_refused() {
        let question = format!(
            "id = \"q1\"\ntext = {{ en = \"Q?\", fr = \"Q ?\" }}\nfeeds = \"consequence\"\nweights = {{ all = 1.0 }}\n{LEVELS_TOML}"
        );
        let text = questionnaire_with(&format!("{question}\n[[sections.questions]]\n{question}"));
        let error = Questionnaire::parse(&text).unwrap_err();
        assert!(
            matches!(&error, ContentError::Invalid { item, field, .. } if item == "question q1" && field == "id"),
            "{error}"
        );
    }
}
