//! The routing check: what cannot be routed, what conflicts, what takes a built-in's place.

use std::collections::HashMap;

use crate::template::{Template, TemplateError};

/// An operation's route: its method and its full path template.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Route<'a> {
    /// The HTTP method (any case).
    pub method: &'a str,
    /// The path template, with any mount prefix.
    pub path: &'a str,
}

/// A problem, or a notable fact, about a set of routes. Indices are into the slices given to
/// [`check`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Finding {
    /// `routes[route]`'s template cannot be routed.
    Unroutable {
        /// Index into the routes.
        route: usize,
        /// Why.
        error: TemplateError,
    },
    /// `routes[second]` has the method and the shape of `routes[first]`: both cannot be served.
    Conflict {
        /// The route found first.
        first: usize,
        /// The route that repeats it.
        second: usize,
    },
    /// `routes[route]` has the method and the shape of `builtins[builtin]`: the spec's route
    /// is served there, the built-in is not.
    ShadowsBuiltin {
        /// Index into the routes.
        route: usize,
        /// Index into the built-ins.
        builtin: usize,
    },
}

/// Checks the routes of the operations served together and the built-ins beside them (the
/// built-ins' templates are taken as valid and distinct). Unroutable templates and conflicts
/// come first, in the routes' order, then the built-ins shadowed, in theirs.
pub fn check(routes: &[Route<'_>], builtins: &[Route<'_>]) -> Vec<Finding> {
    let mut findings = Vec::new();
    let mut seen: HashMap<(String, String), usize> = HashMap::new();
    for (index, route) in routes.iter().enumerate() {
        let template = match Template::parse(route.path) {
            Ok(template) => template,
            Err(error) => {
                findings.push(Finding::Unroutable {
                    route: index,
                    error,
                });
                continue;
            }
        };
        let key = (route.method.to_ascii_uppercase(), template.shape());
        match seen.get(&key) {
            Some(&first) => findings.push(Finding::Conflict {
                first,
                second: index,
            }),
            None => {
                seen.insert(key, index);
            }
        }
    }
    for (builtin, route) in builtins.iter().enumerate() {
        let Ok(template) = Template::parse(route.path) else {
            continue;
        };
        let key = (route.method.to_ascii_uppercase(), template.shape());
        if let Some(&route) = seen.get(&key) {
            findings.push(Finding::ShadowsBuiltin { route, builtin });
        }
    }
    findings
}
