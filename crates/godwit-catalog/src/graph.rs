//! Dependencies between catalog objects and the order in which to create them.
//!
//! Tables are ordered so that a table comes after the tables its foreign keys reference and after the
//! table it is a partition of. Foreign keys that close a cycle cannot be created with their table; they
//! are returned in [`CreationOrder::deferred_foreign_keys`] to be added after the data is loaded.

use crate::model::{Catalog, ConstraintKind, ObjectKind, ObjectRef, UserType};
use crate::names::QualifiedName;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};

/// Why one object needs another.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum DependencyReason {
    ForeignKey { constraint: String },
    PartitionOf,
    ViewReads,
    UsesType { column: String },
    TriggerFunction { trigger: String },
}

/// `from` cannot exist before `to`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Dependency {
    pub from: ObjectRef,
    pub to: ObjectRef,
    pub reason: DependencyReason,
}

fn object(kind: ObjectKind, name: &QualifiedName) -> ObjectRef {
    ObjectRef {
        kind,
        schema: name.schema.clone(),
        name: name.name.clone(),
    }
}

/// Every dependency between objects of `catalog` (references to objects outside it are left out).
pub fn dependencies(catalog: &Catalog) -> Vec<Dependency> {
    let user_types: BTreeMap<String, QualifiedName> = catalog
        .schemas
        .iter()
        .flat_map(|s| {
            s.types
                .iter()
                .map(move |t| QualifiedName::new(&s.name, t.name()))
        })
        .map(|q| (q.to_string(), q))
        .collect();
    let type_of = |type_name: &str| user_types.get(type_name.trim_end_matches("[]")).cloned();
    let mut relations: BTreeMap<QualifiedName, ObjectKind> = BTreeMap::new();
    for s in &catalog.schemas {
        for t in &s.tables {
            relations.insert(QualifiedName::new(&s.name, &t.name), ObjectKind::Table);
        }
        for v in &s.views {
            let kind = if v.materialized {
                ObjectKind::MaterializedView
            } else {
                ObjectKind::View
            };
            relations.insert(QualifiedName::new(&s.name, &v.name), kind);
        }
    }
    let routines: BTreeSet<QualifiedName> = catalog
        .schemas
        .iter()
        .flat_map(|s| {
            s.routines
                .iter()
                .map(move |r| QualifiedName::new(&s.name, &r.name))
        })
        .collect();

    let mut deps = Vec::new();
    for s in &catalog.schemas {
        for t in &s.tables {
            let me = object(ObjectKind::Table, &QualifiedName::new(&s.name, &t.name));
            for c in &t.columns {
                if let Some(ty) = type_of(&c.data_type.name) {
                    deps.push(Dependency {
                        from: me.clone(),
                        to: object(ObjectKind::Type, &ty),
                        reason: DependencyReason::UsesType {
                            column: c.name.clone(),
                        },
                    });
                }
            }
            for con in &t.constraints {
                if let ConstraintKind::ForeignKey {
                    referenced_table, ..
                } = &con.kind
                {
                    if relations.contains_key(referenced_table) {
                        deps.push(Dependency {
                            from: me.clone(),
                            to: object(ObjectKind::Table, referenced_table),
                            reason: DependencyReason::ForeignKey {
                                constraint: con.name.clone(),
                            },
                        });
                    }
                }
            }
            if let Some(p) = &t.partition_of {
                deps.push(Dependency {
                    from: me.clone(),
                    to: object(ObjectKind::Table, &p.parent),
                    reason: DependencyReason::PartitionOf,
                });
            }
            for trg in &t.triggers {
                if routines.contains(&trg.function) {
                    deps.push(Dependency {
                        from: me.clone(),
                        to: object(ObjectKind::Routine, &trg.function),
                        reason: DependencyReason::TriggerFunction {
                            trigger: trg.name.clone(),
                        },
                    });
                }
            }
        }
        for v in &s.views {
            let name = QualifiedName::new(&s.name, &v.name);
            let me = object(
                if v.materialized {
                    ObjectKind::MaterializedView
                } else {
                    ObjectKind::View
                },
                &name,
            );
            for target in &v.depends_on {
                let kind = match relations.get(target) {
                    Some(kind) => *kind,
                    None if routines.contains(target) => ObjectKind::Routine,
                    None => continue,
                };
                if target != &name {
                    deps.push(Dependency {
                        from: me.clone(),
                        to: object(kind, target),
                        reason: DependencyReason::ViewReads,
                    });
                }
            }
        }
        for ty in &s.types {
            let me = object(ObjectKind::Type, &QualifiedName::new(&s.name, ty.name()));
            let used: Vec<(String, &str)> = match ty {
                UserType::Enum { .. } => vec![],
                UserType::Composite { attributes, .. } => attributes
                    .iter()
                    .map(|(n, t)| (n.clone(), t.name.as_str()))
                    .collect(),
                UserType::Domain { base, .. } => vec![(String::new(), base.name.as_str())],
            };
            for (column, type_name) in used {
                if let Some(target) = type_of(type_name) {
                    deps.push(Dependency {
                        from: me.clone(),
                        to: object(ObjectKind::Type, &target),
                        reason: DependencyReason::UsesType { column },
                    });
                }
            }
        }
    }
    deps
}

