//! The routing check of a spec's operations, as the server applies it at start-up
//! ([`klue_route::check`]): templates it cannot route are errors; two operations of one
//! method and shape (the first is served), an operation in a built-in's place (the spec's
//! operation wins) and a selector naming no parameter of its operation are warnings.

use std::path::Path;

use klue_route::{Finding, Route, Template, BUILTINS};

use crate::diagnostics::{join, Collector, Diagnostic};
use crate::locate::SourceMap;
use crate::model::{Api, Operation, ParamLocation};

/// The errors and the warnings of routing `api`'s operations, served as the spec writes their
/// paths beside klue's built-ins at the root.
pub(super) fn check(
    file: &Path,
    source: &SourceMap,
    api: &Api,
) -> (Vec<Diagnostic>, Vec<Diagnostic>) {
    let routes: Vec<Route<'_>> = api
        .operations
        .iter()
        .map(|op| Route {
            method: &op.method,
            path: &op.path,
        })
        .collect();
    let builtins: Vec<Route<'_>> = BUILTINS
        .iter()
        .map(|b| Route {
            method: "GET",
            path: b.path,
        })
        .collect();
    let mut collector = Collector::new(file.to_path_buf(), source);
    for finding in klue_route::check(&routes, &builtins) {
        match finding {
            Finding::Unroutable { route, error } => {
                let op = &api.operations[route];
                collector.error_help(
                    &join("/paths", &op.path),
                    format!("path '{}' cannot be routed: {error}", op.path),
                    "put literal text between the parameters (e.g. `{a}-{b}`), or make them one \
                     parameter",
                );
            }
            Finding::Conflict { first, second } => {
                let (first, op) = (&api.operations[first], &api.operations[second]);
                // The spec's own ambiguity: the server serves the first declared, so that the
                // rest of the spec still serves; the other operation cannot be reached.
                collector.warn_help(
                    &op.pointer,
                    format!(
                        "{} {} (operation '{}') has the same shape as {} {} (operation '{}'): \
                         both match the same requests; '{}' is served, '{}' cannot be reached",
                        op.method,
                        op.path,
                        op.id,
                        first.method,
                        first.path,
                        first.id,
                        first.id,
                        op.id
                    ),
                    "paths that differ only in their parameters' names are one path: merge the \
                     operations or change one path",
                );
            }
            Finding::ShadowsBuiltin { route, builtin } => {
                let op = &api.operations[route];
                collector.warn_help(
                    &op.pointer,
                    format!(
                        "GET {} is also klue's built-in {}: the spec's operation '{}' is served \
                         there, the built-in is not",
                        op.path, BUILTINS[builtin].name, op.id
                    ),
                    "to keep klue's built-in too, serve the built-ins under a prefix: \
                     KLUE_BUILTINS_PREFIX=/_klue or the service's --builtins-prefix /_klue",
                );
            }
        }
    }
    for op in &api.operations {
        check_selector(&mut collector, op);
    }
    let warnings = collector.take_warnings();
    (collector.finish(), warnings)
}

/// Warns about each item of `op`'s selector (the `#...`/`?...` of its path) that names no
/// query or header parameter of `op`: the server still selects on it, but only a client that
/// sends what the spec does not declare reaches the operation (box.com's
/// `/files/{file_id}#add_shared_link` differs from `/files/{file_id}` in its body only).
fn check_selector(collector: &mut Collector<'_>, op: &Operation) {
    let Ok(template) = Template::parse(&op.path) else {
        return;
    };
    let Some(selector) = template.selector() else {
        return;
    };
    for item in selector.items() {
        // `name={param}` hands the value to `param`, wherever the spec declares it.
        let declared = op.parameters.iter().any(|param| match param.location {
            _ if item.param.as_ref() == Some(&param.name) => true,
            ParamLocation::Query => param.name == item.name,
            ParamLocation::Header => param.name.eq_ignore_ascii_case(&item.name),
            _ => false,
        });
        if !declared {
            collector.warn_help(
                &op.pointer,
                format!(
                    "{} {} (operation '{}') is chosen by '{}', which is none of its query or \
                     header parameters: only a request sending '{}' anyway reaches it",
                    op.method, op.path, op.id, item.name, item.name
                ),
                "what follows `#` or `?` in a path chooses among the operations of one path \
                 and method by a query or header value: declare it as a parameter",
            );
        }
    }
}
