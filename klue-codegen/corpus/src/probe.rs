//! The pure parts of starting a generated server: the wrapper crate that serves a stub of the
//! generated API, the port it reports, the requests that prove every operation is routed, and
//! what answer counts as routed.

use serde_json::Value;

/// The name of the server trait in generated code (`pub trait <Name>Api: Send + Sync +
/// 'static`, inside the `<api>_server` module and re-exported at the top), when there is one.
pub fn server_trait(generated: &str) -> Option<&str> {
    generated.lines().find_map(|line| {
        let rest = line.trim_start().strip_prefix("pub trait ")?;
        let (name, bounds) = rest.split_once(':')?;
        bounds
            .trim_start()
            .starts_with("Send + Sync + 'static")
            .then_some(name.trim())
    })
}

/// The crate root of a stub server: the generated file as module `api`, a stub that
/// implements its trait with the generated default methods (every operation answers 501
/// `NOT_IMPLEMENTED`), and a `main` serving it the way a service does (`klue_core::run`:
/// `--port`/`PORT`, `HOST`, built-ins).
pub fn stub_server_source(generated_file: &str, trait_name: &str) -> String {
    format!(
        "// A stub server of the corpus run (klue-corpus); generated, not kept.\n\
         #[path = {generated_file:?}]\n\
         #[allow(warnings)]\n\
         mod api;\n\n\
         struct CorpusStub;\n\n\
         impl api::{trait_name} for CorpusStub {{}}\n\n\
         fn main() -> ::std::process::ExitCode {{\n    \
             let runtime = ::tokio::runtime::Builder::new_multi_thread()\n        \
                 .worker_threads(1)\n        \
                 .enable_all()\n        \
                 .build()\n        \
                 .expect(\"a tokio runtime\");\n    \
             runtime.block_on(::klue_core::run([api::router(CorpusStub)]))\n\
         }}\n"
    )
}

/// The port of a `listening on http://127.0.0.1:PORT` log line.
pub fn listening_port(line: &str) -> Option<u16> {
    let rest = &line[line.find("listening on http://")? + "listening on http://".len()..];
    let authority = rest.split(|c: char| c == '/' || c.is_whitespace()).next()?;
    let port = authority.rsplit_once(':')?.1;
    let digits: String = port.chars().take_while(char::is_ascii_digit).collect();
    digits.parse().ok()
}

/// One request that must reach an operation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Probe {
    /// The method, upper case.
    pub method: String,
    /// The request target: the served base path and the path template with every parameter
    /// given the value `1`, percent-encoded.
    pub target: String,
    /// `METHOD template`, for reports.
    pub operation: String,
}

const METHODS: [&str; 8] = [
    "get", "put", "post", "delete", "options", "head", "patch", "trace",
];

/// One probe per operation of the spec a server serves (its `/openapi.json`), under the path
/// of its first server URL (where the server says it serves the API).
pub fn probes(served: &Value) -> Vec<Probe> {
    let base = served["servers"][0]["url"]
        .as_str()
        .map(base_path)
        .unwrap_or_default();
    let mut out = Vec::new();
    let Some(paths) = served["paths"].as_object() else {
        return out;
    };
    for (template, item) in paths {
        let Some(item) = item.as_object() else {
            continue;
        };
        for method in METHODS.iter().filter(|m| item.contains_key(**m)) {
            out.push(Probe {
                method: method.to_ascii_uppercase(),
                target: format!("{base}{}", fill_template(template)),
                operation: format!("{} {template}", method.to_ascii_uppercase()),
            });
        }
    }
    out
}

/// The path of a server URL (`https://h/v1/` -> `/v1`, `/v1` -> `/v1`, `/` -> ``).
fn base_path(url: &str) -> String {
    let path = match url.split_once("://") {
        Some((_, rest)) => rest.find('/').map_or("", |i| &rest[i..]),
        None => url,
    };
    path.trim_end_matches('/').to_owned()
}

/// A path template with each `{parameter}` as `1` and every other byte outside the path's
/// allowed characters percent-encoded. A selector (`/Tags#resourceArn`,
/// `/request/{id}?cmd=diff`, as some specs tell operations of one path apart) becomes the
/// query that selects the operation (the server reads a selector from the query or the
/// headers): `name=value` as it is, any other item as `name=1`.
fn fill_template(template: &str) -> String {
    let (path, selector) = match template.find(['#', '?']) {
        Some(at) => (
            &template[..at],
            klue_route::Selector::parse(&template[at + 1..]),
        ),
        None => (template, None),
    };
    let mut out = String::new();
    let mut chars = path.chars();
    while let Some(c) = chars.next() {
        if c == '{' {
            for d in chars.by_ref() {
                if d == '}' {
                    break;
                }
            }
            out.push('1');
        } else {
            encode_into(&mut out, c, "-._~!$&'()*+,;=:@/");
        }
    }
    for (index, item) in selector.iter().flat_map(|s| s.items()).enumerate() {
        out.push(if index == 0 { '?' } else { '&' });
        let value = item.value.as_deref().unwrap_or("1");
        item.name
            .chars()
            .for_each(|c| encode_into(&mut out, c, "-._~"));
        out.push('=');
        value.chars().for_each(|c| encode_into(&mut out, c, "-._~"));
    }
    out
}

/// Appends `c`, percent-encoded unless it is ASCII alphanumeric or one of `kept`.
fn encode_into(out: &mut String, c: char, kept: &str) {
    if c.is_ascii_alphanumeric() || kept.contains(c) {
        out.push(c);
    } else {
        let mut buf = [0u8; 4];
        for b in c.encode_utf8(&mut buf).bytes() {
            out.push_str(&format!("%{b:02X}"));
        }
    }
}

