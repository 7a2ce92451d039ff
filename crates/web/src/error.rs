//! One error mapping for the API (JSON bodies) and one for pages (the error page). 4xx carry the
//! message that names the problem; 5xx are logged and show a generic text (ASVS 16.5.1).

use app::{Actor, AppError};
use askama::Template;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};

use crate::i18n::Localizer;
use crate::pages::PageContext;

/// The status a use-case error maps to.
pub fn status_of(error: &AppError) -> StatusCode {
    match error {
        AppError::Invalid(_) => StatusCode::BAD_REQUEST,
        AppError::NotFound(_) => StatusCode::NOT_FOUND,
        AppError::Conflict(_) => StatusCode::CONFLICT,
        AppError::Forbidden(_) => StatusCode::FORBIDDEN,
        AppError::BadCredentials | AppError::Unauthenticated => StatusCode::UNAUTHORIZED,
        AppError::TooManyAttempts { .. } => StatusCode::TOO_MANY_REQUESTS,
        AppError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
    }
}

/// An API error: a status and `{"error": message}`.
#[derive(Debug)]
pub struct ApiError {
    pub status: StatusCode,
    pub message: String,
    /// Seconds for a `Retry-After` header (429 responses).
    pub retry_after_seconds: Option<u64>,
}

impl ApiError {
    pub fn new(status: StatusCode, message: impl Into<String>) -> ApiError {
        ApiError {
            status,
            message: message.into(),
            retry_after_seconds: None,
        }
    }

    pub fn csrf() -> ApiError {
        ApiError::new(
            StatusCode::FORBIDDEN,
            "missing or wrong X-CSRF-Token header (take it from the login response or GET /api/me)",
        )
    }
}

impl From<AppError> for ApiError {
    fn from(error: AppError) -> ApiError {
        let status = status_of(&error);
        let retry_after_seconds = match &error {
            AppError::TooManyAttempts { retry_after } => Some(retry_after.as_secs().max(1)),
            _ => None,
        };
        let message = if let AppError::Internal(internal) = &error {
            tracing::error!(error = ?internal, "internal error");
            "internal error; it has been logged".to_string()
        } else {
            error.to_string()
        };
        ApiError {
            status,
            message,
            retry_after_seconds,
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let mut response = (
            self.status,
            axum::Json(serde_json::json!({ "error": self.message })),
        )
            .into_response();
        if let Some(seconds) = self.retry_after_seconds {
            response
                .headers_mut()
                .insert(axum::http::header::RETRY_AFTER, seconds.into());
        }
        response
    }
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage {
    page: PageContext,
    message: String,
}

/// Renders a use-case error as a page in the visitor's language.
pub fn page_error(t: Localizer, actor: Option<&Actor>, error: AppError) -> Response {
    let status = status_of(&error);
    let message = match &error {
        AppError::Invalid(detail) => t.t_with("error-invalid", "detail", detail.clone()),
        AppError::NotFound(_) => t.t("error-not-found"),
        AppError::Conflict(_) => t.t("error-conflict"),
        AppError::Forbidden(_) => t.t("error-forbidden"),
        AppError::BadCredentials => t.t("login-failed"),
        AppError::TooManyAttempts { retry_after } => {
            t.t_with("login-throttled", "seconds", retry_after.as_secs().max(1))
        }
        AppError::Unauthenticated => return axum::response::Redirect::to("/login").into_response(),
        AppError::Internal(internal) => {
            tracing::error!(error = ?internal, "internal error");
            t.t("error-internal")
        }
    };
    render_error_page(t, actor, status, message)
}

/// Renders the error page with a ready message.
pub fn render_error_page(
    t: Localizer,
    actor: Option<&Actor>,
    status: StatusCode,
    message: String,
) -> Response {
    let page = ErrorPage {
        page: PageContext::new(t, actor, t.t("title-error")),
        message,
    };
    match page.render() {
        Ok(html) => (status, Html(html)).into_response(),
        Err(error) => {
            tracing::error!(%error, "rendering the error page");
            (status, "error").into_response()
        }
    }
}
