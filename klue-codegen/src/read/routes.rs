//! The routing check of a spec's operations, as the server applies it at start-up
//! ([`klue_route::check`]): templates it cannot route and true conflicts are errors, an
//! operation in a built-in's place is a warning (the spec's operation wins).

use std::path::Path;

use klue_route::{Finding, Route, BUILTINS};

use crate::diagnostics::{join, Collector, Diagnostic};
use crate::locate::SourceMap;
use crate::model::Api;

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
                collector.error_help(
                    &op.pointer,
                    format!(
                        "{} {} (operation '{}') has the same shape as {} {} (operation '{}'): \
                         both match the same requests, so they cannot both be served",
                        op.method, op.path, op.id, first.method, first.path, first.id
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
    let warnings = collector.take_warnings();
    (collector.finish(), warnings)
}
