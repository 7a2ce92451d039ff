//! Security headers on every response and the Fetch-Metadata/Origin check on every write
//! (reliability-security.md §2.1, OWASP HTTP Headers and CSRF cheat sheets).

use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::AppState;

/// Refuses state-changing requests that a browser says come from another site, or whose `Origin`
/// is not this server. Requests without either header (curl, the CLI, scripts) pass on to the
/// session and token checks, which they must still satisfy.
pub async fn reject_cross_site_writes(
    State(_state): State<AppState>,
    request: Request,
    next: Next,
) -> Response {
    if is_safe_method(request.method()) {
        return next.run(request).await;
    }
    if let Some(problem) = cross_site_problem(request.headers()) {
        tracing::warn!(method = %request.method(), path = %request.uri().path(), problem, "refused cross-site write");
        return (
            StatusCode::FORBIDDEN,
            axum::Json(serde_json::json!({ "error": problem })),
        )
            .into_response();
    }
    next.run(request).await
}

pub(crate) fn is_safe_method(method: &Method) -> bool {
    matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS)
}

fn cross_site_problem(headers: &HeaderMap) -> Option<&'static str> {
    if let Some(site) = headers.get("sec-fetch-site") {
        return match site.as_bytes() {
            b"same-origin" | b"none" => None,
            _ => Some("cross-site request refused (Sec-Fetch-Site)"),
        };
    }
    let origin = headers.get(header::ORIGIN)?.to_str().ok()?;
    let host = headers
        .get(header::HOST)
        .and_then(|host| host.to_str().ok());
    let origin_host = origin
        .strip_prefix("http://")
        .or_else(|| origin.strip_prefix("https://"));
    match (origin_host, host) {
        (Some(origin_host), Some(host)) if origin_host.eq_ignore_ascii_case(host) => None,
        _ => Some("cross-origin request refused (Origin does not match Host)"),
    }
}

/// Adds the security headers; dynamic responses are never cached.
pub async fn security_headers(
    State(state): State<AppState>,
    request: Request,
    next: Next,
) -> Response {
    let is_static = request.uri().path().starts_with("/static/");
    let mut response = next.run(request).await;
    let headers = response.headers_mut();
    let tile_source = state
        .config
        .tile_url
        .as_deref()
        .and_then(tile_origin)
        .map(|origin| format!(" {origin}"))
        .unwrap_or_default();
    let policy = format!(
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:{tile_source}; \
         connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'"
    );
    // A handler that sets a stricter policy of its own (generated reports) keeps it.
    if !headers.contains_key(header::CONTENT_SECURITY_POLICY)
        && let Ok(value) = HeaderValue::from_str(&policy)
    {
        headers.insert(header::CONTENT_SECURITY_POLICY, value);
    }
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    // Same-origin only: the language switch learns which page it was on; no other site learns anything.
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("same-origin"),
    );
    headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    headers.insert(
        "cross-origin-opener-policy",
        HeaderValue::from_static("same-origin"),
    );
    headers.insert(
        "cross-origin-resource-policy",
        HeaderValue::from_static("same-origin"),
    );
    headers.insert(
        "permissions-policy",
        HeaderValue::from_static("camera=(), microphone=(), geolocation=(self)"),
    );
    if state.config.secure_cookies {
        headers.insert(
            header::STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_static("max-age=63072000; includeSubDomains"),
        );
    }
    if !is_static {
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    response
}

/// `https://tiles.example.org` from `https://tiles.example.org/{z}/{x}/{y}.png`.
fn tile_origin(url: &str) -> Option<String> {
    let (scheme, rest) = url.split_once("://")?;
    let host = rest.split('/').next()?;
    (matches!(scheme, "http" | "https") && !host.is_empty() && !host.contains(['{', ' ', ';']))
        .then(|| format!("{scheme}://{host}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut headers = HeaderMap::new();
        for (name, value) in pairs {
            headers.insert(*name, HeaderValue::from_static(value));
        }
        headers
    }

    #[test]
    fn fetch_metadata_and_origin_decide_cross_site_writes() {
        assert!(cross_site_problem(&headers(&[("sec-fetch-site", "same-origin")])).is_none());
        assert!(cross_site_problem(&headers(&[("sec-fetch-site", "cross-site")])).is_some());
        assert!(cross_site_problem(&headers(&[("sec-fetch-site", "same-site")])).is_some());
        assert!(
            cross_site_problem(&headers(&[
                ("origin", "http://127.0.0.1:8080"),
                ("host", "127.0.0.1:8080")
            ]))
            .is_none()
        );
        assert!(
            cross_site_problem(&headers(&[
                ("origin", "https://evil.example"),
                ("host", "127.0.0.1:8080")
            ]))
            .is_some()
        );
        assert!(cross_site_problem(&headers(&[])).is_none());
    }

    #[test]
    fn tile_origins_are_extracted_or_refused() {
        assert_eq!(
            tile_origin("https://tiles.example.org/{z}/{x}/{y}.png").as_deref(),
            Some("https://tiles.example.org")
        );
        assert_eq!(tile_origin("javascript:alert(1)"), None);
        assert_eq!(tile_origin("https://a b/{z}"), None);
    }
}