/// The order in which to create a catalog's objects.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CreationOrder {
    /// User types, each after the types it uses.
    pub types: Vec<QualifiedName>,
    /// Tables, each after its partition parent and the tables its non-deferred foreign keys reference.
    pub tables: Vec<QualifiedName>,
    /// Views and materialized views, each after the views it reads.
    pub views: Vec<QualifiedName>,
    /// Foreign keys (table, constraint name) on a cycle: add them after the data.
    pub deferred_foreign_keys: Vec<(QualifiedName, String)>,
}

/// Orders nodes so each comes after the nodes in its `needs` set. When the remaining nodes all wait on
/// each other (a cycle), `break_cycle` is told the smallest remaining node and the nodes still pending,
/// and must return the needs it gives up.
fn topological<F>(
    mut needs: BTreeMap<QualifiedName, BTreeSet<QualifiedName>>,
    mut break_cycle: F,
) -> Vec<QualifiedName>
where
    F: FnMut(&QualifiedName, &BTreeSet<QualifiedName>) -> BTreeSet<QualifiedName>,
{
    let mut order = Vec::with_capacity(needs.len());
    while !needs.is_empty() {
        let pending: BTreeSet<QualifiedName> = needs.keys().cloned().collect();
        let ready: Vec<QualifiedName> = needs
            .iter()
            .filter(|(node, n)| n.iter().all(|d| d == *node || !pending.contains(d)))
            .map(|(node, _)| node.clone())
            .collect();
        if ready.is_empty() {
            let victim = pending
                .iter()
                .next()
                .cloned()
                .expect("pending is not empty");
            let given_up = break_cycle(&victim, &pending);
            let entry = needs.get_mut(&victim).expect("victim is pending");
            entry.retain(|d| !given_up.contains(d));
            if given_up.is_empty() {
                entry.clear();
            }
            continue;
        }
        for node in ready {
            needs.remove(&node);
            order.push(node);
        }
    }
    order
}

