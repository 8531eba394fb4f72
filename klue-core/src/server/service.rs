//! [`KlueService`]: request id, metrics, access log, timeout and reporting around routing,
//! authentication and the operation's action.

use std::convert::Infallible;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use http::{Request, Response};
use hyper::body::Incoming;
use tower::ServiceExt;

use super::plan::{self, Planned};
use super::router::{Miss, RouteTable};
use super::routes::{run_action, Action, ActionService, Operation, Routed};
use super::{BuildError, Mounted, Server};
use crate::auth::Authenticator;
use crate::builtin::VersionInfo;
use crate::config::ServerConfig;
use crate::error_map::{mapped_statuses, ErrorMaps};
use crate::hooks::{IntoOperationService, LayerFn};
use crate::metrics::{Metrics, SlotLabels};
use crate::registry::{ApiInfo, AuthMode, OperationSpec};
use crate::report::{LogReporter, ReportQueue, Reporter, WebhookReporter};
use crate::response::Body;
use crate::served_spec::{self, ServedSpec, ServerContract};
use crate::ApiError;

pub(super) struct Inner {
    pub(super) table: RouteTable,
    pub(super) auth: Authenticator,
    pub(super) body_limit: usize,
    pub(super) request_timeout: Option<Duration>,
    pub(super) metrics: Arc<Metrics>,
    pub(super) access_log: bool,
    pub(super) reports: ReportQueue,
    pub(super) service_name: String,
    pub(super) error_maps: ErrorMaps,
}

/// The hyper / tower service of a klue server: cheap to clone (one per connection).
#[derive(Clone)]
pub struct KlueService {
    pub(super) inner: Arc<Inner>,
}

impl std::fmt::Debug for KlueService {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("KlueService")
            .field(
                "paths",
                &self
                    .inner
                    .table
                    .paths
                    .iter()
                    .map(|p| &p.template)
                    .collect::<Vec<_>>(),
            )
            .finish()
    }
}

/// What routing and authentication learned, for the access log and the reporters.
#[derive(Default)]
pub(super) struct Seen<'a> {
    pub(super) operation: Option<(&'a str, &'a Operation)>,
    pub(super) unmatched_path: Option<String>,
    pub(super) user_id: Option<String>,
}

impl KlueService {
    pub(super) fn build(server: Server) -> Result<Self, BuildError> {
        let Server {
            apis,
            config,
            layers: server_layers,
            health,
            reporters: extra_reporters,
            slow_thresholds,
        } = server;
        let first = apis.first().ok_or(BuildError::NoApi)?.router.info;
        let version = VersionInfo {
            name: first.name.to_owned(),
            version: first.version.to_owned(),
            container: config.container_version.clone(),
        };
        let auth = authenticator(&config);

        let checked = plan::check_routes(&apis, &config)?;
        let shadowed = &checked.shadowed;
        let served = if config.builtins.docs {
            served_specs(&apis, &config, shadowed)
        } else {
            Vec::new()
        };
        let mut planned = plan::builtins(&config, health, &version, &served, shadowed);
        let error_maps = plan_operations(apis, &checked, &mut planned)?;
        for (id, _) in &slow_thresholds {
            if !planned.iter().any(|p| p.spec.id == id) {
                return Err(BuildError::UnknownOperation {
                    what: "Server::slow_call_threshold",
                    operation: id.clone(),
                });
            }
        }
        let metrics = Arc::new(metrics(&planned, first, &config));
        let table = route_table(planned, &metrics, &config, &server_layers, &slow_thresholds)?;
        Ok(KlueService {
            inner: Arc::new(Inner {
                table,
                auth,
                body_limit: config.body_limit,
                request_timeout: config.request_timeout,
                metrics,
                access_log: config.log.access_log,
                reports: ReportQueue::new(reporters(&config, extra_reporters)),
                service_name: first.name.to_owned(),
                error_maps,
            }),
        })
    }

