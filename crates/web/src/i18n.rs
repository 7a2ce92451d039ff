//! User-interface translations through Fluent (`content/locales/<lang>/agora.ftl`, compiled into the
//! binary). The language comes from the `agora_lang` cookie set by the language switch, else from the
//! browser's `Accept-Language`, else English.

use std::borrow::Borrow;
use std::sync::LazyLock;

use domain::{Role, SiteKind};
use fluent_bundle::concurrent::FluentBundle;
use fluent_bundle::{FluentArgs, FluentResource, FluentValue};
use unic_langid::LanguageIdentifier;

/// A language the interface is complete in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Language {
    English,
    French,
}

impl Language {
    /// Every supported language, the default first.
    pub const ALL: [Language; 2] = [Language::English, Language::French];

    /// The BCP 47 code (`en`, `fr`).
    pub fn code(self) -> &'static str {
        match self {
            Language::English => "en",
            Language::French => "fr",
        }
    }

    /// The language for a code such as `fr`, `fr-BE` or `EN`.
    pub fn from_code(code: &str) -> Option<Language> {
        let primary = code.trim().split(['-', '_']).next()?.to_ascii_lowercase();
        Language::ALL
            .into_iter()
            .find(|language| language.code() == primary)
    }

    /// Picks the best supported language from an `Accept-Language` header, honouring q-values.
    pub fn negotiate(accept_language: &str) -> Language {
        let mut ranked: Vec<(f32, usize, Language)> = accept_language
            .split(',')
            .enumerate()
            .filter_map(|(position, item)| {
                let mut parts = item.split(';');
                let language = Language::from_code(parts.next()?)?;
                let quality = parts
                    .find_map(|parameter| parameter.trim().strip_prefix("q="))
                    .and_then(|q| q.parse::<f32>().ok())
                    .unwrap_or(1.0);
                (quality > 0.0).then_some((quality, position, language))
            })
            .collect();
        // Highest quality first; the header's own order breaks ties.
        ranked.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
        ranked
            .first()
            .map_or(Language::English, |(_, _, language)| *language)
    }
}

/// The source of each language's messages, compiled in: the interface (`agora.ftl`) and the
/// reports (`report.ftl`, also the words `app` puts in generated HTML and PDF reports).
pub const SOURCES: [(Language, &str); 2] = [
    (
        Language::English,
        concat!(
            include_str!("../../../content/locales/en/agora.ftl"),
            "\n",
            include_str!("../../../content/locales/en/report.ftl")
        ),
    ),
    (
        Language::French,
        concat!(
            include_str!("../../../content/locales/fr/agora.ftl"),
            "\n",
            include_str!("../../../content/locales/fr/report.ftl")
        ),
    ),
];

struct Bundles(Vec<(Language, FluentBundle<FluentResource>)>);

static BUNDLES: LazyLock<Bundles> = LazyLock::new(|| {
    Bundles(
        SOURCES
            .iter()
            .map(|(language, source)| {
                let resource =
                    FluentResource::try_new(source.to_string()).unwrap_or_else(|(_, errors)| {
                        panic!("{}.ftl does not parse: {errors:?}", language.code())
                    });
                let identifier: LanguageIdentifier =
                    language.code().parse().expect("language codes are valid");
                let mut bundle = FluentBundle::new_concurrent(vec![identifier]);
                // Unicode isolation marks would end up inside HTML attributes and test assertions.
                bundle.set_use_isolating(false);
                bundle
                    .add_resource(resource)
                    .unwrap_or_else(|errors| panic!("{}.ftl: {errors:?}", language.code()));
                (*language, bundle)
            })
            .collect(),
    )
});

/// Translates message keys for one request's language. Cheap to copy.
#[derive(Clone, Copy, Debug)]
pub struct Localizer {
    language: Language,
}

impl Localizer {
    pub fn new(language: Language) -> Localizer {
        Localizer { language }
    }

