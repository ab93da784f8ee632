//! Domain records as they cross the service boundary (wire shapes of the contract).

/// A string enum with its wire names, `as_str` and `parse`.
macro_rules! text_enum {
    ($(#[$m:meta])* $name:ident { $($(#[$vm:meta])* $variant:ident = $text:literal),* $(,)? }) => {
        $(#[$m])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
        #[serde(rename_all = "snake_case")]
        pub enum $name { $($(#[$vm])* $variant),* }

        impl $name {
            /// The wire name.
            pub fn as_str(self) -> &'static str {
                match self { $(Self::$variant => $text),* }
            }
            /// Parses the wire name.
            pub fn parse(text: &str) -> Option<Self> {
                match text { $($text => Some(Self::$variant),)* _ => None }
            }
        }
    };
}

mod analytics;
mod audit;
mod collaboration;
mod doc;
mod execution;
mod insights;
pub mod lenient;
mod organization;
mod playbook;
mod reports;
mod role;
mod team;
mod token;
mod user;
mod webhook;

pub use analytics::*;
pub use audit::*;
pub use collaboration::*;
pub use doc::*;
pub use execution::*;
pub use insights::*;
pub use organization::*;
pub use playbook::*;
pub use reports::*;
pub use role::*;
pub use team::*;
pub use token::*;
pub use user::*;
pub use webhook::*;

use chrono::{DateTime, SubsecRound, Utc};

/// Now, at the microsecond precision both backends keep (so hashes of stored times are stable).
pub fn now() -> DateTime<Utc> {
    Utc::now().trunc_subsecs(6)
}

/// A new entity id: UUIDv7, so ids sort by creation time.
pub fn new_id() -> uuid::Uuid {
    uuid::Uuid::now_v7()
}
