//! The middleware stack around the operations, outermost first:
//!
//! - CORS ([`cors`]), only when configured (`KLUE_CORS_ORIGINS`): otherwise hyper calls the
//!   next layer directly;
//! - compression ([`compression`]), only for clients that send `Accept-Encoding`;
//! - the request id, the metrics, the access log and the error reports ([`observe`]), which
//!   every request goes through, answered or not;
//! - the request timeout ([`timeout`]), around routing and the operation.
//!
//! They are plain functions and services rather than a `tower::ServiceBuilder` chain so that a
//! layer that is switched off costs nothing per request.

pub(super) mod compression;
mod observe;
pub(super) mod timeout;

use std::time::Duration;

use tower_http::cors::{AllowOrigin, Any, CorsLayer};

pub(super) use compression::HttpService;

use crate::config::CorsOrigins;

/// The CORS layer for `origins`: any method and header, the request id exposed, preflights
/// cached for ten minutes.
pub(super) fn cors(origins: &CorsOrigins) -> CorsLayer {
    let layer = CorsLayer::new()
        .allow_methods(Any)
        .allow_headers(Any)
        .expose_headers([crate::REQUEST_ID_HEADER])
        .max_age(Duration::from_secs(600));
    match origins {
        CorsOrigins::Any => layer.allow_origin(Any),
        CorsOrigins::List(list) => layer.allow_origin(AllowOrigin::list(
            list.iter()
                .filter_map(|o| http::HeaderValue::from_str(o).ok()),
        )),
    }
}
