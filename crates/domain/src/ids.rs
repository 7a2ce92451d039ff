//! Typed identifiers. UUIDs rather than database sequences so that records keep their identity when
//! exported to GeoJSON and imported into another Agora installation.

use serde::{Deserialize, Serialize};
use uuid::Uuid;

macro_rules! uuid_id {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(
            Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize,
            utoipa::ToSchema,
        )]
        #[serde(transparent)]
        #[schema(value_type = String, format = Uuid)]
        pub struct $name(pub Uuid);

        impl $name {
            /// A fresh random identifier.
            pub fn new_random() -> Self {
                Self(Uuid::new_v4())
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                self.0.fmt(f)
            }
        }

        impl std::str::FromStr for $name {
            type Err = uuid::Error;
            fn from_str(text: &str) -> Result<Self, Self::Err> {
                Uuid::parse_str(text).map(Self)
            }
        }
    };
}

uuid_id!(
    /// Identifies an [`crate::Organisation`].
    OrganisationId
);
uuid_id!(
    /// Identifies a [`crate::User`].
    UserId
);
uuid_id!(
    /// Identifies a [`crate::Site`].
    SiteId
);
uuid_id!(
    /// Identifies a [`crate::Study`].
    StudyId
);
uuid_id!(
    /// Identifies an [`crate::AssessmentRecord`].
    AssessmentId
);
uuid_id!(
    /// Identifies an [`crate::Evidence`] file.
    EvidenceId
);
uuid_id!(
    /// Identifies a background job (a long study running on the server); random, so one
    /// user cannot guess another's.
    JobId
);
