//! The HTTPS connector: rustls with the ring provider, the Mozilla roots compiled in (no OS
//! certificate store needed, so it works in a `FROM scratch` image), plus optional extra roots
//! for servers with a private CA (staging, tests).

use std::time::Duration;

use hyper_rustls::{HttpsConnector, HttpsConnectorBuilder};
use hyper_util::client::legacy::connect::HttpConnector;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::CertificateDer;

/// A connector for `http` and `https` URLs. `extra_roots_pem` adds trusted certificates (PEM,
/// one or more) to the built-in roots.
pub fn https_connector(
    connect_timeout: Option<Duration>,
    extra_roots_pem: Option<&[u8]>,
) -> Result<HttpsConnector<HttpConnector>, String> {
    let mut roots = rustls::RootCertStore::empty();
    roots.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned());
    if let Some(pem) = extra_roots_pem {
        let mut added = 0;
        for cert in CertificateDer::pem_slice_iter(pem) {
            let cert = cert.map_err(|err| format!("unreadable certificate PEM: {err}"))?;
            roots
                .add(cert)
                .map_err(|err| format!("unusable certificate: {err}"))?;
            added += 1;
        }
        if added == 0 {
            return Err("no certificate in the PEM text".to_owned());
        }
    }
    let tls = rustls::ClientConfig::builder_with_provider(
        rustls::crypto::ring::default_provider().into(),
    )
    .with_safe_default_protocol_versions()
    .map_err(|err| format!("TLS setup failed: {err}"))?
    .with_root_certificates(roots)
    .with_no_client_auth();
    let mut http = HttpConnector::new();
    http.set_connect_timeout(connect_timeout);
    // The TLS layer hands `https` URLs to this connector too.
    http.enforce_http(false);
    http.set_nodelay(true);
    Ok(HttpsConnectorBuilder::new()
        .with_tls_config(tls)
        .https_or_http()
        .enable_http1()
        .wrap_connector(http))
}
