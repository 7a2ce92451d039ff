//! Static assets compiled into the binary, so an installation is one file: the vendored Leaflet
//! 1.9.4 (BSD-2-Clause) and Leaflet-Geoman free 2.20.2 (MIT) with their licences, and Agora's own
//! script and stylesheet.

use axum::Router;
use axum::extract::Path;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;

use crate::AppState;

macro_rules! asset {
    ($path:literal, $content_type:literal) => {
        (
            $path,
            $content_type,
            include_bytes!(concat!("../static/", $path)) as &[u8],
        )
    };
}

/// (path under /static/, content type, bytes)
const ASSETS: &[(&str, &str, &[u8])] = &[
    asset!("app/agora.css", "text/css; charset=utf-8"),
    asset!("app/map.js", "text/javascript; charset=utf-8"),
    asset!(
        "vendor/leaflet-1.9.4/leaflet.js",
        "text/javascript; charset=utf-8"
    ),
    asset!(
        "vendor/leaflet-1.9.4/leaflet.css",
        "text/css; charset=utf-8"
    ),
    asset!("vendor/leaflet-1.9.4/LICENSE", "text/plain; charset=utf-8"),
    asset!("vendor/leaflet-1.9.4/images/layers.png", "image/png"),
    asset!("vendor/leaflet-1.9.4/images/layers-2x.png", "image/png"),
    asset!("vendor/leaflet-1.9.4/images/marker-icon.png", "image/png"),
    asset!(
        "vendor/leaflet-1.9.4/images/marker-icon-2x.png",
        "image/png"
    ),
    asset!("vendor/leaflet-1.9.4/images/marker-shadow.png", "image/png"),
    asset!(
        "vendor/leaflet-geoman-free-2.20.2/leaflet-geoman.min.js",
        "text/javascript; charset=utf-8"
    ),
    asset!(
        "vendor/leaflet-geoman-free-2.20.2/leaflet-geoman.css",
        "text/css; charset=utf-8"
    ),
    asset!(
        "vendor/leaflet-geoman-free-2.20.2/LICENSE",
        "text/plain; charset=utf-8"
    ),
];

pub fn routes() -> Router<AppState> {
    Router::new().route("/static/{*path}", get(serve_asset))
}

async fn serve_asset(Path(path): Path<String>) -> Response {
    match ASSETS.iter().find(|(asset_path, _, _)| *asset_path == path) {
        Some((_, content_type, bytes)) => (
            [
                (header::CONTENT_TYPE, HeaderValue::from_static(content_type)),
                (
                    header::CACHE_CONTROL,
                    HeaderValue::from_static("public, max-age=3600"),
                ),
            ],
            *bytes,
        )
            .into_response(),
        None => (StatusCode::NOT_FOUND, "not found").into_response(),
    }
}
