//! PostgreSQL as a Godwit source and target: connections with actionable errors ([`connect`]), the
//! catalog reader ([`read`]) and the DDL writer ([`ddl`]).

pub mod connect;
pub mod ddl;
pub mod filter;
pub mod read;

pub use connect::{connect, health, redact_url, ConnectError, HealthReport};
pub use ddl::{object_ddl, render, DdlScript, DdlStatement, Phase};
pub use filter::{FilterError, SchemaFilter};
pub use read::{discover, ReadError};
