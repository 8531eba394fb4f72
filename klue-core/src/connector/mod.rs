//! The connector of outgoing HTTP calls (the client's, the webhook reporter's): `http` and
//! `https` through rustls with the `tls` feature, `http` only without it (no rustls, ring's
//! TLS code or root certificates compiled in; https URLs are refused where they are given).

use std::time::Duration;

use hyper_util::client::legacy::connect::HttpConnector;

#[cfg(feature = "tls")]
mod tls;
#[cfg(feature = "tls")]
pub use tls::https_connector;

/// What outgoing calls connect with.
#[cfg(feature = "tls")]
pub(crate) type Connector = hyper_rustls::HttpsConnector<HttpConnector>;
/// What outgoing calls connect with.
#[cfg(not(feature = "tls"))]
pub(crate) type Connector = HttpConnector;

/// A connector giving up connecting after `connect_timeout`.
pub(crate) fn connector(connect_timeout: Option<Duration>) -> Result<Connector, String> {
    #[cfg(feature = "tls")]
    {
        https_connector(connect_timeout, None)
    }
    #[cfg(not(feature = "tls"))]
    {
        let mut http = HttpConnector::new();
        http.set_connect_timeout(connect_timeout);
        http.set_nodelay(true);
        Ok(http)
    }
}