    /// The language code, for `<html lang>`.
    pub fn lang(&self) -> &'static str {
        self.language.code()
    }

    pub fn language(&self) -> Language {
        self.language
    }

    /// The message for `key`; a missing key shows as the key itself (tests keep that from shipping).
    pub fn t(&self, key: &str) -> String {
        self.format(key, None)
    }

    /// The message for `key` with one variable.
    pub fn t_with(&self, key: &str, name: &str, value: impl Into<FluentValue<'static>>) -> String {
        let mut args = FluentArgs::new();
        args.set(name.to_string(), value.into());
        self.format(key, Some(&args))
    }

    /// The message for `key` with several variables.
    pub fn t_args(&self, key: &str, values: &[(&str, FluentValue<'static>)]) -> String {
        let mut args = FluentArgs::new();
        for (name, value) in values {
            args.set(name.to_string(), value.clone());
        }
        self.format(key, Some(&args))
    }

    /// The translated name of a site kind.
    pub fn kind(&self, kind: impl Borrow<SiteKind>) -> String {
        self.t(&format!("kind-{}", kind.borrow().as_str()))
    }

    /// The translated name of a site kind given by its text form (`square`).
    pub fn kind_named(&self, kind: &str) -> String {
        self.t(&format!("kind-{kind}"))
    }

    /// The translated name of a role given by its text form (`planner`).
    pub fn role_named(&self, role: &str) -> String {
        self.t(&format!("role-{role}"))
    }

    /// The translated name of a role.
    pub fn role(&self, role: impl Borrow<Role>) -> String {
        self.t(&format!("role-{}", role.borrow().as_str()))
    }

    fn format(&self, key: &str, args: Option<&FluentArgs>) -> String {
        let bundle = &BUNDLES
            .0
            .iter()
            .find(|(language, _)| *language == self.language)
            .expect("every language has a bundle")
            .1;
        let Some(pattern) = bundle.get_message(key).and_then(|message| message.value()) else {
            tracing::warn!(key, language = self.language.code(), "missing translation");
            return key.to_string();
        };
        let mut errors = Vec::new();
        let text = bundle.format_pattern(pattern, args, &mut errors);
        if !errors.is_empty() {
            tracing::warn!(key, ?errors, "translation formatting errors");
        }
        text.into_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The message keys of a Fluent source, in order.
    fn message_keys(source: &str) -> Vec<String> {
        let resource = FluentResource::try_new(source.to_string()).expect("sources parse");
        resource
            .entries()
            .filter_map(|entry| match entry {
                fluent_syntax::ast::Entry::Message(message) => Some(message.id.name.to_string()),
                _ => None,
            })
            .collect()
    }

    #[test]
    fn every_language_has_exactly_the_english_keys() {
        let english = message_keys(SOURCES[0].1);
        assert!(english.len() > 50);
        for (language, source) in &SOURCES[1..] {
            let keys = message_keys(source);
            let missing: Vec<_> = english.iter().filter(|key| !keys.contains(key)).collect();
            let extra: Vec<_> = keys.iter().filter(|key| !english.contains(key)).collect();
            assert!(
                missing.is_empty() && extra.is_empty(),
                "{}: missing {missing:?}, extra {extra:?}",
                language.code()
            );
        }
    }

    #[test]
    fn every_site_kind_and_role_is_translated() {
        for language in Language::ALL {
            let t = Localizer::new(language);
            for kind in SiteKind::ALL {
                assert!(
                    !t.kind(kind).starts_with("kind-"),
                    "{kind} in {}",
                    language.code()
                );
            }
            for role in Role::ALL {
                assert!(!t.role(role).starts_with("role-"), "{role}");
            }
        }
    }

    #[test]
    fn every_key_the_templates_use_exists() {
        let english = message_keys(SOURCES[0].1);
        let templates_dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("templates");
        let mut checked = 0;
        for entry in std::fs::read_dir(templates_dir).unwrap() {
            let text = std::fs::read_to_string(entry.unwrap().path()).unwrap();
            for piece in text.split("page.t.t(\"").skip(1) {
                let key = piece.split('"').next().unwrap();
                assert!(
                    english.contains(&key.to_string()),
                    "template uses unknown key {key}"
                );
                checked += 1;
            }
        }
        assert!(checked > 40, "only {checked} keys found in templates");
    }

    #[test]
    fn plurals_and_variables_follow_each_language() {
        let english = Localizer::new(Language::English);
        let french = Localizer::new(Language::French);
        assert_eq!(
            english.t_with("notice-sites-imported", "count", 1),
            "One site imported."
        );
        assert_eq!(
            english.t_with("notice-sites-imported", "count", 6),
            "6 sites imported."
        );
        assert_eq!(
            french.t_with("notice-sites-imported", "count", 6),
            "6 sites importés."
        );
        assert_eq!(french.t("nav-logout"), "Se déconnecter");
    }

    #[test]
    fn accept_language_is_negotiated_by_quality() {
        assert_eq!(
            Language::negotiate("fr-CH, fr;q=0.9, en;q=0.8"),
            Language::French
        );
        assert_eq!(
            Language::negotiate("de-DE,de;q=0.9,en;q=0.5,fr;q=0.4"),
            Language::English
        );
        assert_eq!(Language::negotiate("en;q=0.2, fr;q=0.7"), Language::French);
        assert_eq!(Language::negotiate("de"), Language::English);
        assert_eq!(Language::negotiate(""), Language::English);
    }
}
