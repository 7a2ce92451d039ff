//! Helpers shared by the content loaders, and the content Agora ships, compiled in.

use std::collections::BTreeSet;
use std::fmt;

use toml::Spanned;

use crate::error::ContentError;
use crate::measures::Catalogue;
use crate::questionnaire::Questionnaire;

/// The shipped questionnaire's TOML text (`content/questionnaires/public-space/v1.toml`).
pub const SHIPPED_QUESTIONNAIRE_TOML: &str =
    include_str!("../../../content/questionnaires/public-space/v1.toml");

/// The shipped measures catalogue's TOML text (`content/measures/v1.toml`).
pub const SHIPPED_CATALOGUE_TOML: &str = include_str!("../../../content/measures/v1.toml");

/// The questionnaire Agora ships (public spaces, version 1). Its validity is checked by this
/// crate's tests, so loading it cannot fail in a released build.
pub fn shipped_questionnaire() -> Questionnaire {
    Questionnaire::parse(SHIPPED_QUESTIONNAIRE_TOML)
        .expect("the shipped questionnaire is valid (checked by the tests)")
}

/// The measures catalogue Agora ships (version 1); checked by this crate's tests.
pub fn shipped_catalogue() -> Catalogue {
    Catalogue::parse(SHIPPED_CATALOGUE_TOML)
        .expect("the shipped measures catalogue is valid (checked by the tests)")
}

/// 1-based line of a byte offset in `text`.
pub(crate) fn line_of(text: &str, offset: usize) -> usize {
    let end = offset.min(text.len());
    text.as_bytes()[..end]
        .iter()
        .filter(|&&byte| byte == b'\n')
        .count()
        + 1
}

/// Converts spanned raw items in file order, refusing a second item with the same id; errors
/// name the item's line. `kind` is `question` or `measure`.
pub(crate) fn convert_unique<Raw, Item, Id>(
    text: &str,
    raw_items: Vec<Spanned<Raw>>,
    seen: &mut BTreeSet<Id>,
    kind: &str,
    convert: impl Fn(Raw, usize) -> Result<Item, ContentError>,
    id_of: impl Fn(&Item) -> &Id,
) -> Result<Vec<Item>, ContentError>
where
    Id: Ord + Clone + fmt::Display,
{
    let mut items = Vec::with_capacity(raw_items.len());
    for spanned in raw_items {
        let line = line_of(text, spanned.span().start);
        let item = convert(spanned.into_inner(), line)?;
        let id = id_of(&item);
        if !seen.insert(id.clone()) {
            return Err(ContentError::Invalid {
                line,
                item: format!("{kind} {id}"),
                field: "id".to_owned(),
                problem: format!("another {kind} has this id"),
            });
        }
        items.push(item);
    }
    Ok(items)
}

pub(crate) fn syntax_error(error: toml::de::Error) -> ContentError {
    ContentError::Syntax {
        message: error.to_string().trim_end().to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_of_counts_newlines_before_the_offset() {
        let text = "a\nbc\nd";
        assert_eq!(line_of(text, 0), 1);
        assert_eq!(line_of(text, 2), 2);
        assert_eq!(line_of(text, 5), 3);
        assert_eq!(line_of(text, 99), 3);
    }
}
