//! What generated code registers: an API's description and one handler per operation.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use http::{Response, StatusCode};

use crate::auth::{BearerVerifiers, Claims, VerifierFuture};
use crate::error_map::{ErrorMap, ErrorReport};
use crate::extract::request::OperationRequest;
use crate::hooks::{IntoOperationService, LayerFn, OperationService};
use crate::response::Body;
use crate::ApiError;

pub use crate::api_spec::{ApiInfo, AuthMode, BodySpec, OperationSpec};

/// The future a handler returns.
pub type HandlerFuture = Pin<Box<dyn Future<Output = Result<Response<Body>, ApiError>> + Send>>;

/// A type-erased operation handler.
pub(crate) type Handler = Arc<dyn Fn(OperationRequest) -> HandlerFuture + Send + Sync>;

/// The operations of one API bound to their handlers; built by generated code and served by
/// [`crate::Server`].
pub struct ApiRouter {
    pub(crate) info: &'static ApiInfo,
    pub(crate) operations: Vec<(&'static OperationSpec, Handler)>,
    /// Layers of this API: on one operation (its id) or, with `None`, on all.
    pub(crate) layers: Vec<(Option<String>, LayerFn)>,
    /// Verifiers of opaque bearer schemes, by scheme name.
    pub(crate) verifiers: BearerVerifiers,
    /// Mappers giving klue's errors the spec's shapes.
    pub(crate) error_maps: Vec<ErrorMap>,
}

impl std::fmt::Debug for ApiRouter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ApiRouter")
            .field("info", &self.info.name)
            .field(
                "operations",
                &self
                    .operations
                    .iter()
                    .map(|(s, _)| s.id)
                    .collect::<Vec<_>>(),
            )
            .finish()
    }
}

impl ApiRouter {
    /// An empty router for the API described by `info`.
    pub fn new(info: &'static ApiInfo) -> Self {
        ApiRouter {
            info,
            operations: Vec::new(),
            layers: Vec::new(),
            verifiers: BearerVerifiers::default(),
            error_maps: Vec::new(),
        }
    }

    /// The API this router serves.
    pub fn info(&self) -> &'static ApiInfo {
        self.info
    }

    /// Binds `handler` to the operation `spec`.
    pub fn operation<F, Fut>(&mut self, spec: &'static OperationSpec, handler: F)
    where
        F: Fn(OperationRequest) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<Response<Body>, ApiError>> + Send + 'static,
    {
        let handler: Handler = Arc::new(move |request| Box::pin(handler(request)));
        self.operations.push((spec, handler));
    }

    /// Wraps every operation of this API in a tower layer; see [`crate::hooks`].
    pub fn layer<L>(mut self, layer: L) -> Self
    where
        L: tower::Layer<OperationService> + Send + Sync + 'static,
        L::Service: IntoOperationService,
    {
        self.layers.push((None, crate::hooks::layer_fn(layer)));
        self
    }

    /// Wraps the operation `operation_id` in a tower layer; see [`crate::hooks`]. An id the
    /// API does not have makes [`crate::Server::build`] fail.
    pub fn layer_operation<L>(mut self, operation_id: &str, layer: L) -> Self
    where
        L: tower::Layer<OperationService> + Send + Sync + 'static,
        L::Service: IntoOperationService,
    {
        self.layers
            .push((Some(operation_id.to_owned()), crate::hooks::layer_fn(layer)));
        self
    }
}

impl ApiRouter {
    /// Verifies the tokens of the opaque bearer scheme `scheme` (an `http: bearer` security
    /// scheme whose `bearerFormat` is not `JWT`, or one the code generator was told is
    /// opaque): `verify` gets the token of each request to an operation requiring the scheme
    /// and answers the caller's [`Claims`], or an error (a 401 gets `WWW-Authenticate:
    /// Bearer error="invalid_token"` unless it has a challenge). The handler finds the
    /// claims in its request's [`crate::BearerToken`]. Without a verifier the handler gets
    /// the token alone and checks it itself.
    ///
    /// ```ignore
    /// let router = api::router(service).bearer_verifier("apiKey", |token: String| async move {
    ///     keys.lookup(&token).await.map(|owner| Claims::new(owner, Default::default()))
    ///         .ok_or_else(|| ApiError::new(StatusCode::UNAUTHORIZED, "KEY_UNKNOWN", "unknown key"))
    /// });
    /// ```
    pub fn bearer_verifier<F, Fut>(mut self, scheme: &str, verify: F) -> Self
    where
        F: Fn(String) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<Claims, ApiError>> + Send + 'static,
    {
        let verify = Arc::new(move |token: String| -> VerifierFuture { Box::pin(verify(token)) });
        self.verifiers.0.push((scheme.to_owned(), verify));
        self
    }

    /// Answers the errors klue (or a handler) answers with `status` in the spec's own shape:
    /// `map` gets the [`ErrorReport`] and returns the body to send with `answer`, or `None`
    /// for klue's envelope. The served `/openapi.json` then documents, for each operation,
    /// `answer` as the spec declares it instead of klue's `status` response. Several mappers
    /// for one status are tried in registration order. See [`crate::error_map`].
    ///
    /// ```ignore
    /// // svix: a request that breaks the spec is a 422 HTTPValidationError.
    /// let router = api::router(service).map_error(
    ///     StatusCode::BAD_REQUEST,
    ///     StatusCode::UNPROCESSABLE_ENTITY,
    ///     |report| Some(HttpValidationError::from_violations(report.violations)),
    /// );
    /// ```
    pub fn map_error<T, F>(mut self, status: StatusCode, answer: StatusCode, map: F) -> Self
    where
        T: serde::Serialize,
        F: Fn(&ErrorReport<'_>) -> Option<T> + Send + Sync + 'static,
    {
        self.error_maps.push(ErrorMap {
            from: status,
            answer,
            map: Arc::new(move |report: &ErrorReport<'_>| {
                let body = map(report)?;
                serde_json::to_vec(&body).ok().map(bytes::Bytes::from)
            }),
        });
        self
    }

    /// Fails when a bearer verifier names no opaque bearer scheme of the API.
    pub(crate) fn check_verifiers(&self) -> Result<(), crate::BuildError> {
        if self.verifiers.0.is_empty() {
            return Ok(());
        }
        let spec: serde_json::Value = serde_json::from_str(self.info.spec_json).unwrap_or_default();
        let schemes = spec.pointer("/components/securitySchemes");
        for (scheme, _) in &self.verifiers.0 {
            let found = schemes.and_then(|schemes| schemes.get(scheme));
            if !found.is_some_and(crate::auth::is_opaque_bearer) {
                return Err(crate::BuildError::UnknownBearerScheme {
                    api: self.info.name,
                    scheme: scheme.clone(),
                });
            }
        }
        Ok(())
    }

    /// The operations with their handlers, each handing the API's bearer verifiers to its
    /// requests.
    pub(crate) fn bound_operations(&self) -> Vec<(&'static OperationSpec, Handler)> {
        if self.verifiers.0.is_empty() {
            return self.operations.clone();
        }
        let verifiers = Arc::new(self.verifiers.clone());
        self.operations
            .iter()
            .map(|(spec, handler)| {
                let (verifiers, handler) = (verifiers.clone(), handler.clone());
                let wrapped: Handler = Arc::new(move |mut request: OperationRequest| {
                    request.extensions_mut().insert(verifiers.clone());
                    handler(request)
                });
                (*spec, wrapped)
            })
            .collect()
    }
}
