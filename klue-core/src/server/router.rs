//! The routing table: path templates to the operations served there, as [`klue_route`]
//! states the rules (same-shaped templates share a route, mixed segments are split, the more
//! literal template is tried first).
//!
//! matchit routes whole segments: every segment holding a parameter is given to it as one
//! parameter named by position ([`Template::router_key`]), so templates differing only in
//! their parameter names, or inside parameter segments, share one matchit entry; that entry
//! lists the templates (candidates) in precedence order. An ordinary path (whole-segment
//! parameters only, one template per entry) is answered from matchit's parameters directly,
//! with no allocation beyond the parameter values handed to the operation.

use std::collections::HashMap;

use http::Method;
use klue_route::{Pattern, Template};

use super::routes::Operation;
use super::BuildError;

/// Templates of one path shape and the operations served there.
pub(super) struct PathEntry {
    /// The first template registered with this shape.
    pub(super) template: String,
    parsed: Template,
    /// Per parameter segment, its pattern when it mixes literals and parameters; `None`
    /// when the template has whole-segment parameters only.
    patterns: Option<Vec<Option<Pattern>>>,
    pub(super) allow: String,
    pub(super) operations: Vec<Operation>,
}

/// Why a matched path has no operation for a request.
pub(super) enum Miss {
    /// No operation has the method (a 405).
    Method,
    /// Operations have the method, but each has a selector the request does not satisfy and
    /// none is served without one (a 404 naming what selects).
    Selector,
}

impl PathEntry {
    /// The operation answering `method` with this query (raw, without `?`) and these
    /// headers: of the method's operations (more selector items first, then as declared),
    /// the first whose selector holds, or the one without a selector.
    pub(super) fn find(
        &self,
        method: &Method,
        query: Option<&str>,
        headers: &http::HeaderMap,
    ) -> Result<&Operation, Miss> {
        // HEAD is answered by GET; hyper drops the body.
        let method = if method == Method::HEAD && !self.has(method) {
            &Method::GET
        } else {
            method
        };
        let mut found = false;
        for op in self.operations.iter().filter(|op| op.spec.method == method) {
            found = true;
            let Some(selector) = &op.selector else {
                return Ok(op);
            };
            let header = |name: &str| headers.get(name).map(|value| value.as_bytes());
            if selector.matches(query, header) {
                return Ok(op);
            }
        }
        Err(if found { Miss::Selector } else { Miss::Method })
    }

    fn has(&self, method: &Method) -> bool {
        self.operations.iter().any(|op| op.spec.method == method)
    }

    /// The selectors of `method`'s operations here, for a message (`X-Amz-Target=A, ...`):
    /// the first few, since an AWS path has hundreds.
    pub(super) fn selectors(&self, method: &Method) -> String {
        const SHOWN: usize = 4;
        let selectors: Vec<String> = self
            .operations
            .iter()
            .filter(|op| op.spec.method == method)
            .filter_map(|op| op.selector.as_ref().map(ToString::to_string))
            .collect();
        let mut text = selectors[..selectors.len().min(SHOWN)].join(", ");
        if selectors.len() > SHOWN {
            text.push_str(&format!(" and {} more", selectors.len() - SHOWN));
        }
        text
    }
}

