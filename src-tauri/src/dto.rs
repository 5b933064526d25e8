//! Transport types: the JSON shapes that cross the IPC boundary to the UI.
//!
//! Engine types never leak to the frontend. Every type here derives [`specta::Type`] so the
//! TypeScript bindings (`ui/src/bindings.ts`) are generated from it. Numbers are `u32`/`f64`
//! (no `i64`: JavaScript has no lossless 64-bit integer), identifiers and timestamps are strings.

use serde::{Deserialize, Serialize};
use specta::Type;

/// Database engines the studio knows about.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, Type)]
#[serde(rename_all = "lowercase")]
pub enum EngineDto {
    /// PostgreSQL (source and target).
    Postgres,
    /// Oracle Database (planned; not available in this build).
    Oracle,
}

/// Whether an engine can be used in this build, with a sentence for the UI when it cannot.
#[derive(Clone, Debug, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct EngineInfo {
    /// Engine identifier.
    pub engine: EngineDto,
    /// Human label, e.g. "PostgreSQL".
    pub label: String,
    /// Default TCP port for new profiles.
    pub default_port: u32,
    /// True when profiles of this engine can be saved, tested and discovered.
    pub available: bool,
    /// Why the engine is not available yet (empty when it is).
    pub note: String,
}

/// Environment label of a connection; the UI colours it green / amber / red.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, Type)]
#[serde(rename_all = "lowercase")]
pub enum EnvironmentDto {
    /// Development.
    Dev,
    /// Test / staging.
    Test,
    /// Production.
    Prod,
}

/// A saved connection profile (never carries the password).
#[derive(Clone, Debug, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct ProfileDto {
    /// Stable identifier.
    pub id: String,
    /// Unique display name.
    pub name: String,
    /// Engine of the database.
    pub engine: EngineDto,
    /// Host name or address.
    pub host: String,
    /// TCP port.
    pub port: u32,
    /// Database name.
    pub database: String,
    /// User name.
    pub username: String,
    /// Environment label.
    pub environment: EnvironmentDto,
    /// Creation time (RFC 3339).
    pub created_at: String,
    /// Last update time (RFC 3339).
    pub updated_at: String,
}

/// What the UI sends to create (`id` null) or update a profile.
#[derive(Clone, Debug, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct ProfileInputDto {
    /// Existing profile id when editing, null when creating.
    pub id: Option<String>,
    /// Unique display name.
    pub name: String,
    /// Engine of the database.
    pub engine: EngineDto,
    /// Host name or address.
    pub host: String,
    /// TCP port (1–65535).
    pub port: u32,
    /// Database name.
    pub database: String,
    /// User name.
    pub username: String,
    /// Environment label.
    pub environment: EnvironmentDto,
    /// New password to store in the OS keyring; null keeps the stored one, "" removes it.
    pub password: Option<String>,
}

/// Result of a successful connection test.
#[derive(Clone, Debug, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct HealthDto {
    /// Server version string, e.g. "15.8".
    pub server_version: String,
    /// User the session runs as.
    pub user: String,
    /// Database connected to.
    pub database: String,
    /// Round-trip latency in milliseconds.
    pub latency_ms: f64,
    /// Privileges the user holds that matter for a migration.
    pub privileges: Vec<String>,
}

/// Kinds of database objects shown in the Discovery tree.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub enum ObjectKindDto {
    /// A schema (namespace).
    Schema,
    /// An ordinary or partitioned table.
    Table,
    /// A view.
    View,
    /// A materialized view.
    MaterializedView,
    /// A sequence.
    Sequence,
    /// A function or procedure.
    Routine,
    /// A user-defined type.
    Type,
    /// An index.
    Index,
    /// A trigger.
    Trigger,
    /// A constraint.
    Constraint,
}

/// Number of objects of one kind.
#[derive(Clone, Debug, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct KindCount {
    /// Object kind.
    pub kind: ObjectKindDto,
    /// How many objects of that kind.
    pub count: u32,
}

/// One object in the Discovery tree.
#[derive(Clone, Debug, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct ObjectNode {
    /// Object kind.
    pub kind: ObjectKindDto,
    /// Schema that holds the object.
    pub schema: String,
    /// Object name (for indexes and triggers, their own name).
    pub name: String,
    /// Planner's row estimate (tables only; null when unknown).
    pub row_estimate: Option<f64>,
    /// Total size on disk in bytes, including indexes and TOAST (tables only; null when unknown).
    pub total_bytes: Option<f64>,
    /// Dependent objects shown beneath it (a table's indexes and triggers).
    pub children: Vec<ObjectNode>,
}

/// Objects of one kind within a schema.
#[derive(Clone, Debug, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct KindGroup {
    /// Object kind of every object in the group.
    pub kind: ObjectKindDto,
    /// The objects, in catalog order.
    pub objects: Vec<ObjectNode>,
}

/// One schema with its objects grouped by kind (empty groups omitted).
#[derive(Clone, Debug, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct SchemaNode {
    /// Schema name.
    pub name: String,
    /// Object groups, one per non-empty kind.
    pub groups: Vec<KindGroup>,
}

/// The Discovery tree of one connection.
#[derive(Clone, Debug, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct CatalogTree {
    /// Profile the catalog was read from.
    pub profile_id: String,
    /// Schemas, in catalog order.
    pub schemas: Vec<SchemaNode>,
    /// Object counts per kind over the whole catalog.
    pub counts: Vec<KindCount>,
}

/// Identifies one object whose DDL the UI asks for.
#[derive(Clone, Debug, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct ObjectRefDto {
    /// Object kind.
    pub kind: ObjectKindDto,
    /// Schema that holds the object.
    pub schema: String,
    /// Object name.
    pub name: String,
}

/// Error returned by every command: one message a person can act on (never a secret).
#[derive(Clone, Debug, Serialize, Type, thiserror::Error)]
#[error("{message}")]
pub struct CommandError {
    /// The message to show.
    pub message: String,
}

impl CommandError {
    /// Builds an error from anything displayable.
    pub fn new(message: impl std::fmt::Display) -> Self {
        Self {
            message: message.to_string(),
        }
    }
}
