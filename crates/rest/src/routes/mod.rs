//! Route handlers, one module per resource. A handler parses, calls one service, renders.

pub mod analytics;
pub mod audit;
pub mod auth;
pub mod branches;
pub mod dashboards;
pub mod documents;
pub mod events;
pub mod insights;
pub mod instances;
pub mod me;
pub mod members;
pub mod organizations;
pub mod processes;
pub mod proposals;
pub mod reports;
pub mod roles;
pub mod secrets;
pub mod system;
pub mod tasks;
pub mod teams;
pub mod webhooks;
