//! Session cookies and the extractors that turn a request into a visitor, a signed-in user of a page,
//! or an authenticated API caller.

use app::{Actor, AppError};
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::{IntoResponse, Redirect, Response};

use crate::error::ApiError;
use crate::i18n::{Language, Localizer};
use crate::security::is_safe_method;
use crate::{AppState, WebConfig};

/// The session cookie over plain HTTP (a local or intranet installation).
const SESSION_COOKIE: &str = "agora_session";
/// The session cookie over HTTPS: the `__Host-` prefix makes browsers refuse it unless it is
/// `Secure`, host-only and for `/` (ASVS 3.3.1).
const SECURE_SESSION_COOKIE: &str = "__Host-agora_session";
/// The language chosen with the switch in the page header.
pub const LANGUAGE_COOKIE: &str = "agora_lang";
/// The header state-changing API calls carry the session's CSRF token in.
pub const CSRF_HEADER: &str = "x-csrf-token";

/// The value of a cookie in the request, if present.
pub fn cookie<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(key, _)| *key == name)
        .map(|(_, value)| value)
}

fn session_cookie_name(config: &WebConfig) -> &'static str {
    if config.secure_cookies {
        SECURE_SESSION_COOKIE
    } else {
        SESSION_COOKIE
    }
}

/// The `Set-Cookie` value that starts a session.
pub fn session_cookie(config: &WebConfig, token: &str, max_age_seconds: u64) -> HeaderValue {
    let secure = if config.secure_cookies {
        "; Secure"
    } else {
        ""
    };
    HeaderValue::from_str(&format!(
        "{}={token}; Path=/; HttpOnly; SameSite=Strict; Max-Age={max_age_seconds}{secure}",
        session_cookie_name(config)
    ))
    .expect("tokens are base64url")
}

/// The `Set-Cookie` value that removes the session cookie.
pub fn expired_session_cookie(config: &WebConfig) -> HeaderValue {
    let secure = if config.secure_cookies {
        "; Secure"
    } else {
        ""
    };
    HeaderValue::from_str(&format!(
        "{}=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0{secure}",
        session_cookie_name(config)
    ))
    .expect("static cookie")
}

/// The session token the request carries, if any.
pub fn session_token(headers: &HeaderMap, config: &WebConfig) -> Option<String> {
    cookie(headers, session_cookie_name(config))
        .filter(|token| !token.is_empty() && token.len() <= 128)
        .map(str::to_string)
}

/// The interface language for a request.
pub fn request_language(headers: &HeaderMap) -> Localizer {
    let language = cookie(headers, LANGUAGE_COOKIE)
        .and_then(Language::from_code)
        .or_else(|| {
            headers
                .get(header::ACCEPT_LANGUAGE)
                .and_then(|value| value.to_str().ok())
                .map(Language::negotiate)
        })
        .unwrap_or(Language::English);
    Localizer::new(language)
}

/// Compares two secrets in time independent of where they differ.
pub fn tokens_match(given: &str, expected: &str) -> bool {
    given.len() == expected.len()
        && given
            .bytes()
            .zip(expected.bytes())
            .fold(0u8, |difference, (a, b)| difference | (a ^ b))
            == 0
}

/// Anyone: the language, and the actor when a valid session comes with the request.
pub struct Visitor {
    pub t: Localizer,
    pub actor: Option<Actor>,
    pub session_token: Option<String>,
}

impl FromRequestParts<AppState> for Visitor {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Response> {
        let t = request_language(&parts.headers);
        let session_token = session_token(&parts.headers, &state.config);
        let actor = match &session_token {
            None => None,
            Some(token) => match state.app.authenticate(token).await {
                Ok(actor) => Some(actor),
                Err(AppError::Unauthenticated) => None,
                Err(error) => return Err(crate::error::page_error(t, None, error)),
            },
        };
        Ok(Visitor {
            t,
            actor,
            session_token,
        })
    }
}

/// A page visitor who must be logged in; without a session the browser goes to the login page.
pub struct SignedIn {
    pub t: Localizer,
    pub actor: Actor,
}

impl FromRequestParts<AppState> for SignedIn {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Response> {
        let visitor = Visitor::from_request_parts(parts, state).await?;
        match visitor.actor {
            Some(actor) => Ok(SignedIn {
                t: visitor.t,
                actor,
            }),
            None => Err(Redirect::to("/login").into_response()),
        }
    }
}

/// An authenticated API caller. State-changing calls must carry the session's CSRF token in the
/// `X-CSRF-Token` header.
pub struct ApiCaller(pub Actor);

impl FromRequestParts<AppState> for ApiCaller {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let token = session_token(&parts.headers, &state.config)
            .ok_or_else(|| ApiError::from(AppError::Unauthenticated))?;
        let actor = state
            .app
            .authenticate(&token)
            .await
            .map_err(ApiError::from)?;
        if !is_safe_method(&parts.method) {
            let given = parts
                .headers
                .get(CSRF_HEADER)
                .and_then(|value| value.to_str().ok())
                .unwrap_or("");
            if !tokens_match(given, &actor.csrf_token) {
                return Err(ApiError::csrf());
            }
        }
        Ok(ApiCaller(actor))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cookies_are_found_among_others() {
        let mut headers = HeaderMap::new();
        headers.insert(
            header::COOKIE,
            HeaderValue::from_static("agora_lang=fr; agora_session=abc123"),
        );
        assert_eq!(cookie(&headers, "agora_session"), Some("abc123"));
        assert_eq!(cookie(&headers, "agora_lang"), Some("fr"));
        assert_eq!(cookie(&headers, "other"), None);
        assert_eq!(request_language(&headers).lang(), "fr");
    }

    #[test]
    fn session_cookies_are_http_only_strict_and_secure_over_tls() {
        let plain = WebConfig::default();
        let value = session_cookie(&plain, "tok", 60);
        assert_eq!(
            value.to_str().unwrap(),
            "agora_session=tok; Path=/; HttpOnly; SameSite=Strict; Max-Age=60"
        );
        let tls = WebConfig {
            secure_cookies: true,
            ..WebConfig::default()
        };
        assert_eq!(
            session_cookie(&tls, "tok", 60).to_str().unwrap(),
            "__Host-agora_session=tok; Path=/; HttpOnly; SameSite=Strict; Max-Age=60; Secure"
        );
    }

    #[test]
    fn tokens_compare_exactly() {
        assert!(tokens_match("abc", "abc"));
        assert!(!tokens_match("abc", "abd"));
        assert!(!tokens_match("ab", "abc"));
    }
}
