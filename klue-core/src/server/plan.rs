//! What a server routes before it is compiled: the APIs' operations, checked with
//! [`klue_route::check`] (the rule `klue check` applies too), and the built-ins, under
//! `builtins_prefix`, except where an API's own operation takes their place.

use std::sync::Arc;

use bytes::Bytes;
use http::HeaderValue;
use klue_route::{Finding, Route, BUILTINS};

use super::routes::Action;
use super::{BuildError, Mounted};
use crate::builtin::{self, VersionInfo};
use crate::config::ServerConfig;
use crate::health::HealthChecks;
use crate::hooks::LayerFn;
use crate::registry::{ApiInfo, OperationSpec};
use crate::served_spec::ServedSpec;

/// An operation before it is compiled: where, what, and its layers (innermost first).
pub(super) struct Planned {
    pub(super) template: String,
    pub(super) spec: &'static OperationSpec,
    /// `None`: the `/metrics` action, made once the metrics slots are known.
    pub(super) action: Option<Action>,
    pub(super) layers: Vec<LayerFn>,
}

/// Whether the setting of `switch` (a built-in's, see [`klue_route::Builtin`]) serves it.
fn switched_on(switch: Option<&str>, config: &ServerConfig) -> bool {
    match switch {
        Some("KLUE_HEALTH") => config.builtins.health,
        Some("KLUE_METRICS") => config.builtins.metrics,
        Some("KLUE_DOCS") => config.builtins.docs,
        _ => true,
    }
}

/// What checking the routes found that the server works around.
#[derive(Default)]
pub(super) struct Checked {
    /// The paths of the built-ins an API operation takes (the spec's operation wins).
    pub(super) shadowed: Vec<String>,
    /// Operations of one API with the method and shape of an earlier one of the same API:
    /// the earlier is served, these cannot be reached (as `klue check` warns).
    pub(super) unreachable: Vec<&'static OperationSpec>,
}

impl Checked {
    /// Whether `spec` is one of the unreachable operations.
    pub(super) fn is_unreachable(&self, spec: &'static OperationSpec) -> bool {
        self.unreachable.iter().any(|u| std::ptr::eq(*u, spec))
    }
}

