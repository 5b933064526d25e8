//! Which schemas and objects a discovery reads.

use globset::{Glob, GlobSet, GlobSetBuilder};

/// Selects schemas by name and objects by glob patterns. The default selects every user schema.
#[derive(Clone, Debug, Default)]
pub struct SchemaFilter {
    /// Schemas to read; empty means every schema that is not a system or extension schema.
    pub schemas: Vec<String>,
    /// Object name patterns to keep (`*`, `?`, `[…]`), matched against `name` and `schema.name`;
    /// empty keeps everything.
    pub include: Vec<String>,
    /// Object name patterns to drop, applied after `include`.
    pub exclude: Vec<String>,
}

/// A pattern that is not a valid glob.
#[derive(Debug, thiserror::Error)]
#[error("invalid name pattern {pattern:?}: {reason}")]
pub struct FilterError {
    pub pattern: String,
    pub reason: String,
}

/// A compiled [`SchemaFilter`].
#[derive(Debug)]
pub(crate) struct CompiledFilter {
    include: Option<GlobSet>,
    exclude: Option<GlobSet>,
}

fn compile(patterns: &[String]) -> Result<Option<GlobSet>, FilterError> {
    if patterns.is_empty() {
        return Ok(None);
    }
    let mut builder = GlobSetBuilder::new();
    for p in patterns {
        let glob = Glob::new(p).map_err(|e| FilterError {
            pattern: p.clone(),
            reason: e.kind().to_string(),
        })?;
        builder.add(glob);
    }
    builder.build().map(Some).map_err(|e| FilterError {
        pattern: patterns.join(", "),
        reason: e.to_string(),
    })
}

impl SchemaFilter {
    /// Checks the patterns without reading anything; the error names the first invalid one.
    pub fn validate(&self) -> Result<(), FilterError> {
        self.compile().map(|_| ())
    }

    pub(crate) fn compile(&self) -> Result<CompiledFilter, FilterError> {
        Ok(CompiledFilter {
            include: compile(&self.include)?,
            exclude: compile(&self.exclude)?,
        })
    }
}

impl CompiledFilter {
    /// True when object `name` of `schema` passes the include and exclude patterns.
    pub(crate) fn keeps(&self, schema: &str, name: &str) -> bool {
        let qualified = format!("{schema}.{name}");
        let matches = |set: &GlobSet| set.is_match(name) || set.is_match(&qualified);
        self.include.as_ref().is_none_or(matches) && !self.exclude.as_ref().is_some_and(matches)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn filter(include: &[&str], exclude: &[&str]) -> CompiledFilter {
        SchemaFilter {
            schemas: vec![],
            include: include.iter().map(|s| s.to_string()).collect(),
            exclude: exclude.iter().map(|s| s.to_string()).collect(),
        }
        .compile()
        .unwrap()
    }

    #[test]
    fn include_and_exclude_match_plain_or_qualified_names() {
        let f = filter(&["order*", "shop.customers"], &["*_archive"]);
        assert!(f.keeps("shop", "orders"));
        assert!(f.keeps("shop", "customers"));
        assert!(!f.keeps("crm", "customers"));
        assert!(!f.keeps("shop", "orders_archive"));
        assert!(!f.keeps("shop", "products"));
    }

    #[test]
    fn no_patterns_keep_everything() {
        assert!(filter(&[], &[]).keeps("any", "thing"));
    }

    #[test]
    fn a_bad_pattern_is_named_in_the_error() {
        let err = SchemaFilter {
            include: vec!["a[".into()],
            ..Default::default()
        }
        .validate()
        .unwrap_err();
        assert!(err.to_string().contains("\"a[\""), "{err}");
        let exclude = SchemaFilter {
            exclude: vec!["ok*".into(), "b{".into()],
            ..Default::default()
        };
        assert_eq!(exclude.validate().unwrap_err().pattern, "b{");
    }
}
