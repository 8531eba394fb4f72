//! [`KlueService`]: request id, metrics, access log, timeout and reporting around routing,
//! authentication and the operation's action.

use std::convert::Infallible;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::{Duration, Instant, SystemTime};

use http::{Request, Response};
use hyper::body::Incoming;
use tower::ServiceExt;

use super::plan::{self, Planned};
use super::routes::{run_action, Action, ActionService, Operation, Routed};
use super::table::{Miss, RouteTable};
use super::{BuildError, Mounted, Server};
use crate::access::{request_id, Access, REQUEST_ID_HEADER};
use crate::auth::Authenticator;
use crate::builtin::VersionInfo;
use crate::config::ServerConfig;
use crate::error::ErrorDetails;
use crate::error_map::{mapped_statuses, ErrorMaps};
use crate::hooks::{IntoOperationService, LayerFn};
use crate::metrics::{Metrics, SlotLabels};
use crate::report::{LogReporter, Report, ReportKind, ReportQueue, Reporter, WebhookReporter};
use crate::response::Body;
use crate::router::{ApiInfo, AuthMode, OperationSpec};
use crate::served_spec::{self, ServedSpec, ServerContract};
use crate::ApiError;

struct Inner {
    table: RouteTable,
    auth: Authenticator,
    body_limit: usize,
    request_timeout: Option<Duration>,
    metrics: Arc<Metrics>,
    access_log: bool,
    reports: ReportQueue,
    service_name: String,
    error_maps: ErrorMaps,
}

/// The hyper / tower service of a klue server: cheap to clone (one per connection).
#[derive(Clone)]
pub struct KlueService {
    inner: Arc<Inner>,
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
struct Seen<'a> {
    operation: Option<(&'a str, &'a Operation)>,
    unmatched_path: Option<String>,
    user_id: Option<String>,
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
        let auth = Authenticator::new(config.jwt.clone()).unwrap_or_else(|err| {
            tracing::error!(error = %err, "JWT configuration unusable: every token will be refused");
            Authenticator::disabled()
        });
        if !auth.is_configured() {
            tracing::warn!(
                "no JWT key configured (KLUE_JWT_SECRET): operations that need a token answer 401"
            );
        }

        let checked = plan::check_routes(&apis, &config)?;
        let shadowed = &checked.shadowed;
        let served = if config.builtins.docs {
            served_specs(&apis, &config, shadowed)
        } else {
            Vec::new()
        };
        let mut planned = plan::builtins(&config, health, &version, &served, shadowed);
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
        for (id, _) in &slow_thresholds {
            if !planned.iter().any(|p| p.spec.id == id) {
                return Err(BuildError::UnknownOperation {
                    what: "Server::slow_call_threshold",
                    operation: id.clone(),
                });
            }
        }

        // Slot 0 counts requests no route matched.
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
        let metrics = Arc::new(Metrics::new(
            &labels,
            &[
                ("api", first.name),
                ("api_version", first.version),
                ("container", &config.container_version),
                ("klue_version", klue_version),
            ],
        ));

        let mut table = RouteTable::default();
        for (index, plan) in planned.into_iter().enumerate() {
            let action = plan
                .action
                .unwrap_or_else(|| Action::Metrics(metrics.clone()));
            let layers: Vec<&LayerFn> = plan.layers.iter().chain(&server_layers).collect();
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

        let mut reporters: Vec<Arc<dyn Reporter>> = vec![Arc::new(LogReporter)];
        if let Some(url) = &config.report_webhook {
            match WebhookReporter::new(url.expose()) {
                Ok(webhook) => reporters.push(Arc::new(webhook)),
                Err(err) => tracing::error!(error = %err, "KLUE_REPORT_WEBHOOK unusable"),
            }
        }
        reporters.extend(extra_reporters);
        Ok(KlueService {
            inner: Arc::new(Inner {
                table,
                auth,
                body_limit: config.body_limit,
                request_timeout: config.request_timeout,
                metrics,
                access_log: config.log.access_log,
                reports: ReportQueue::new(reporters),
                service_name: first.name.to_owned(),
                error_maps,
            }),
        })
    }

    /// Answers one request. Never fails: every error is an envelope response.
    pub async fn handle(&self, request: Request<Incoming>) -> Response<Body> {
        let inner = &*self.inner;
        let start = Instant::now();
        let _in_flight = inner.metrics.in_flight();
        let request_id = request_id(request.headers());
        let method = request.method().clone();
        let mut seen = Seen::default();
        let deadline = inner.request_timeout.map(|timeout| start + timeout);
        let result = {
            let dispatch = self.dispatch(request, deadline, &mut seen);
            match inner.request_timeout {
                None => dispatch.await,
                Some(timeout) => tokio::time::timeout(timeout, dispatch)
                    .await
                    .unwrap_or_else(|_| Err(ApiError::server_timeout(timeout))),
            }
        };
        let mut response = result.unwrap_or_else(ApiError::into_response);
        let error = response.extensions_mut().remove::<ErrorDetails>();
        if let Some(details) = &error {
            let spec = seen.operation.map(|(_, op)| op.spec);
            let path = seen.unmatched_path.as_deref();
            inner.error_maps.apply(&mut response, details, spec, path);
        }
        let elapsed = start.elapsed();
        let status = response.status();
        let (route, operation) = seen.operation.unzip();
        inner
            .metrics
            .record(operation.map_or(0, |op| op.slot), status, elapsed);
        let access = Access {
            method: &method,
            route: route.unwrap_or("-"),
            operation: operation.map_or("", |op| op.spec.id),
            unmatched_path: seen.unmatched_path.as_deref(),
            status,
            elapsed,
            request_id: &request_id,
            user_id: seen.user_id.as_deref(),
            error: error.as_ref(),
        };
        if inner.access_log {
            access.log();
        }
        let threshold = operation.map(|op| op.slow_threshold);
        let slow = threshold.is_some_and(|threshold| elapsed > threshold);
        if status.is_server_error() || slow {
            inner
                .reports
                .send(report(&access, &inner.service_name, threshold, slow));
        }
        response.headers_mut().insert(REQUEST_ID_HEADER, request_id);
        response
    }

    async fn dispatch<'a>(
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

fn report(access: &Access<'_>, service: &str, threshold: Option<Duration>, slow: bool) -> Report {
    let error = access.error;
    Report {
        kind: if access.status.is_server_error() {
            ReportKind::ServerError
        } else {
            ReportKind::SlowCall
        },
        service: service.to_owned(),
        error_id: error.map(|e| e.error_id.to_string()),
        error_code: error.map(|e| e.code.to_string()),
        error_chain: error.and_then(|e| e.chain.clone()),
        request_id: access.request_id.to_str().unwrap_or("-").to_owned(),
        method: access.method.to_string(),
        route: access.route.to_owned(),
        operation: access.operation.to_owned(),
        status: access.status.as_u16(),
        user_id: access.user_id.map(str::to_owned),
        duration_ms: access.elapsed.as_secs_f64() * 1e3,
        threshold_ms: threshold.filter(|_| slow).map(|t| t.as_secs_f64() * 1e3),
        timestamp: SystemTime::now()
            .duration_since(SystemTime::UNIX_EPOCH)
            .map_or(0.0, |d| d.as_secs_f64()),
    }
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
