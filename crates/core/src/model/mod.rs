//! Domain records as they cross the service boundary (wire shapes of the contract).

mod audit;
mod doc;
mod execution;
pub mod lenient;
mod organization;
mod playbook;
mod role;
mod team;
mod token;
mod user;

pub use audit::*;
pub use doc::*;
pub use execution::*;
pub use organization::*;
pub use playbook::*;
pub use role::*;
pub use team::*;
pub use token::*;
pub use user::*;

use chrono::{DateTime, SubsecRound, Utc};

/// Now, at the microsecond precision both backends keep (so hashes of stored times are stable).
pub fn now() -> DateTime<Utc> {
    Utc::now().trunc_subsecs(6)
}

/// A new entity id: UUIDv7, so ids sort by creation time.
pub fn new_id() -> uuid::Uuid {
    uuid::Uuid::now_v7()
}
