//! Typed identifiers and bilingual text shared by the questionnaire, the assessment and the
//! measures catalogue.

use std::fmt;

use serde::{Deserialize, Serialize};

macro_rules! string_id {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(pub String);

        impl $name {
            /// The identifier as written in the content file.
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl From<&str> for $name {
            fn from(id: &str) -> Self {
                $name(id.to_owned())
            }
        }
    };
}

string_id!(
    /// A question's stable id, e.g. `vr.entry_barriers`; never reused for another question
    /// within a questionnaire, so answers stay comparable across versions that keep it.
    QuestionId
);
string_id!(
    /// A questionnaire section's id, e.g. `site` or `vehicle_ramming`.
    SectionId
);
string_id!(
    /// A catalogue measure's stable id, e.g. `hvm.fixed_bollards_rated`.
    MeasureId
);

/// A text in every language Agora ships (English and French). Content files must give both;
/// the loaders reject an empty one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Text {
    /// English.
    pub en: String,
    /// French.
    pub fr: String,
}

impl Text {
    /// The text in `language` (`"fr"` gives French; anything else English, the fallback).
    pub fn get(&self, language: &str) -> &str {
        if language == "fr" { &self.fr } else { &self.en }
    }

    /// The first language whose text is empty or only white space, if any.
    pub(crate) fn missing_language(&self) -> Option<&'static str> {
        if self.en.trim().is_empty() {
            Some("en")
        } else if self.fr.trim().is_empty() {
            Some("fr")
        } else {
            None
        }
    }
}
