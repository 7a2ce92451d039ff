//! Agora's web layer: server-rendered HTML pages, the JSON REST API with its OpenAPI document, login
//! sessions, CSRF defences and security headers, on axum.
//!
//! Handlers are three steps: extract, call `app`, render. No business rule lives here; this crate is
//! the only one that knows HTTP and HTML.
//!
//! Glossary:
//! - **Page** routes (`/`, `/login`, `/map`, `/sites/...`, `/import/...`) answer HTML and redirect
//!   to the login page without a session.
//! - **API** routes (`/api/...`) answer JSON, `401` without a session, and errors as
//!   `{"error": "..."}` with a 4xx status.
//! - **CSRF defence**, three layers (OWASP CSRF cheat sheet): a Fetch-Metadata/Origin check on every
//!   state-changing request, a per-session synchronizer token in every form, and the same token in
//!   the `X-CSRF-Token` header of every state-changing API call; the session cookie is also
//!   `SameSite=Strict`.

mod api;
mod api_reports;
mod assessment_api;
mod assessment_page;
mod assets;
mod crowd_page;
mod error;
mod hvm_page;
mod i18n;
mod pages;
mod report_pages;
mod security;
mod session;

use std::sync::Arc;

use app::App;
use axum::Router;
use axum::extract::DefaultBodyLimit;

pub use api::ApiDoc;
pub use crowd_page::evacuation_limit_text;
pub use i18n::{Language, Localizer};

/// Settings of the web layer.
#[derive(Clone, Debug)]
pub struct WebConfig {
    /// Mark cookies `Secure` and use the `__Host-` prefix: set when Agora is reached over HTTPS
    /// (directly or through a TLS-terminating proxy).
    pub secure_cookies: bool,
    /// An optional raster tile URL template (`https://tiles.example/{z}/{x}/{y}.png`) drawn under
    /// Agora's own base map, for deployments that have a tile server. None: Agora's data only.
    pub tile_url: Option<String>,
    /// The largest request body accepted (OSM uploads are the largest), in bytes.
    pub max_upload_bytes: usize,
}

impl Default for WebConfig {
    fn default() -> Self {
        WebConfig {
            secure_cookies: false,
            tile_url: None,
            max_upload_bytes: 64 * 1024 * 1024,
        }
    }
}

/// What every handler can reach.
#[derive(Clone)]
pub struct AppState {
    pub app: App,
    pub config: Arc<WebConfig>,
}

/// The whole HTTP surface: pages, API, static assets, with the security layers around them.
pub fn router(app: App, config: WebConfig) -> Router {
    let max_upload_bytes = config.max_upload_bytes;
    let state = AppState {
        app,
        config: Arc::new(config),
    };
    Router::new()
        .merge(pages::routes())
        .merge(hvm_page::routes())
        .merge(report_pages::routes())
        .merge(assessment_page::routes())
        .merge(crowd_page::routes())
        .nest("/api", api::routes().merge(api_reports::routes()))
        .merge(assets::routes())
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            security::reject_cross_site_writes,
        ))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            security::security_headers,
        ))
        .layer(DefaultBodyLimit::max(max_upload_bytes))
        .layer(tower_http::trace::TraceLayer::new_for_http())
        .with_state(state)
}
