//! Hooks: tower layers around operations (the original's `x-decorate-server`).
//!
//! A layer wraps an [`OperationService`]: the service answering one operation, after routing
//! and authentication. Inside it the request carries, in its extensions, the caller's
//! [`Claims`](crate::Claims) (when a token was verified), so a layer can reject by claim; a
//! layer can also answer by itself, change the request, or add response headers. Register one
//! on a single operation with [`ApiRouter::layer_operation`](crate::ApiRouter::layer_operation),
//! on every operation of an API with [`ApiRouter::layer`](crate::ApiRouter::layer), or on the
//! whole service (built-ins included) with [`Server::layer`](crate::Server::layer). Requests
//! that match no route never reach a layer. Operations without layers pay nothing for them.
//!
//! ```
//! use klue_core::hooks::OperationService;
//! use klue_core::{ApiError, Claims, IntoResponse};
//! use tower::ServiceExt;
//!
//! /// Lets only callers whose token says `role: admin` through.
//! fn admins_only(inner: OperationService) -> OperationService {
//!     OperationService::new(tower::service_fn(move |request: http::Request<_>| {
//!         let inner = inner.clone();
//!         async move {
//!             let admin = request
//!                 .extensions()
//!                 .get::<Claims>()
//!                 .and_then(|claims| claims.get("role"))
//!                 .is_some_and(|role| role == "admin");
//!             if !admin {
//!                 let refused = ApiError::new(
//!                     http::StatusCode::FORBIDDEN,
//!                     "NOT_AN_ADMIN",
//!                     "This operation is for admins",
//!                 );
//!                 return Ok(refused.into_response());
//!             }
//!             inner.oneshot(request).await
//!         }
//!     }))
//! }
//! let layer = tower::layer::layer_fn(admins_only);
//! # let _ = layer;
//! ```

use std::convert::Infallible;
use std::sync::Arc;

use http::{Request, Response};
use hyper::body::Incoming;
use tower::util::BoxCloneSyncService;
use tower::Service;

use crate::response::Body;

/// The service answering one operation, as layers see it.
pub type OperationService = BoxCloneSyncService<Request<Incoming>, Response<Body>, Infallible>;

/// A service a layer may return: any cloneable tower service answering a request with a
/// response, infallibly.
pub trait IntoOperationService: Send + Sync + 'static {
    /// Boxes the service.
    fn into_operation_service(self) -> OperationService;
}

impl<S> IntoOperationService for S
where
    S: Service<Request<Incoming>, Response = Response<Body>, Error = Infallible>
        + Clone
        + Send
        + Sync
        + 'static,
    S::Future: Send + 'static,
{
    fn into_operation_service(self) -> OperationService {
        BoxCloneSyncService::new(self)
    }
}

/// A type-erased layer.
pub(crate) type LayerFn = Arc<dyn Fn(OperationService) -> OperationService + Send + Sync>;

pub(crate) fn layer_fn<L>(layer: L) -> LayerFn
where
    L: tower::Layer<OperationService> + Send + Sync + 'static,
    L::Service: IntoOperationService,
{
    Arc::new(move |service| layer.layer(service).into_operation_service())
}