/// The raw values of a matched path's parameters, by position.
pub(super) enum Values<'k, 'v> {
    /// Straight from matchit: whole-segment parameters.
    Direct(matchit::Params<'k, 'v>),
    /// Split from mixed segments.
    Split(Vec<&'v str>),
}

impl Values<'_, '_> {
    /// The values named by `names` (the operation's own parameter names, by position).
    pub(super) fn named(&self, names: &[String]) -> Vec<(String, String)> {
        match self {
            Values::Direct(params) => params
                .iter()
                .zip(names)
                .map(|((_, value), name)| (name.clone(), value.to_owned()))
                .collect(),
            Values::Split(values) => values
                .iter()
                .zip(names)
                .map(|(value, name)| (name.clone(), (*value).to_owned()))
                .collect(),
        }
    }
}

#[derive(Default)]
pub(super) struct RouteTable {
    router: matchit::Router<usize>,
    /// Per matchit entry, its path entries in precedence order.
    candidates: Vec<Vec<usize>>,
    /// matchit keys to their index in `candidates`.
    keys: HashMap<String, usize>,
    /// Shapes to their path entry.
    shapes: HashMap<String, usize>,
    pub(super) paths: Vec<PathEntry>,
}

impl RouteTable {
    /// Serves `operation` at `template`; its parameter names and selector are taken from
    /// `template`.
    pub(super) fn add(
        &mut self,
        template: &str,
        mut operation: Operation,
    ) -> Result<(), BuildError> {
        let parsed = Template::parse(template).map_err(|err| BuildError::InvalidPath {
            path: template.to_owned(),
            reason: err.to_string(),
        })?;
        operation.params = parsed.param_names().into();
        operation.selector = parsed.selector().cloned();
        let index = match self.shapes.get(&parsed.path_shape()) {
            Some(&index) => index,
            None => self.insert(template, parsed)?,
        };
        let entry = &mut self.paths[index];
        let spec = operation.spec;
        if let Some(existing) = entry
            .operations
            .iter()
            .find(|op| op.spec.method == spec.method && op.selector == operation.selector)
        {
            let path = if *existing.template == *template {
                template.to_owned()
            } else {
                format!("{template} (the route of {})", existing.template)
            };
            return Err(BuildError::DuplicateOperation {
                method: spec.method.clone(),
                path,
                first: existing.spec.id.to_owned(),
                second: spec.id.to_owned(),
            });
        }
        entry.operations.push(operation);
        // Within a method, the more items a selector has, the earlier it is tried; a stable
        // sort keeps the declared order otherwise, and puts the operation without a selector
        // last, where it answers what no selector took.
        let items = |op: &Operation| op.selector.as_ref().map_or(0, |s| s.items().len());
        entry
            .operations
            .sort_by_key(|op| std::cmp::Reverse(items(op)));
        let mut methods: Vec<&str> = entry
            .operations
            .iter()
            .map(|op| op.spec.method.as_str())
            .collect();
        methods.sort_unstable();
        methods.dedup();
        entry.allow = methods.join(", ");
        Ok(())
    }

    /// A new path entry for `parsed`, whose shape has none yet.
    fn insert(&mut self, template: &str, parsed: Template) -> Result<usize, BuildError> {
        let key = parsed.router_key();
        let group = match self.keys.get(&key) {
            Some(&group) => group,
            None => {
                let group = self.candidates.len();
                self.router
                    .insert(&key, group)
                    .map_err(|err| BuildError::InvalidPath {
                        path: template.to_owned(),
                        reason: err.to_string(),
                    })?;
                self.candidates.push(Vec::new());
                self.keys.insert(key, group);
                group
            }
        };
        let index = self.paths.len();
        self.shapes.insert(parsed.path_shape(), index);
        self.paths.push(PathEntry {
            template: template.to_owned(),
            patterns: parsed.patterns(),
            parsed,
            allow: String::new(),
            operations: Vec::new(),
        });
        let paths = &self.paths;
        let candidates = &mut self.candidates[group];
        candidates.push(index);
        candidates.sort_by(|a, b| paths[*a].parsed.precedence(&paths[*b].parsed));
        Ok(index)
    }

