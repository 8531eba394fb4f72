//! A Docker registry's HTTP API, for `--registry` (images pushed to a registry other than the one
//! ECR's token names, e.g. a test registry): deleting an image by its tag. ECR's own images are
//! deleted with `BatchDeleteImage` instead ([`super::ecr::delete_image`]).

use base64::Engine as _;
use bytes::Bytes;
use http::{Method, Request, StatusCode};
use http_body_util::Empty;
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;

use super::aws::CallError;

const REGISTRY: &str = "registry";

/// Manifest types asked for, so that the digest is the one the tag points at.
const MANIFEST_TYPES: &str = "application/vnd.oci.image.index.v1+json, \
    application/vnd.oci.image.manifest.v1+json, \
    application/vnd.docker.distribution.manifest.list.v2+json, \
    application/vnd.docker.distribution.manifest.v2+json";

/// Deletes `repository:tag` from `registry` (`host[:port]`; plain HTTP for 127.0.0.1 and
/// localhost, as Docker allows, HTTPS otherwise): the tag's manifest digest (`HEAD`), then
/// `DELETE` of that manifest. Returns false when the tag does not exist.
pub async fn delete_tag(
    registry: &str,
    repository: &str,
    tag: &str,
    login: (&str, &str),
) -> Result<bool, CallError> {
    let error = |operation: &'static str, message: String| CallError {
        service: REGISTRY,
        operation,
        message,
    };
    let scheme = if is_local(registry) { "http" } else { "https" };
    let base = format!("{scheme}://{registry}/v2/{repository}/manifests");
    let connector = klue_core::client::https_connector(None, None)
        .map_err(|err| error("connect", err.to_string()))?;
    let client = Client::builder(TokioExecutor::new()).build::<_, Empty<Bytes>>(connector);
    let auth = format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode(format!("{}:{}", login.0, login.1))
    );
    let send = |method: Method, url: String| {
        let request = Request::builder()
            .method(method)
            .uri(url)
            .header("authorization", &auth)
            .header("accept", MANIFEST_TYPES)
            .body(Empty::new());
        let client = client.clone();
        async move {
            let request = request.map_err(|err| err.to_string())?;
            client.request(request).await.map_err(|err| err.to_string())
        }
    };
    let head = send(Method::HEAD, format!("{base}/{tag}"))
        .await
        .map_err(|m| error("HEAD manifest", m))?;
    if head.status() == StatusCode::NOT_FOUND {
        return Ok(false);
    }
    if !head.status().is_success() {
        return Err(error("HEAD manifest", format!("{}", head.status())));
    }
    let digest = head
        .headers()
        .get("docker-content-digest")
        .and_then(|d| d.to_str().ok())
        .ok_or_else(|| error("HEAD manifest", "no Docker-Content-Digest".to_owned()))?
        .to_owned();
    let deleted = send(Method::DELETE, format!("{base}/{digest}"))
        .await
        .map_err(|m| error("DELETE manifest", m))?;
    match deleted.status() {
        StatusCode::ACCEPTED | StatusCode::OK => Ok(true),
        StatusCode::NOT_FOUND => Ok(false),
        status => Err(error(
            "DELETE manifest",
            format!("{status} (a registry must allow deletes: storage.delete.enabled)"),
        )),
    }
}

/// Whether `registry` (`host[:port]`) is this machine.
fn is_local(registry: &str) -> bool {
    let host = registry
        .rsplit_once(':')
        .filter(|(_, port)| port.chars().all(|c| c.is_ascii_digit()))
        .map_or(registry, |(host, _)| host);
    matches!(host, "127.0.0.1" | "localhost" | "[::1]")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn local_registries_are_plain_http() {
        assert!(is_local("127.0.0.1:5000"));
        assert!(is_local("localhost"));
        assert!(is_local("[::1]:5000"));
        assert!(!is_local("123456789012.dkr.ecr.eu-west-1.amazonaws.com"));
        assert!(!is_local("registry.example:443"));
    }
}
