//! The process engine's pure parts. Nothing here touches the store or a door; the engine's
//! use cases (issue 3) build on these.

pub mod dependencies;
pub mod due;
pub mod expr;
pub mod forms;