    /// The path entry `path` (raw, still percent-encoded) routes to, and its parameters'
    /// values by position; `None` when no template matches.
    pub(super) fn lookup<'k, 'v>(
        &'k self,
        path: &'v str,
    ) -> Option<(&'k PathEntry, Values<'k, 'v>)> {
        let matched = self.router.at(path).ok()?;
        for &index in &self.candidates[*matched.value] {
            let entry = &self.paths[index];
            let Some(patterns) = &entry.patterns else {
                // Whole-segment parameters only: matches whatever matchit matched, and is
                // the last candidate (the least literal).
                return Some((entry, Values::Direct(matched.params)));
            };
            let mut values = Vec::with_capacity(entry.parsed.param_names().len());
            let split =
                matched
                    .params
                    .iter()
                    .zip(patterns)
                    .all(|((_, raw), pattern)| match pattern {
                        None => {
                            values.push(raw);
                            true
                        }
                        Some(pattern) => pattern.split(raw, &mut values),
                    });
            if split {
                return Some((entry, Values::Split(values)));
            }
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use bytes::Bytes;
    use http::{HeaderValue, Method};

    use super::{RouteTable, Values};
    use crate::registry::{AuthMode, OperationSpec};
    use crate::server::routes::{Action, Operation};

    fn spec(id: &'static str, method: Method, path: &'static str) -> &'static OperationSpec {
        Box::leak(Box::new(OperationSpec {
            id,
            method,
            path,
            auth: AuthMode::None,
            body: None,
        }))
    }

    fn table(routes: &[(&'static str, Method, &'static str)]) -> RouteTable {
        let mut table = RouteTable::default();
        for (slot, (id, method, path)) in routes.iter().enumerate() {
            let operation = Operation {
                spec: spec(id, method.clone(), path),
                template: (*path).to_owned(),
                params: Box::default(),
                selector: None,
                slot,
                action: Action::Static {
                    body: Bytes::new(),
                    content_type: HeaderValue::from_static("text/plain"),
                },
                layered: None,
                slow_threshold: Duration::from_secs(1),
            };
            table.add(path, operation).unwrap();
        }
        table
    }

    /// The operation `method path` reaches, and its parameters by its own names.
    fn route(
        table: &RouteTable,
        method: Method,
        path: &str,
    ) -> Option<(String, Vec<(String, String)>)> {
        let (path, query) = match path.split_once('?') {
            Some((path, query)) => (path, Some(query)),
            None => (path, None),
        };
        let (entry, values) = table.lookup(path)?;
        let operation = entry.find(&method, query, &http::HeaderMap::new()).ok()?;
        Some((
            operation.spec.id.to_owned(),
            values.named(&operation.params),
        ))
    }

    fn pairs(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    }

    #[test]
    fn same_shaped_paths_share_a_route_and_each_operation_gets_its_own_names() {
        let table = table(&[
            (
                "list",
                Method::GET,
                "/orgs/{org}/attestations/{subject_digest}",
            ),
            (
                "delete",
                Method::DELETE,
                "/orgs/{org}/attestations/{attestation_id}",
            ),
        ]);
        assert_eq!(table.paths.len(), 1, "one route");
        assert_eq!(table.paths[0].allow, "DELETE, GET");
        assert_eq!(
            route(&table, Method::GET, "/orgs/acme/attestations/sha256:ab").unwrap(),
            (
                "list".to_owned(),
                pairs(&[("org", "acme"), ("subject_digest", "sha256:ab")])
            )
        );
        assert_eq!(
            route(&table, Method::DELETE, "/orgs/acme/attestations/42").unwrap(),
            (
                "delete".to_owned(),
                pairs(&[("org", "acme"), ("attestation_id", "42")])
            )
        );
    }

    #[test]
    fn several_parameters_in_one_segment_are_split_on_the_raw_text() {
        let table = table(&[(
            "compare",
            Method::GET,
            "/repos/{owner}/{repo}/compare/{base}...{head}",
        )]);
        let compare = |path| route(&table, Method::GET, path).map(|(_, params)| params);
        assert_eq!(
            compare("/repos/o/r/compare/v1.2...v1.3").unwrap(),
            pairs(&[
                ("owner", "o"),
                ("repo", "r"),
                ("base", "v1.2"),
                ("head", "v1.3")
            ])
        );
        // Encoded dots are part of a value (decoded later, by the handler's reader).
        assert_eq!(
            compare("/repos/o/r/compare/a%2E%2E%2Eb...c").unwrap()[2..],
            pairs(&[("base", "a%2E%2E%2Eb"), ("head", "c")])
        );
        assert_eq!(compare("/repos/o/r/compare/a%2E%2E%2Eb"), None, "404");
        assert_eq!(compare("/repos/o/r/compare/main"), None, "404");
    }

    #[test]
    fn the_more_literal_template_wins_and_literal_segments_beat_parameters() {
        let table = table(&[
            ("plain", Method::GET, "/a/{y}"),
            ("json", Method::GET, "/a/{x}.json"),
            ("version", Method::GET, "/v/v{version}"),
            ("any", Method::GET, "/v/{other}"),
            ("literal", Method::GET, "/a/fixed.json"),
        ]);
        let id = |path| route(&table, Method::GET, path);
        assert_eq!(
            id("/a/x.json").unwrap(),
            ("json".to_owned(), pairs(&[("x", "x")]))
        );
        assert_eq!(
            id("/a/x").unwrap(),
            ("plain".to_owned(), pairs(&[("y", "x")]))
        );
        assert_eq!(
            id("/a/.json").unwrap(),
            ("plain".to_owned(), pairs(&[("y", ".json")]))
        );
        assert_eq!(id("/a/x%2Ejson").unwrap().0, "plain");
        assert_eq!(id("/a/fixed.json").unwrap(), ("literal".to_owned(), vec![]));
        assert_eq!(
            id("/v/v2").unwrap(),
            ("version".to_owned(), pairs(&[("version", "2")]))
        );
        assert_eq!(
            id("/v/w2").unwrap(),
            ("any".to_owned(), pairs(&[("other", "w2")]))
        );
    }

    #[test]
    fn ordinary_paths_take_matchits_values_directly() {
        let table = table(&[("get", Method::GET, "/items/{id}")]);
        let (_, values) = table.lookup("/items/7").unwrap();
        assert!(matches!(values, Values::Direct(_)));
        assert!(table.lookup("/items/7/x").is_none());
    }

    #[test]
    fn the_same_method_on_the_same_shape_is_a_conflict() {
        let mut routes = table(&[("first", Method::GET, "/a/{x}")]);
        let operation = Operation {
            spec: spec("second", Method::GET, "/a/{y}"),
            template: "/a/{y}".to_owned(),
            params: Box::default(),
            selector: None,
            slot: 1,
            action: Action::Static {
                body: Bytes::new(),
                content_type: HeaderValue::from_static("text/plain"),
            },
            layered: None,
            slow_threshold: Duration::from_secs(1),
        };
        let err = routes.add("/a/{y}", operation).unwrap_err();
        assert_eq!(
            err.to_string(),
            "GET /a/{y} (the route of /a/{x}) is bound twice: by operation 'first' and by 'second'"
        );
    }

    #[test]
    fn a_selector_chooses_among_one_methods_operations_on_one_path() {
        let table = table(&[
            ("create", Method::POST, "/#X-Amz-Target=Svc.Create"),
            ("delete", Method::POST, "/#X-Amz-Target=Svc.Delete"),
            ("diff", Method::POST, "/request/{id}?cmd=diff"),
            ("plain", Method::POST, "/request/{id}"),
            ("both", Method::POST, "/request/{id}?cmd=diff&full"),
        ]);
        assert_eq!(table.paths.len(), 2, "one route per path");
        let id = |path| route(&table, Method::POST, path).map(|(id, _)| id);
        assert_eq!(id("/?X-Amz-Target=Svc.Delete").unwrap(), "delete");
        assert_eq!(id("/?X-Amz-Target=Svc.Create").unwrap(), "create");
        assert_eq!(id("/?X-Amz-Target=Svc.Other"), None);
        assert_eq!(id("/"), None);
        // The selector with more items first, whatever the declared order; the plain
        // template answers what no selector took.
        assert_eq!(id("/request/1?full&cmd=diff").unwrap(), "both");
        assert_eq!(id("/request/1?cmd=diff").unwrap(), "diff");
        assert_eq!(id("/request/1?cmd=other").unwrap(), "plain");
        assert_eq!(
            route(&table, Method::POST, "/request/1?cmd=diff")
                .unwrap()
                .1,
            pairs(&[("id", "1")])
        );
        let (entry, _) = table.lookup("/").unwrap();
        let mut headers = http::HeaderMap::new();
        headers.insert("x-amz-target", HeaderValue::from_static("Svc.Create"));
        let found = entry.find(&Method::POST, None, &headers).ok().unwrap();
        assert_eq!(found.spec.id, "create", "the header selects too");
        assert!(matches!(
            entry.find(&Method::POST, None, &http::HeaderMap::new()),
            Err(super::Miss::Selector)
        ));
        assert!(matches!(
            entry.find(&Method::GET, None, &headers),
            Err(super::Miss::Method)
        ));
        assert_eq!(entry.allow, "POST");
        assert_eq!(
            entry.selectors(&Method::POST),
            "X-Amz-Target=Svc.Create, X-Amz-Target=Svc.Delete"
        );
    }

    #[test]
    fn the_same_method_and_selector_twice_is_a_conflict() {
        let mut routes = table(&[("first", Method::POST, "/#Action=Run")]);
        let operation = Operation {
            spec: spec("second", Method::POST, "/?Action=Run"),
            template: "/?Action=Run".to_owned(),
            params: Box::default(),
            selector: None,
            slot: 1,
            action: Action::Static {
                body: Bytes::new(),
                content_type: HeaderValue::from_static("text/plain"),
            },
            layered: None,
            slow_threshold: Duration::from_secs(1),
        };
        let err = routes.add("/?Action=Run", operation).unwrap_err();
        assert!(err.to_string().contains("bound twice"), "{err}");
    }
}