/// Whether an answer shows that routing reached the operation: not 404 or 405 (routing's
/// own answers), and no server error other than the stub's 501.
pub fn routed(status: u16) -> bool {
    !matches!(status, 404 | 405) && (status < 500 || status == 501)
}

/// Whether a spec is one the corpus run fuzzes, and its operation count: 1 to
/// [`FUZZ_MAX_OPERATIONS`] operations, at least one of which takes an `application/json`
/// request body (inline or a `$ref` to `components/requestBodies`).
pub fn fuzz_candidate(spec: &Value) -> Option<usize> {
    let paths = spec["paths"].as_object()?;
    let mut operations = 0;
    let mut json_bodies = 0;
    for item in paths.values() {
        for method in METHODS {
            let Some(operation) = item.get(method) else {
                continue;
            };
            operations += 1;
            let mut body = &operation["requestBody"];
            if let Some(name) = body["$ref"]
                .as_str()
                .and_then(|r| r.strip_prefix("#/components/requestBodies/"))
            {
                body = &spec["components"]["requestBodies"][name];
            }
            if body["content"].get("application/json").is_some() {
                json_bodies += 1;
            }
        }
    }
    ((1..=FUZZ_MAX_OPERATIONS).contains(&operations) && json_bodies > 0).then_some(operations)
}

/// The most operations a fuzzed spec has (so that the run's time stays bounded).
pub const FUZZ_MAX_OPERATIONS: usize = 25;

#[cfg(test)]
mod tests {

    use super::*;
    use serde_json::json;

    #[test]
    fn the_server_trait_is_found() {
        let code = "pub struct X;\npub trait PetsApi: Send + Sync + 'static {\n}\n";
        assert_eq!(server_trait(code), Some("PetsApi"));
        // As generated: in the server module.
        let code =
            "pub mod pets_server {\n    pub trait PetsApi: Send + Sync + 'static {\n    }\n}\n";
        assert_eq!(server_trait(code), Some("PetsApi"));
        assert_eq!(server_trait("pub trait Other: Clone {}\n"), None);
    }

    #[test]
    fn the_stub_server_names_the_trait_and_the_file() {
        let source = stub_server_source("/g/spec_0001.rs", "PetsApi");
        assert!(source.contains("#[path = \"/g/spec_0001.rs\"]"));
        assert!(source.contains("impl api::PetsApi for CorpusStub {}"));
        assert!(source.contains("::klue_core::run([api::router(CorpusStub)])"));
    }

    #[test]
    fn the_port_is_read_from_the_log_line() {
        let line = "2026-12-07T03:00:00Z  INFO klue: listening on http://127.0.0.1:41234";
        assert_eq!(listening_port(line), Some(41234));
        assert_eq!(
            listening_port("listening on http://[::1]:8080 now"),
            Some(8080)
        );
        assert_eq!(listening_port("starting"), None);
    }

    #[test]
    fn probes_fill_parameters_under_the_served_base_path() {
        let served = json!({
            "servers": [{"url": "http://127.0.0.1:1/api/v2/"}],
            "paths": {
                "/repos/{owner}/compare/{base}...{head}": {"get": {}, "parameters": []},
                "/files/a b/{id}": {"delete": {}, "post": {}},
                "/Tags#resourceArn": {"get": {}},
                "/request/{id}?cmd=diff": {"post": {}},
                "/#X-Amz-Target=Svc.Op": {"post": {}},
            }
        });
        let mut got: Vec<(String, String)> = probes(&served)
            .into_iter()
            .map(|p| (p.method, p.target))
            .collect();
        got.sort();
        assert_eq!(
            got,
            vec![
                ("DELETE".to_owned(), "/api/v2/files/a%20b/1".to_owned()),
                ("GET".to_owned(), "/api/v2/Tags?resourceArn=1".to_owned()),
                ("GET".to_owned(), "/api/v2/repos/1/compare/1...1".to_owned()),
                ("POST".to_owned(), "/api/v2/?X-Amz-Target=Svc.Op".to_owned()),
                ("POST".to_owned(), "/api/v2/files/a%20b/1".to_owned()),
                ("POST".to_owned(), "/api/v2/request/1?cmd=diff".to_owned()),
            ]
        );
        assert_eq!(
            probes(&json!({"paths": {"/": {"get": {}}}}))[0].target,
            "/".to_owned()
        );
    }

    #[test]
    fn fuzz_candidates_take_json_bodies() {
        let body = json!({"content": {"application/json": {"schema": {}}}});
        let inline = json!({"paths": {"/a": {"post": {"requestBody": body}, "get": {}}}});
        assert_eq!(fuzz_candidate(&inline), Some(2));
        let by_ref = json!({
            "paths": {"/a": {"put": {"requestBody": {"$ref": "#/components/requestBodies/B"}}}},
            "components": {"requestBodies": {"B": body}}
        });
        assert_eq!(fuzz_candidate(&by_ref), Some(1));
        let form =
            json!({"paths": {"/a": {"post": {"requestBody": {"content": {"text/plain": {}}}}}}});
        assert_eq!(fuzz_candidate(&form), None);
        let many: serde_json::Map<String, Value> = (0..26)
            .map(|i| (format!("/p{i}"), json!({"post": {"requestBody": body}})))
            .collect();
        assert_eq!(fuzz_candidate(&json!({ "paths": many })), None);
    }

    #[test]
    fn routed_answers() {
        for status in [200, 400, 401, 403, 415, 422, 501] {
            assert!(routed(status), "{status}");
        }
        for status in [404, 405, 500, 502, 503] {
            assert!(!routed(status), "{status}");
        }
    }
}