    pub(super) async fn dispatch<'a>(
        &'a self,
        request: Request<Incoming>,
        deadline: Option<Instant>,
        seen: &mut Seen<'a>,
    ) -> Result<Response<Body>, ApiError> {
        let inner = &*self.inner;
        // RFC 9112 section 3.2; HTTP/1.0 did not require it, h2 carries `:authority`.
        if request.version() == http::Version::HTTP_11
            && !request.headers().contains_key(http::header::HOST)
        {
            return Err(ApiError::host_header_missing());
        }
        let (operation, params) = {
            let path = request.uri().path();
            let Some((entry, values)) = inner.table.lookup(path) else {
                seen.unmatched_path = Some(path.to_owned());
                return Err(ApiError::route_not_found(request.method(), path));
            };
            let query = request.uri().query();
            let operation = match entry.find(request.method(), query, request.headers()) {
                Ok(operation) => operation,
                Err(miss) => {
                    seen.unmatched_path = Some(path.to_owned());
                    return Err(match miss {
                        Miss::Method => {
                            ApiError::method_not_allowed(request.method(), path, &entry.allow)
                        }
                        Miss::Selector => ApiError::operation_not_selected(
                            request.method(),
                            path,
                            &entry.selectors(request.method()),
                        ),
                    });
                }
            };
            let mut params = values.named(&operation.params);
            if let Some(selector) = &operation.selector {
                selector.query_params(query, &mut params);
            }
            (operation, params)
        };
        seen.operation = Some((operation.template.as_str(), operation));
        let spec = operation.spec;

        let claims = match spec.auth {
            AuthMode::None => None,
            AuthMode::Required => Some(inner.auth.authenticate(request.headers())?),
            // Anonymous callers are welcome; a caller who sends a bad token is told so.
            AuthMode::Optional => match inner.auth.authenticate(request.headers()) {
                Ok(claims) => Some(claims),
                Err(err) if err.code() == crate::codes::AUTHORIZATION_HEADER_MISSING => None,
                Err(err) => return Err(err),
            },
        };
        if let Some(claims) = &claims {
            seen.user_id = Some(claims.sub.clone());
        }
        let routed = Routed { params, deadline };
        match &operation.layered {
            None => {
                run_action(
                    spec,
                    &operation.action,
                    request,
                    routed,
                    claims,
                    inner.body_limit,
                )
                .await
            }
            Some(service) => {
                let mut request = request;
                request.extensions_mut().insert(routed);
                if let Some(claims) = claims {
                    request.extensions_mut().insert(claims);
                }
                match service.clone().oneshot(request).await {
                    Ok(response) => Ok(response),
                    Err(never) => match never {},
                }
            }
        }
    }
}

/// The JWT authenticator of `config`; an unusable configuration refuses every token rather
/// than stopping the service (it is logged).
fn authenticator(config: &ServerConfig) -> Authenticator {
    let auth = Authenticator::new(config.jwt.clone()).unwrap_or_else(|err| {
        tracing::error!(error = %err, "JWT configuration unusable: every token will be refused");
        Authenticator::disabled()
    });
    if !auth.is_configured() {
        tracing::warn!(
            "no JWT key configured (KLUE_JWT_SECRET): operations that need a token answer 401"
        );
    }
    auth
}

/// Adds the reachable operations of `apis` to `planned`, with their layers; returns the
/// APIs' error maps. An operation id a layer names must exist.
fn plan_operations(
    apis: Vec<Mounted>,
    checked: &plan::Checked,
    planned: &mut Vec<Planned>,
) -> Result<ErrorMaps, BuildError> {
    let mut error_maps = ErrorMaps::default();
    for mounted in apis {
        let router = mounted.router;
        router.check_verifiers()?;
        let specs = router.operations.iter().map(|(spec, _)| *spec);
        error_maps.add_api(&mounted.prefix, specs, &router.error_maps);
        for (id, _) in &router.layers {
            if let Some(id) = id {
                if !router.operations.iter().any(|(spec, _)| spec.id == id) {
                    return Err(BuildError::UnknownOperation {
                        what: "ApiRouter::layer_operation",
                        operation: id.clone(),
                    });
                }
            }
        }
        for (spec, handler) in router.bound_operations() {
            if checked.is_unreachable(spec) {
                continue;
            }
            let layers = router
                .layers
                .iter()
                .filter(|(id, _)| id.as_deref().is_none_or(|id| id == spec.id))
                .map(|(_, layer)| layer.clone())
                .collect();
            planned.push(Planned {
                template: format!("{}{}", mounted.prefix, spec.path),
                spec,
                action: Some(Action::Handler(handler)),
                layers,
            });
        }
    }
    Ok(error_maps)
}

