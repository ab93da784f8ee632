//! The process engine's pure parts. Nothing here touches the store or a door; the engine's
//! use cases in `services` apply what these decide.

pub mod automation;
pub mod definition;
pub mod dependencies;
pub mod due;
pub mod expr;
pub mod forms;
pub mod machine;
