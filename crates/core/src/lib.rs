//! Orgata's core: domain types, the one error type, the storage port and every use case.
//!
//! Doors (REST, GraphQL, MCP, UI) call [`services::Services`]; nothing here knows HTTP or SQL.

pub mod access;
pub mod analytics;
pub mod auth;
pub mod chain;
pub mod clock;
pub mod crypto;
pub mod engine;
pub mod error;
pub mod model;
pub mod page;
pub mod reports;
pub mod services;
pub mod store;
pub mod validate;
pub mod versioning;

pub use error::{Error, ErrorCode, FieldError, Result};
