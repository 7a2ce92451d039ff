//! Organisations, users, login and sessions.
//!
//! Passwords are hashed with Argon2id at the OWASP parameters (m=19456 KiB, t=2, p=1, the argon2
//! crate's defaults). Sessions are 256-bit random tokens; the database keeps only their SHA-256, with a
//! CSRF synchronizer token, an idle timeout and an absolute timeout.

use std::time::Duration;

use anyhow::Context;
use argon2::Argon2;
use argon2::password_hash::{PasswordHasher, PasswordVerifier, phc::PasswordHash};
use base64::Engine;
use chrono::Utc;
use domain::{
    AuditAction, AuditEvent, NewOrganisation, NewUser, Organisation, OrganisationId, Role, User,
    validate_password, validate_username,
};
use rand::RngCore;
use sha2::{Digest, Sha256};
use store::SessionRecord;

use crate::{App, AppError};

/// How long a session lives. Defaults follow OWASP's guidance for low-to-medium risk applications
/// (reliability-security.md §2.1): 30 minutes idle, 8 hours absolute.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SessionPolicy {
    pub idle_timeout: Duration,
    pub absolute_timeout: Duration,
}

impl Default for SessionPolicy {
    fn default() -> Self {
        SessionPolicy {
            idle_timeout: Duration::from_secs(30 * 60),
            absolute_timeout: Duration::from_secs(8 * 60 * 60),
        }
    }
}

/// The authenticated user a use case runs for, with the session's CSRF token.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Actor {
    pub user: User,
    pub csrf_token: String,
}

impl Actor {
    pub fn organisation_id(&self) -> OrganisationId {
        self.user.organisation_id
    }

    /// Fails with `Forbidden` unless the actor's role may edit sites.
    pub fn require_site_editor(&self) -> Result<(), AppError> {
        if self.user.role.can_edit_sites() {
            Ok(())
        } else {
            Err(AppError::Forbidden("change sites".into()))
        }
    }
}

/// A successful login: the cookie token (secret, shown once) and the user.
#[derive(Clone, Debug)]
pub struct LoginOutcome {
    pub session_token: String,
    pub actor: Actor,
}

/// Hashes a password into a PHC string with Argon2id. CPU-heavy (tens of milliseconds): call it from a
/// blocking thread.
pub fn hash_password(password: &str) -> Result<String, AppError> {
    Argon2::default()
        .hash_password(password.as_bytes())
        .map(|hash| hash.to_string())
        .map_err(|error| AppError::Internal(anyhow::anyhow!("hashing password: {error}")))
}

fn password_matches(password: &str, stored_hash: &str) -> bool {
    match PasswordHash::new(stored_hash) {
        Ok(parsed) => Argon2::default()
            .verify_password(password.as_bytes(), &parsed)
            .is_ok(),
        Err(_) => false,
    }
}

/// 256 bits from the thread-local CSPRNG (ChaCha, seeded from the OS), base64url without padding.
fn random_token() -> String {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

/// The hex SHA-256 of a session token: what the store keeps instead of the token.
pub(crate) fn token_hash(token: &str) -> String {
    let digest = Sha256::digest(token.as_bytes());
    digest.iter().map(|byte| format!("{byte:02x}")).collect()
}

/// A hash of a random password, verified against when the username is unknown so that a failed
/// login takes the same time whether or not the user exists (no username enumeration by timing).
fn dummy_hash() -> &'static str {
    static DUMMY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    DUMMY.get_or_init(|| hash_password(&random_token()).expect("hashing a random password"))
}

