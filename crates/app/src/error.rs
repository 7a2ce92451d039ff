use store::StoreError;

/// What a use case can fail with. The edges map each variant to a status: `Invalid` to 400,
/// `Unauthenticated`/`BadCredentials` to 401, `TooManyAttempts` to 429, `Forbidden` to 403, `NotFound` to 404, `Conflict` to
/// 409, `Internal` to 500 (logged, never shown).
#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// The input breaks a rule; the message names the problem and where.
    #[error("{0}")]
    Invalid(String),
    #[error("{0}")]
    NotFound(String),
    #[error("{0}")]
    Conflict(String),
    #[error("your role does not allow you to {0}")]
    Forbidden(String),
    /// Deliberately says nothing about which of the two was wrong.
    #[error("invalid username or password")]
    BadCredentials,
    #[error("not logged in, or the session has expired")]
    Unauthenticated,
    /// Too many failed logins for this account: wait before trying again.
    #[error("too many failed logins for this account; try again in {} s", retry_after.as_secs().max(1))]
    TooManyAttempts { retry_after: std::time::Duration },
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

impl From<StoreError> for AppError {
    fn from(error: StoreError) -> AppError {
        match error {
            StoreError::NotFound { .. } => AppError::NotFound(error.to_string()),
            StoreError::Conflict(_) | StoreError::VersionConflict { .. } => {
                AppError::Conflict(error.to_string())
            }
            other => AppError::Internal(anyhow::Error::new(other)),
        }
    }
}