/// Computes the creation order of `catalog`, breaking foreign-key cycles deterministically.
pub fn creation_order(catalog: &Catalog) -> CreationOrder {
    let deps = dependencies(catalog);
    let qualified = |o: &ObjectRef| QualifiedName::new(&o.schema, &o.name);

    let mut type_needs: BTreeMap<QualifiedName, BTreeSet<QualifiedName>> = BTreeMap::new();
    let mut table_needs: BTreeMap<QualifiedName, BTreeSet<QualifiedName>> = BTreeMap::new();
    let mut view_needs: BTreeMap<QualifiedName, BTreeSet<QualifiedName>> = BTreeMap::new();
    for s in &catalog.schemas {
        for t in &s.types {
            type_needs.insert(QualifiedName::new(&s.name, t.name()), BTreeSet::new());
        }
        for t in &s.tables {
            table_needs.insert(QualifiedName::new(&s.name, &t.name), BTreeSet::new());
        }
        for v in &s.views {
            view_needs.insert(QualifiedName::new(&s.name, &v.name), BTreeSet::new());
        }
    }
    // Foreign keys by (table, referenced table), to know which constraints a broken edge defers.
    let mut fk_edges: BTreeMap<(QualifiedName, QualifiedName), Vec<String>> = BTreeMap::new();
    let mut partition_edges: BTreeSet<(QualifiedName, QualifiedName)> = BTreeSet::new();
    for d in &deps {
        let (from, to) = (qualified(&d.from), qualified(&d.to));
        match (&d.from.kind, &d.to.kind, &d.reason) {
            (ObjectKind::Type, ObjectKind::Type, _) => {
                type_needs.entry(from).or_default().insert(to);
            }
            (ObjectKind::Table, ObjectKind::Table, DependencyReason::ForeignKey { constraint }) => {
                if from != to {
                    fk_edges
                        .entry((from.clone(), to.clone()))
                        .or_default()
                        .push(constraint.clone());
                    table_needs.entry(from).or_default().insert(to);
                }
            }
            (ObjectKind::Table, ObjectKind::Table, DependencyReason::PartitionOf) => {
                partition_edges.insert((from.clone(), to.clone()));
                table_needs.entry(from).or_default().insert(to);
            }
            (
                ObjectKind::View | ObjectKind::MaterializedView,
                ObjectKind::View | ObjectKind::MaterializedView,
                _,
            ) => {
                view_needs.entry(from).or_default().insert(to);
            }
            _ => {}
        }
    }

    let types = topological(type_needs, |_, pending| pending.clone());
    let mut deferred = Vec::new();
    let tables = topological(table_needs, |victim, pending| {
        // Give up the victim's foreign keys into the cycle; a partition edge is never given up.
        let mut given_up = BTreeSet::new();
        for ((from, to), constraints) in
            fk_edges.range((victim.clone(), QualifiedName::new("", ""))..)
        {
            if from != victim {
                break;
            }
            if pending.contains(to) && !partition_edges.contains(&(from.clone(), to.clone())) {
                given_up.insert(to.clone());
                deferred.extend(constraints.iter().map(|c| (from.clone(), c.clone())));
            }
        }
        given_up
    });
    let views = topological(view_needs, |_, pending| pending.clone());
    deferred.sort();
    CreationOrder {
        types,
        tables,
        views,
        deferred_foreign_keys: deferred,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::*;

    fn table(name: &str, fks: &[(&str, &str)]) -> Table {
        Table {
            constraints: fks
                .iter()
                .map(|(con, target)| Constraint {
                    name: (*con).into(),
                    kind: ConstraintKind::ForeignKey {
                        columns: vec!["x".into()],
                        referenced_table: QualifiedName::new("s", *target),
                        referenced_columns: vec!["id".into()],
                        on_update: ForeignKeyAction::NoAction,
                        on_delete: ForeignKeyAction::NoAction,
                        match_type: ForeignKeyMatch::Simple,
                    },
                    deferrable: false,
                    initially_deferred: false,
                    validated: true,
                    comment: None,
                })
                .collect(),
            ..Table::new(name)
        }
    }

    fn catalog(tables: Vec<Table>) -> Catalog {
        Catalog {
            schemas: vec![Schema {
                name: "s".into(),
                tables,
                ..Default::default()
            }],
        }
    }

    fn names(order: &[QualifiedName]) -> Vec<&str> {
        order.iter().map(|q| q.name.as_str()).collect()
    }

    #[test]
    fn referenced_tables_come_first() {
        let c = catalog(vec![
            table(
                "a_lines",
                &[
                    ("lines_order_fk", "b_orders"),
                    ("lines_product_fk", "c_products"),
                ],
            ),
            table("b_orders", &[("orders_customer_fk", "d_customers")]),
            table("c_products", &[]),
            table("d_customers", &[]),
        ]);
        let order = creation_order(&c);
        assert_eq!(
            names(&order.tables),
            ["c_products", "d_customers", "b_orders", "a_lines"]
        );
        assert!(order.deferred_foreign_keys.is_empty());
    }

    #[test]
    fn a_cycle_defers_exactly_one_foreign_key() {
        let c = catalog(vec![
            table("dept", &[("dept_manager_fk", "emp")]),
            table("emp", &[("emp_dept_fk", "dept"), ("emp_boss_fk", "emp")]),
        ]);
        let order = creation_order(&c);
        assert_eq!(names(&order.tables), ["dept", "emp"]);
        assert_eq!(
            order.deferred_foreign_keys,
            vec![(
                QualifiedName::new("s", "dept"),
                "dept_manager_fk".to_string()
            )]
        );
    }

    #[test]
    fn self_references_are_not_cycles() {
        let c = catalog(vec![table("emp", &[("emp_boss_fk", "emp")])]);
        let order = creation_order(&c);
        assert_eq!(names(&order.tables), ["emp"]);
        assert!(order.deferred_foreign_keys.is_empty());
    }

    #[test]
    fn partitions_follow_their_parent() {
        let mut part = table("a_2024", &[]);
        part.partition_of = Some(PartitionOf {
            parent: QualifiedName::new("s", "z_sales"),
            bound: "DEFAULT".into(),
        });
        let c = catalog(vec![part, table("z_sales", &[])]);
        assert_eq!(names(&creation_order(&c).tables), ["z_sales", "a_2024"]);
    }

    #[test]
    fn views_follow_the_views_they_read() {
        let view = |name: &str, reads: &[&str]| View {
            name: name.into(),
            materialized: false,
            query: "SELECT 1".into(),
            columns: vec![],
            check_option: None,
            indexes: vec![],
            depends_on: reads.iter().map(|r| QualifiedName::new("s", *r)).collect(),
            comment: None,
            column_comments: vec![],
        };
        let mut c = catalog(vec![table("t", &[])]);
        c.schemas[0].views = vec![
            view("a_top", &["b_mid"]),
            view("b_mid", &["c_base"]),
            view("c_base", &["t"]),
        ];
        assert_eq!(
            names(&creation_order(&c).views),
            ["c_base", "b_mid", "a_top"]
        );
        let deps = dependencies(&c);
        assert!(deps
            .iter()
            .any(|d| d.from.name == "c_base" && d.to.kind == ObjectKind::Table));
    }

    #[test]
    fn object_counts_cover_every_kind() {
        let c = catalog(vec![table("a", &[("fk", "b")]), table("b", &[])]);
        let counts: BTreeMap<_, _> = c.object_counts().into_iter().collect();
        assert_eq!(counts[&ObjectKind::Table], 2);
        assert_eq!(counts[&ObjectKind::Constraint], 1);
        assert_eq!(counts[&ObjectKind::View], 0);
        assert_eq!(counts.len(), ObjectKind::ALL.len());
    }
}