/// Checks the APIs' routes together: a template that cannot be routed, or two operations of
/// different APIs with the same method and shape, is an error; within one API the first
/// declared is served and the other logged as unreachable; a built-in an API operation takes
/// is not served (logged once).
pub(super) fn check_routes(apis: &[Mounted], config: &ServerConfig) -> Result<Checked, BuildError> {
    let operations: Vec<(String, &'static OperationSpec, usize)> = apis
        .iter()
        .enumerate()
        .flat_map(|(api, mounted)| {
            let prefix = &mounted.prefix;
            let operations = mounted.router.operations.iter();
            operations.map(move |(spec, _)| (format!("{prefix}{}", spec.path), *spec, api))
        })
        .collect();
    let routes: Vec<Route<'_>> = operations
        .iter()
        .map(|(path, spec, _)| Route {
            method: spec.method.as_str(),
            path,
        })
        .collect();
    let builtins: Vec<(String, &klue_route::Builtin)> = BUILTINS
        .iter()
        .filter(|b| switched_on(b.switch, config))
        .map(|b| (format!("{}{}", config.builtins_prefix, b.path), b))
        .collect();
    let builtin_routes: Vec<Route<'_>> = builtins
        .iter()
        .map(|(path, _)| Route {
            method: "GET",
            path,
        })
        .collect();
    let findings = klue_route::check(&routes, &builtin_routes);
    let mut checked = Checked::default();
    for finding in &findings {
        match *finding {
            Finding::Unroutable { route, ref error } => {
                return Err(BuildError::InvalidPath {
                    path: operations[route].0.clone(),
                    reason: error.to_string(),
                })
            }
            Finding::Conflict { first, second } => {
                let (first_path, first, first_api) = &operations[first];
                let (second_path, second, second_api) = &operations[second];
                if first_api == second_api {
                    // The spec's own ambiguity: generation warned; serve the first.
                    tracing::warn!(
                        operation = second.id,
                        "{} {second_path} (operation '{}') has the shape of {} {first_path} \
                         (operation '{}'), which is served there: '{}' cannot be reached",
                        second.method,
                        second.id,
                        first.method,
                        first.id,
                        second.id,
                    );
                    checked.unreachable.push(second);
                    continue;
                }
                let path = if first_path == second_path {
                    second_path.clone()
                } else {
                    format!("{second_path} (the route of {first_path})")
                };
                return Err(BuildError::DuplicateOperation {
                    method: second.method.clone(),
                    path,
                    first: first.id.to_owned(),
                    second: second.id.to_owned(),
                });
            }
            Finding::ShadowsBuiltin { route, builtin } => {
                checked.shadowed.push(builtins[builtin].0.clone());
                let (path, spec, _) = &operations[route];
                log_shadowed(path, spec, builtins[builtin].1, config);
            }
        }
    }
    Ok(checked)
}

/// One line: which built-in an operation of the spec takes the place of, and where the
/// built-in still is, if anywhere.
fn log_shadowed(
    path: &str,
    spec: &OperationSpec,
    builtin: &klue_route::Builtin,
    config: &ServerConfig,
) {
    let elsewhere = if config.builtins_prefix.is_empty() {
        "; --builtins-prefix (KLUE_BUILTINS_PREFIX), e.g. /_klue, serves klue's built-ins under a \
         prefix instead"
    } else {
        ""
    };
    tracing::warn!(
        operation = spec.id,
        builtin = builtin.name,
        "GET {path} is the spec's operation '{}': klue's built-in {} is not served{elsewhere}",
        spec.id,
        builtin.name,
    );
}

/// The built-ins the server mounts, under `builtins_prefix`, except the `shadowed` paths.
pub(super) fn builtins(
    config: &ServerConfig,
    health: HealthChecks,
    version: &VersionInfo,
    served: &[(&'static ApiInfo, ServedSpec)],
    shadowed: &[String],
) -> Vec<Planned> {
    let prefix = config.builtins_prefix.as_str();
    let fixed = |spec: &'static OperationSpec, content_type: &'static str, body: Bytes| Planned {
        template: format!("{prefix}{}", spec.path),
        spec,
        action: Some(Action::Static {
            body,
            content_type: HeaderValue::from_static(content_type),
        }),
        layers: Vec::new(),
    };
    let version_body = builtin::version_body(version);
    let json = "application/json";
    let mut planned = vec![
        fixed(&builtin::PING, json, builtin::PING_BODY),
        fixed(&builtin::VERSION, json, version_body.clone()),
        fixed(&builtin::AUTH_VERSION, json, version_body),
    ];
    let at = |spec: &'static OperationSpec, action| Planned {
        template: format!("{prefix}{}", spec.path),
        spec,
        action,
        layers: Vec::new(),
    };
    if config.builtins.health {
        let checks = health.with_timeout(config.health_timeout);
        planned.push(at(&builtin::HEALTH, Some(Action::Health(Arc::new(checks)))));
    }
    if config.builtins.metrics {
        planned.push(at(&builtin::METRICS, None));
    }
    if config.builtins.docs {
        for route in crate::docs::routes(served, prefix) {
            planned.push(Planned {
                template: format!("{prefix}{}", route.path),
                spec: route.spec,
                action: Some(Action::Static {
                    body: route.body,
                    content_type: route.content_type,
                }),
                layers: Vec::new(),
            });
        }
    }
    planned.retain(|plan| !shadowed.contains(&plan.template));
    planned
}

#[cfg(test)]
mod tests {
    use bytes::Bytes;

    use crate::builtin::VersionInfo;
    use crate::config::ServerConfig;
    use crate::health::HealthChecks;
    use crate::registry::ApiInfo;
    use crate::served_spec::ServedSpec;

    static INFO: ApiInfo = ApiInfo {
        name: "t",
        title: "t",
        version: "1",
        spec_json: "{}",
    };

    fn mounted(config: &ServerConfig, shadowed: &[String]) -> Vec<String> {
        let served = [(
            &INFO,
            ServedSpec {
                json: Bytes::new(),
                yaml: Bytes::new(),
            },
        )];
        let version = VersionInfo {
            name: "t".to_owned(),
            version: "1".to_owned(),
            container: String::new(),
        };
        super::builtins(config, HealthChecks::default(), &version, &served, shadowed)
            .into_iter()
            .map(|plan| plan.template)
            .collect()
    }

    /// `klue check` reports collisions with `klue_route::BUILTINS`: it must be what is served.
    #[test]
    fn the_builtins_klue_check_knows_are_those_mounted() {
        let listed: Vec<&str> = klue_route::BUILTINS.iter().map(|b| b.path).collect();
        assert_eq!(mounted(&ServerConfig::default(), &[]), listed);
    }

    #[test]
    fn the_builtins_move_under_a_prefix_and_shadowed_ones_are_left_out() {
        let config = ServerConfig {
            builtins_prefix: "/_klue".to_owned(),
            ..ServerConfig::default()
        };
        let paths = mounted(&config, &["/_klue/health".to_owned()]);
        assert!(paths.iter().all(|p| p.starts_with("/_klue/")), "{paths:?}");
        assert!(paths.contains(&"/_klue/metrics".to_owned()));
        assert!(!paths.contains(&"/_klue/health".to_owned()));
    }

    #[test]
    fn a_builtins_prefix_is_a_clean_path_prefix() {
        use crate::config::builtins_prefix;
        assert_eq!(builtins_prefix("/_klue/").unwrap(), "/_klue");
        assert_eq!(builtins_prefix("  ").unwrap(), "");
        for bad in ["_klue", "/{x}", "/a b", "/a\"b"] {
            assert!(builtins_prefix(bad).is_err(), "{bad}");
        }
    }
}