/// The metrics of the server: one slot per planned route (slot 0 counts requests no route
/// matched), labelled with the first API.
fn metrics(planned: &[Planned], first: &ApiInfo, config: &ServerConfig) -> Metrics {
    let mut labels = vec![SlotLabels {
        operation: String::new(),
        method: String::new(),
        route: "-".to_owned(),
    }];
    labels.extend(planned.iter().map(|p| SlotLabels {
        operation: p.spec.id.to_owned(),
        method: p.spec.method.to_string(),
        route: p.template.clone(),
    }));
    let klue_version = env!("CARGO_PKG_VERSION");
    Metrics::new(
        &labels,
        &[
            ("api", first.name),
            ("api_version", first.version),
            ("container", &config.container_version),
            ("klue_version", klue_version),
        ],
    )
}

/// The routing table of `planned`: each operation with its layers (its own, then the
/// server's) and its slow-call threshold; the `/metrics` action gets `metrics`.
fn route_table(
    planned: Vec<Planned>,
    metrics: &Arc<Metrics>,
    config: &ServerConfig,
    server_layers: &[LayerFn],
    slow_thresholds: &[(String, Duration)],
) -> Result<RouteTable, BuildError> {
    let mut table = RouteTable::default();
    for (index, plan) in planned.into_iter().enumerate() {
        let action = plan
            .action
            .unwrap_or_else(|| Action::Metrics(metrics.clone()));
        let layers: Vec<&LayerFn> = plan.layers.iter().chain(server_layers).collect();
        let layered = (!layers.is_empty()).then(|| {
            let innermost = ActionService {
                spec: plan.spec,
                action: action.clone(),
                body_limit: config.body_limit,
            }
            .into_operation_service();
            layers
                .iter()
                .fold(innermost, |service, layer| layer(service))
        });
        let slow_threshold = slow_thresholds
            .iter()
            .rev()
            .find(|(id, _)| id == plan.spec.id)
            .map_or(config.slow_call_threshold, |(_, t)| *t);
        let operation = Operation {
            spec: plan.spec,
            template: plan.template.clone(),
            params: Box::default(),
            selector: None,
            slot: index + 1,
            action,
            layered,
            slow_threshold,
        };
        table.add(&plan.template, operation)?;
    }
    Ok(table)
}

/// The reporters: the log, the webhook when configured, then the service's.
fn reporters(config: &ServerConfig, extra: Vec<Arc<dyn Reporter>>) -> Vec<Arc<dyn Reporter>> {
    let mut reporters: Vec<Arc<dyn Reporter>> = vec![Arc::new(LogReporter)];
    if let Some(url) = &config.report_webhook {
        match WebhookReporter::new(url.expose()) {
            Ok(webhook) => reporters.push(Arc::new(webhook)),
            Err(err) => tracing::error!(error = %err, "KLUE_REPORT_WEBHOOK unusable"),
        }
    }
    reporters.extend(extra);
    reporters
}

/// The document served for each API: its spec completed with what this server adds.
fn served_specs(
    apis: &[Mounted],
    config: &ServerConfig,
    shadowed: &[String],
) -> Vec<(&'static ApiInfo, ServedSpec)> {
    apis.iter()
        .map(|mounted| {
            let operations: Vec<&'static OperationSpec> = mounted
                .router
                .operations
                .iter()
                .map(|(spec, _)| *spec)
                .collect();
            let contract = ServerContract {
                mount_prefix: &mounted.prefix,
                operations: &operations,
                health: config.builtins.health,
                metrics: config.builtins.metrics,
                request_timeout: config.request_timeout.is_some(),
                builtins_prefix: &config.builtins_prefix,
                shadowed,
                mapped_statuses: &mapped_statuses(&mounted.router.error_maps),
            };
            let info = mounted.router.info;
            (info, served_spec::build(info, &contract))
        })
        .collect()
}

impl hyper::service::Service<Request<Incoming>> for KlueService {
    type Response = Response<Body>;
    type Error = Infallible;
    type Future = Pin<Box<dyn Future<Output = Result<Response<Body>, Infallible>> + Send>>;

    fn call(&self, request: Request<Incoming>) -> Self::Future {
        let service = self.clone();
        Box::pin(async move { Ok(service.handle(request).await) })
    }
}

impl tower::Service<Request<Incoming>> for KlueService {
    type Response = Response<Body>;
    type Error = Infallible;
    type Future = Pin<Box<dyn Future<Output = Result<Response<Body>, Infallible>> + Send>>;

    fn poll_ready(&mut self, _: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, request: Request<Incoming>) -> Self::Future {
        hyper::service::Service::call(self, request)
    }
}
