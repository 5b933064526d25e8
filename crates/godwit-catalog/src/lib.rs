//! The neutral schema model every Godwit source reads into and every target renders from.
//!
//! Pure data and pure functions, no I/O: [`model`] holds the nouns (schemas, tables, constraints, …),
//! [`names`] quotes identifiers for PostgreSQL, and [`graph`] computes dependencies and a creation order
//! in which foreign-key cycles are broken by adding those constraints after the data.

pub mod graph;
pub mod model;
pub mod names;

pub use graph::{creation_order, dependencies, CreationOrder, Dependency, DependencyReason};
pub use model::*;
pub use names::{quote_ident, QualifiedName};