impl App {
    async fn run_hashing<T: Send + 'static>(
        &self,
        work: impl FnOnce() -> T + Send + 'static,
    ) -> Result<T, AppError> {
        let _permit = self
            .hashing_permits
            .acquire()
            .await
            .context("password hashing pool closed")?;
        tokio::task::spawn_blocking(work)
            .await
            .context("password hashing task failed")
            .map_err(AppError::from)
    }

    /// Creates an organisation (system action: CLI or demo setup).
    pub async fn create_organisation(
        &self,
        name: &str,
        kind: domain::OrganisationKind,
    ) -> Result<Organisation, AppError> {
        let name = name.trim();
        if name.is_empty() || name.chars().count() > 200 {
            return Err(AppError::Invalid(
                "organisation name must be 1 to 200 characters".into(),
            ));
        }
        if self.store.organisation_by_name(name).await?.is_some() {
            return Err(AppError::Conflict(format!(
                "an organisation named '{name}' already exists"
            )));
        }
        let organisation = self
            .store
            .create_organisation(&NewOrganisation {
                name: name.to_string(),
                kind,
            })
            .await?;
        self.audit(
            Some(organisation.id),
            None,
            AuditAction::OrganisationCreated,
            format!("organisation:{}", organisation.id),
            name.to_string(),
        )
        .await?;
        Ok(organisation)
    }

    /// Finds an organisation by its exact name.
    pub async fn organisation_by_name(&self, name: &str) -> Result<Option<Organisation>, AppError> {
        Ok(self.store.organisation_by_name(name).await?)
    }

    /// Creates a user (system action: CLI or demo setup). The password is checked against the
    /// password rules and stored only as an Argon2id hash.
    pub async fn create_user(
        &self,
        organisation_id: OrganisationId,
        username: &str,
        display_name: &str,
        role: Role,
        password: &str,
    ) -> Result<User, AppError> {
        validate_username(username).map_err(AppError::Invalid)?;
        validate_password(password).map_err(AppError::Invalid)?;
        if self.store.organisation(organisation_id).await?.is_none() {
            return Err(AppError::NotFound(format!(
                "organisation {organisation_id} not found"
            )));
        }
        let password = password.to_string();
        let password_hash = self.run_hashing(move || hash_password(&password)).await??;
        let user = self
            .store
            .create_user(&NewUser {
                organisation_id,
                username: username.to_string(),
                display_name: display_name.trim().to_string(),
                role,
                password_hash,
            })
            .await?;
        self.audit(
            Some(organisation_id),
            None,
            AuditAction::UserCreated,
            format!("user:{}", user.id),
            format!("{} ({})", user.username, user.role),
        )
        .await?;
        Ok(user)
    }

    /// Creates a user on behalf of an administrator of the same organisation.
    pub async fn create_user_as(
        &self,
        actor: &Actor,
        username: &str,
        display_name: &str,
        role: Role,
        password: &str,
    ) -> Result<User, AppError> {
        if !actor.user.role.can_manage_users() {
            return Err(AppError::Forbidden("create users".into()));
        }
        self.create_user(
            actor.organisation_id(),
            username,
            display_name,
            role,
            password,
        )
        .await
    }

    /// Replaces a user's password (system action, e.g. the demo's fresh password at each start) and
    /// ends all their sessions.
    pub async fn reset_password(&self, username: &str, password: &str) -> Result<(), AppError> {
        validate_password(password).map_err(AppError::Invalid)?;
        let (user, _) = self
            .store
            .user_credentials(username)
            .await?
            .ok_or_else(|| AppError::NotFound(format!("user '{username}' not found")))?;
        let password = password.to_string();
        let password_hash = self.run_hashing(move || hash_password(&password)).await??;
        self.store
            .set_password_hash(user.id, &password_hash)
            .await?;
        self.store.delete_user_sessions(user.id).await?;
        Ok(())
    }

    /// Checks a username and password and opens a session. Every attempt is audited.
    pub async fn login(&self, username: &str, password: &str) -> Result<LoginOutcome, AppError> {
        // Bound the work an anonymous request can cause before hashing anything.
        if username.len() > 256 || password.len() > 1024 {
            return Err(AppError::BadCredentials);
        }
        if let Some(retry_after) = self
            .login_throttle
            .wait_before_attempt(username, std::time::Instant::now())
        {
            return Err(AppError::TooManyAttempts { retry_after });
        }
        let credentials = self.store.user_credentials(username).await?;
        let stored_hash = credentials
            .as_ref()
            .map_or_else(|| dummy_hash().to_string(), |(_, hash)| hash.clone());
        let candidate = password.to_string();
        let matches = self
            .run_hashing(move || password_matches(&candidate, &stored_hash))
            .await?;
        let user = match (credentials, matches) {
            (Some((user, _)), true) => {
                self.login_throttle.record_success(username);
                user
            }
            (credentials, _) => {
                self.login_throttle
                    .record_failure(username, std::time::Instant::now());
                let user = credentials.map(|(user, _)| user);
                self.audit(
                    user.as_ref().map(|user| user.organisation_id),
                    user.as_ref().map(|user| user.id),
                    AuditAction::LoginFailed,
                    String::new(),
                    // The attempted name is escaped so it cannot forge log lines.
                    format!(
                        "username {:?}",
                        username.chars().take(64).collect::<String>()
                    ),
                )
                .await?;
                return Err(AppError::BadCredentials);
            }
        };
        let now = Utc::now();
        let session_token = random_token();
        let session = SessionRecord {
            token_hash: token_hash(&session_token),
            user_id: user.id,
            csrf_token: random_token(),
            created_at: now,
            last_seen_at: now,
            expires_at: now
                + chrono::Duration::from_std(self.session_policy.absolute_timeout)
                    .context("absolute timeout out of range")?,
        };
        self.store.create_session(&session).await?;
        self.audit(
            Some(user.organisation_id),
            Some(user.id),
            AuditAction::LoginSucceeded,
            format!("user:{}", user.id),
            String::new(),
        )
        .await?;
        Ok(LoginOutcome {
            session_token,
            actor: Actor {
                user,
                csrf_token: session.csrf_token,
            },
        })
    }

    /// Finds the actor for a session token, enforcing the idle and absolute timeouts.
    pub async fn authenticate(&self, session_token: &str) -> Result<Actor, AppError> {
        let hash = token_hash(session_token);
        let session = self
            .store
            .session(&hash)
            .await?
            .ok_or(AppError::Unauthenticated)?;
        let now = Utc::now();
        let idle = chrono::Duration::from_std(self.session_policy.idle_timeout)
            .context("idle timeout out of range")?;
        if now >= session.expires_at || now - session.last_seen_at >= idle {
            self.store.delete_session(&hash).await?;
            return Err(AppError::Unauthenticated);
        }
        let user = self
            .store
            .user(session.user_id)
            .await?
            .ok_or(AppError::Unauthenticated)?;
        // Record activity at most once a minute: enough for a 30-minute idle timeout, and it spares the
        // database a write per request.
        if now - session.last_seen_at > chrono::Duration::seconds(60) {
            self.store.touch_session(&hash, now).await?;
        }
        Ok(Actor {
            user,
            csrf_token: session.csrf_token,
        })
    }

    /// The actor for a command-line user: the CLI runs on the server with direct database access,
    /// so it acts as a named user (for the audit trail and the organisation scope) without a password.
    pub async fn command_line_actor(&self, username: &str) -> Result<Actor, AppError> {
        let (user, _) = self
            .store
            .user_credentials(username)
            .await?
            .ok_or_else(|| AppError::NotFound(format!("user '{username}' not found")))?;
        Ok(Actor {
            user,
            csrf_token: String::new(),
        })
    }

    /// Ends a session (server side: the token stops working at once).
    pub async fn logout(&self, session_token: &str) -> Result<(), AppError> {
        let hash = token_hash(session_token);
        if let Some(session) = self.store.session(&hash).await? {
            self.store.delete_session(&hash).await?;
            let user = self.store.user(session.user_id).await?;
            self.audit(
                user.as_ref().map(|user| user.organisation_id),
                Some(session.user_id),
                AuditAction::Logout,
                format!("user:{}", session.user_id),
                String::new(),
            )
            .await?;
        }
        Ok(())
    }

    /// Removes sessions past their absolute expiry (idle ones are refused at use and removed then).
    pub async fn remove_expired_sessions(&self) -> Result<u64, AppError> {
        Ok(self.store.delete_expired_sessions(Utc::now()).await?)
    }

    /// The users of the actor's organisation.
    pub async fn list_users(&self, actor: &Actor) -> Result<Vec<User>, AppError> {
        Ok(self.store.list_users(actor.organisation_id()).await?)
    }

    /// The audit trail of the actor's organisation, newest first (administrators only).
    pub async fn audit_trail(
        &self,
        actor: &Actor,
        limit: usize,
    ) -> Result<Vec<AuditEvent>, AppError> {
        if !actor.user.role.can_manage_users() {
            return Err(AppError::Forbidden("read the audit trail".into()));
        }
        Ok(self
            .store
            .audit_events(actor.organisation_id(), limit)
            .await?)
    }

    pub(crate) async fn audit(
        &self,
        organisation_id: Option<OrganisationId>,
        user_id: Option<domain::UserId>,
        action: AuditAction,
        subject: String,
        detail: String,
    ) -> Result<(), AppError> {
        self.store
            .record_audit(&AuditEvent {
                at: Utc::now(),
                organisation_id,
                user_id,
                action,
                subject,
                detail,
            })
            .await?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_are_argon2id_at_the_owasp_parameters_and_verify() {
        let hash = hash_password("correct horse battery staple").unwrap();
        // OWASP Password Storage Cheat Sheet: Argon2id, m=19456 KiB, t=2, p=1.
        assert!(
            hash.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"),
            "{hash}"
        );
        assert!(password_matches("correct horse battery staple", &hash));
        assert!(!password_matches("correct horse battery stapl", &hash));
    }

    #[test]
    fn long_passwords_are_not_truncated() {
        // ASVS 6.2.8: two 128-character passwords that differ only at the 100th are different.
        let first = "a".repeat(128);
        let mut second = first.clone();
        second.replace_range(99..100, "b");
        let hash = hash_password(&first).unwrap();
        assert!(password_matches(&first, &hash));
        assert!(!password_matches(&second, &hash));
    }

    #[test]
    fn tokens_carry_256_random_bits_and_are_stored_hashed() {
        let token = random_token();
        assert_eq!(token.len(), 43, "32 bytes in unpadded base64url");
        assert_ne!(token, random_token());
        // SHA-256("abc") from FIPS 180-2, appendix B.1.
        assert_eq!(
            token_hash("abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }
}
