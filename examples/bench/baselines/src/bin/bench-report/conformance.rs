//! The HTTP conformance checks run on every server start, and the tiny HTTP client they use.

use std::fmt::Write as _;
use std::io::{Read, Write};
use std::net::{Ipv4Addr, SocketAddr, TcpStream};
use std::time::Duration;

use crate::Result;

/// The body `items.lua` sends.
const ITEM_BODY: &str = r#"{"name":"apple","price":1.5,"tags":["fruit","red"]}"#;

/// Checks that the server does the work being measured; returns the problems found.
pub(crate) fn conformance(port: u16, token: &str) -> Vec<String> {
    let bearer = format!("Bearer {token}");
    let json = ("Content-Type", "application/json");
    let with_token = [("Authorization", bearer.as_str()), json];
    let bad_token = [("Authorization", "Bearer not.a.jwt"), json];
    let items = "/v1/items";
    let checks: [Check<'_>; 8] = [
        ("GET /ping", "GET", "/ping", &[], "", 200, None),
        (
            "POST /v1/items (valid)",
            "POST",
            items,
            &with_token,
            ITEM_BODY,
            200,
            None,
        ),
        (
            "POST /v1/items (no Authorization)",
            "POST",
            items,
            &[json],
            ITEM_BODY,
            401,
            Some("AUTHORIZATION_HEADER_MISSING"),
        ),
        (
            "POST /v1/items (bad token)",
            "POST",
            items,
            &bad_token,
            ITEM_BODY,
            401,
            Some("TOKEN_INVALID"),
        ),
        (
            "POST /v1/items (invalid body)",
            "POST",
            items,
            &with_token,
            r#"{"name":"","price":-1}"#,
            400,
            Some("INVALID_PARAMETER"),
        ),
        (
            "POST /v1/items (bad JSON)",
            "POST",
            items,
            &with_token,
            r#"{"name":"#,
            400,
            Some("INVALID_PARAMETER"),
        ),
        (
            "GET /nope",
            "GET",
            "/nope",
            &[],
            "",
            404,
            Some("ROUTE_NOT_FOUND"),
        ),
        (
            "DELETE /ping",
            "DELETE",
            "/ping",
            &[],
            "",
            405,
            Some("METHOD_NOT_ALLOWED"),
        ),
    ];
    let mut problems = Vec::new();
    for check in checks {
        match run_check(port, check) {
            Ok(item) if check.0 == "POST /v1/items (valid)" => {
                let id_ok = item["id"]
                    .as_str()
                    .and_then(|id| uuid::Uuid::parse_str(id).ok())
                    .is_some_and(|id| id.get_version_num() == 4);
                if !id_ok
                    || item["name"] != "apple"
                    || item["price"] != 1.5
                    || item["tags"] != serde_json::json!(["fruit", "red"])
                {
                    problems.push(format!("{}: unexpected item {item}", check.0));
                }
            }
            Ok(_) => {}
            Err(problem) => problems.push(problem),
        }
    }
    problems
}

/// (what, method, path, headers, body, expected status, expected error code).
type Check<'a> = (
    &'a str,
    &'a str,
    &'a str,
    &'a [(&'a str, &'a str)],
    &'a str,
    u16,
    Option<&'a str>,
);

fn run_check(port: u16, check: Check<'_>) -> Result<serde_json::Value, String> {
    let (what, method, path, headers, body, status, code) = check;
    let response = http_request(port, method, path, headers, body)
        .map_err(|err| format!("{what}: request failed: {err}"))?;
    let excerpt: String = response.body.chars().take(200).collect();
    if response.status != status {
        return Err(format!(
            "{what}: expected {status}, got {} {excerpt}",
            response.status
        ));
    }
    let value: serde_json::Value = serde_json::from_str(&response.body)
        .map_err(|err| format!("{what}: the body is not JSON ({err}): {excerpt}"))?;
    if let Some(code) = code {
        let envelope_ok = value["status"] == status
            && value["error"] == code
            && value["error_description"].is_string()
            && value["error_id"]
                .as_str()
                .and_then(|id| uuid::Uuid::parse_str(id).ok())
                .is_some();
        if !envelope_ok {
            return Err(format!(
                "{what}: expected the error envelope with error {code}, got {excerpt}"
            ));
        }
    }
    Ok(value)
}

#[derive(Debug)]
pub(crate) struct HttpResponse {
    pub(crate) status: u16,
    pub(crate) body: String,
}

/// A minimal HTTP/1.1 client (one request per connection) for readiness and conformance checks.
pub(crate) fn http_request(
    port: u16,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: &str,
) -> Result<HttpResponse> {
    let addr = SocketAddr::from((Ipv4Addr::LOCALHOST, port));
    let mut stream = TcpStream::connect_timeout(&addr, Duration::from_secs(1))?;
    stream.set_read_timeout(Some(Duration::from_secs(5)))?;
    stream.set_write_timeout(Some(Duration::from_secs(5)))?;
    let mut request =
        format!("{method} {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nConnection: close\r\n");
    for (name, value) in headers {
        let _ = write!(request, "{name}: {value}\r\n");
    }
    if !body.is_empty() || method == "POST" {
        let _ = write!(request, "Content-Length: {}\r\n", body.len());
    }
    request.push_str("\r\n");
    request.push_str(body);
    stream.write_all(request.as_bytes())?;
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw)?;
    let text = String::from_utf8_lossy(&raw);
    let (head, payload) = text
        .split_once("\r\n\r\n")
        .ok_or("incomplete HTTP response")?;
    let status = head
        .split_whitespace()
        .nth(1)
        .and_then(|code| code.parse().ok())
        .ok_or("malformed HTTP status line")?;
    let chunked = head.lines().any(|line| {
        line.to_ascii_lowercase()
            .replace(' ', "")
            .starts_with("transfer-encoding:chunked")
    });
    let body = if chunked {
        dechunk(payload)
    } else {
        payload.to_owned()
    };
    Ok(HttpResponse { status, body })
}

fn dechunk(mut payload: &str) -> String {
    let mut body = String::new();
    while let Some((size, rest)) = payload.split_once("\r\n") {
        let size =
            usize::from_str_radix(size.split(';').next().unwrap_or("").trim(), 16).unwrap_or(0);
        if size == 0 || rest.len() < size {
            break;
        }
        body.push_str(&rest[..size]);
        payload = rest[size..].trim_start_matches("\r\n");
    }
    body
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dechunks() {
        assert_eq!(dechunk("2\r\n{}\r\n0\r\n\r\n"), "{}");
    }
}
