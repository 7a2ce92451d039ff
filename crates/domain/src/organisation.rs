//! Organisations, users and roles.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::{OrganisationId, UserId};

/// A value that is not one of an enumeration's variants; the message lists the accepted ones.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown {what} '{given}'; expected one of: {expected}")]
pub struct UnknownVariant {
    /// What was being parsed ("site kind", "role", ...).
    pub what: &'static str,
    /// The text that did not match.
    pub given: String,
    /// The accepted values, comma separated.
    pub expected: String,
}

/// Declares a closed enumeration with a stable snake_case text form used in the database, the API,
/// GeoJSON properties and the CLI.
macro_rules! text_enum {
    ($(#[$doc:meta])* $name:ident, $what:literal, { $($(#[$vdoc:meta])* $variant:ident => $text:literal),+ $(,)? }) => {
        $(#[$doc])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, utoipa::ToSchema)]
        #[serde(rename_all = "snake_case")]
        pub enum $name {
            $($(#[$vdoc])* $variant),+
        }

        impl $name {
            /// Every variant, in declaration order.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// The stable text form (snake_case).
            pub fn as_str(self) -> &'static str {
                match self {
                    $($name::$variant => $text),+
                }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl std::str::FromStr for $name {
            type Err = crate::UnknownVariant;
            fn from_str(text: &str) -> Result<Self, Self::Err> {
                match text {
                    $($text => Ok($name::$variant),)+
                    _ => Err(crate::UnknownVariant {
                        what: $what,
                        given: text.to_string(),
                        expected: [$($text),+].join(", "),
                    }),
                }
            }
        }
    };
}
pub(crate) use text_enum;

text_enum!(
    /// The kind of body an organisation is.
    OrganisationKind, "organisation kind", {
        /// A municipality: security department, planning department.
        City => "city",
        /// Local or national police.
        Police => "police",
        /// A private or public operator of a venue, mall or transport hub.
        Operator => "operator",
        /// A national or EU authority.
        NationalAuthority => "national_authority",
        /// Anything else (event organiser, NGO, research).
        Other => "other",
    }
);

text_enum!(
    /// What a user may do inside their organisation.
    Role, "role", {
        /// Manages users and everything else in the organisation.
        Admin => "admin",
        /// Runs vulnerability assessments; edits sites.
        Assessor => "assessor",
        /// Plans measures and events; edits sites.
        Planner => "planner",
        /// Reads only.
        Viewer => "viewer",
    }
);

impl Role {
    /// Whether the role may create, edit and delete sites.
    pub fn can_edit_sites(self) -> bool {
        matches!(self, Role::Admin | Role::Assessor | Role::Planner)
    }

    /// Whether the role may start, answer and finalise vulnerability assessments (every role
    /// reads them).
    pub fn can_assess(self) -> bool {
        matches!(self, Role::Admin | Role::Assessor)
    }

    /// Whether the role may create users and change roles.
    pub fn can_manage_users(self) -> bool {
        matches!(self, Role::Admin)
    }
}

/// An organisation as stored.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Organisation {
    pub id: OrganisationId,
    pub name: String,
    pub kind: OrganisationKind,
    pub created_at: DateTime<Utc>,
}

/// The fields needed to create an organisation.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewOrganisation {
    pub name: String,
    pub kind: OrganisationKind,
}

/// A user as stored, without the password hash (which never leaves the store and the login check).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct User {
    pub id: UserId,
    pub organisation_id: OrganisationId,
    /// Login name, unique across the installation, compared case-sensitively.
    pub username: String,
    pub display_name: String,
    pub role: Role,
    pub created_at: DateTime<Utc>,
}

/// The fields needed to create a user; `password_hash` is a PHC string (Argon2id), never a password.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewUser {
    pub organisation_id: OrganisationId,
    pub username: String,
    pub display_name: String,
    pub role: Role,
    pub password_hash: String,
}

/// Checks a login name: 3 to 64 characters, letters, digits, `.`, `_`, `-` and `@` only, so it can
/// appear in logs and URLs without escaping.
pub fn validate_username(username: &str) -> Result<(), String> {
    let length = username.chars().count();
    if !(3..=64).contains(&length) {
        return Err(format!(
            "username must be 3 to 64 characters long, got {length}"
        ));
    }
    if let Some(bad) = username
        .chars()
        .find(|c| !(c.is_alphanumeric() || matches!(c, '.' | '_' | '-' | '@')))
    {
        return Err(format!(
            "username may contain only letters, digits, '.', '_', '-' and '@', found {bad:?}"
        ));
    }
    Ok(())
}

/// Checks a new password against OWASP ASVS 5.0 §6.2: at least 12 characters, at most 256 (long
/// passphrases are welcome, unbounded input is not), no composition rules, no truncation.
pub fn validate_password(password: &str) -> Result<(), String> {
    let length = password.chars().count();
    if length < 12 {
        return Err(format!(
            "password must be at least 12 characters long, got {length}"
        ));
    }
    if length > 256 {
        return Err(format!(
            "password must be at most 256 characters long, got {length}"
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roles_round_trip_through_text_and_reject_unknown_ones() {
        for role in Role::ALL {
            assert_eq!(role.as_str().parse::<Role>().unwrap(), *role);
        }
        let error = "superuser".parse::<Role>().unwrap_err();
        assert_eq!(
            error.to_string(),
            "unknown role 'superuser'; expected one of: admin, assessor, planner, viewer"
        );
    }

    #[test]
    fn only_viewers_cannot_edit_sites_and_only_admins_manage_users() {
        assert!(!Role::Viewer.can_edit_sites());
        assert!(Role::Planner.can_edit_sites());
        assert!(Role::Admin.can_manage_users());
        assert!(!Role::Assessor.can_manage_users());
    }

    #[test]
    fn usernames_and_passwords_are_checked() {
        assert!(validate_username("demo.admin").is_ok());
        assert!(validate_username("a b").is_err());
        assert!(validate_username("ab").is_err());
        assert!(validate_password("short").is_err());
        assert!(validate_password("a long enough passphrase").is_ok());
        assert!(validate_password(&"x".repeat(257)).is_err());
    }
}
