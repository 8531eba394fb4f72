//! OpenAPI 3.0, as parsed by the `openapiv3` crate, into the model.

use std::borrow::Cow;

use openapiv3 as oa;

use crate::diagnostics::{join, Collector};
use crate::model::*;

mod all_of;
mod combined;
mod inheritance;
mod media;
mod params;
pub(crate) use params::TSV_MARK;
mod regex_dialect;
mod schema;
mod security;
pub(crate) use security::mark_opaque;

const SCHEMA_PREFIX: &str = "#/components/schemas/";

pub(crate) struct Reader<'s, 'c, 'm> {
    spec: &'s oa::OpenAPI,
    /// The same spec as JSON, to resolve `$ref`s that point anywhere in the document.
    document: &'s serde_json::Value,
    diag: &'c mut Collector<'m>,
    /// `$ref`s being followed inline (not to a named schema): a cycle among them is cut.
    following: Vec<String>,
}

impl<'s, 'c, 'm> Reader<'s, 'c, 'm> {
    pub(crate) fn new(
        spec: &'s oa::OpenAPI,
        document: &'s serde_json::Value,
        diag: &'c mut Collector<'m>,
    ) -> Self {
        Reader {
            spec,
            document,
            diag,
            following: Vec::new(),
        }
    }

    pub(crate) fn read(mut self, name: &str, spec_json: String) -> Api {
        let mut schemas = Vec::new();
        if let Some(components) = &self.spec.components {
            for (schema_name, schema) in &components.schemas {
                let pointer = join("/components/schemas", schema_name);
                if !is_identifier_like(schema_name) {
                    self.diag.error(
                        &pointer,
                        format!("schema name '{schema_name}' cannot name a Rust type"),
                    );
                }
                schemas.push((schema_name.clone(), self.schema(schema, &pointer)));
            }
        }
        self.inheritance(&mut schemas);
        let mut operations: Vec<Operation> = Vec::new();
        for (path, item) in &self.spec.paths.paths {
            let pointer = join("/paths", path);
            match item {
                oa::ReferenceOr::Item(item) => {
                    self.path_item(path, item, &pointer, &mut operations)
                }
                oa::ReferenceOr::Reference { .. } => self.diag.error(
                    &pointer,
                    "path items given by $ref are not supported; write the operations inline",
                ),
            }
        }
        let mut seen = std::collections::BTreeMap::new();
        for op in &operations {
            if let Some(first) = seen.insert(crate::naming::snake(&op.id), op.pointer.clone()) {
                self.diag.error_help(
                    &op.pointer,
                    format!("operationId '{}' is used twice", op.id),
                    format!("the other operation is at {first}"),
                );
            }
        }
        Api {
            name: name.to_owned(),
            title: self.spec.info.title.clone(),
            version: self.spec.info.version.clone(),
            description: self.spec.info.description.clone(),
            schemas,
            operations,
            spec_json,
            warnings: self.diag.take_warnings(),
        }
    }

    fn path_item(
        &mut self,
        path: &str,
        item: &oa::PathItem,
        pointer: &str,
        out: &mut Vec<Operation>,
    ) {
        for (method, op) in item.iter() {
            let op_pointer = join(pointer, method);
            if let Some(op) = self.operation(path, method, op, &item.parameters, &op_pointer) {
                out.push(op);
            }
        }
    }

    fn operation(
        &mut self,
        path: &str,
        method: &str,
        op: &oa::Operation,
        shared_params: &[oa::ReferenceOr<oa::Parameter>],
        pointer: &str,
    ) -> Option<Operation> {
        let id = match &op.operation_id {
            Some(id) if is_identifier_like(id) => id.clone(),
            Some(id) => {
                self.diag.error(
                    &join(pointer, "operationId"),
                    format!("operationId '{id}' cannot name a Rust method"),
                );
                return None;
            }
            None => derived_operation_id(method, path),
        };

        let mut parameters = self.operation_parameters(op, shared_params, pointer);
        self.check_path_parameters(path, &mut parameters, pointer);

        let (auth, credentials) = self.auth(op.security.as_ref(), pointer, &mut parameters);
        parameters.sort_by_key(|p| p.location);

        let body = op
            .request_body
            .as_ref()
            .and_then(|body| self.request_body(body, &join(pointer, "requestBody")));

        let responses = self.responses(&op.responses, &join(pointer, "responses"));

        Some(Operation {
            id,
            method: method.to_ascii_uppercase(),
            path: path.to_owned(),
            summary: op.summary.clone(),
            description: op.description.clone(),
            parameters,
            body,
            responses,
            auth,
            credentials,
            pointer: pointer.to_owned(),
        })
    }

    /// An operation's parameters: the path item's `shared` ones, overridden by its own of the
    /// same name and place.
    fn operation_parameters(
        &mut self,
        op: &oa::Operation,
        shared_params: &[oa::ReferenceOr<oa::Parameter>],
        pointer: &str,
    ) -> Vec<Parameter> {
        let mut parameters: Vec<Parameter> = Vec::new();
        let shared = shared_params.iter().enumerate().map(|(i, p)| {
            (
                p,
                join(
                    &join(&pointer[..pointer.rfind('/').unwrap_or(0)], "parameters"),
                    &i.to_string(),
                ),
            )
        });
        let own = op
            .parameters
            .iter()
            .enumerate()
            .map(|(i, p)| (p, join(&join(pointer, "parameters"), &i.to_string())));
        for (param, param_pointer) in shared.chain(own) {
            if let Some(param) = self.parameter(param, &param_pointer) {
                // An operation's parameter overrides a path-level one of the same name and place.
                parameters.retain(|p| !(p.name == param.name && p.location == param.location));
                parameters.push(param);
            }
        }
        parameters
    }

    /// An operation's `responses` (at `pointer`): each status, then `default` or the first
    /// status range; at least one (`default`, of the handler's choice).
    fn responses(&mut self, responses: &oa::Responses, pointer: &str) -> Vec<Response> {
        let mut read = Vec::new();
        let mut ranges = Vec::new();
        for (status, response) in &responses.responses {
            let key = status.to_string();
            let status = match status {
                oa::StatusCode::Code(code) if (100..600).contains(code) => {
                    ResponseStatus::Code(*code)
                }
                oa::StatusCode::Range(_) => {
                    ranges.push((key, response));
                    continue;
                }
                oa::StatusCode::Code(_) => {
                    self.diag.error_help(
                        &join(pointer, &key),
                        format!("response status '{key}' is not supported"),
                        "declare each status code (e.g. 404) or `default`",
                    );
                    continue;
                }
            };
            if let Some(r) = self.response(status, response, &join(pointer, &key)) {
                read.push(r);
            }
        }
        let default = responses
            .default
            .as_ref()
            .map(|d| ("default".to_owned(), d));
        // A range (`4XX`) is answered like `default`: the handler picks the status. Only the
        // first of them (or `default`) can take that role; the others are left out.
        let mut fallbacks = default.into_iter().chain(ranges);
        if let Some((key, response)) = fallbacks.next() {
            let at = join(pointer, &key);
            if let Some(r) = self.response(ResponseStatus::Default, response, &at) {
                read.push(r);
            }
        }
        for (key, _) in fallbacks {
            self.diag.warn(
                &join(pointer, &key),
                format!("response '{key}' is left out: only one of `default` and the status ranges is generated"),
            );
        }
        read.sort_by_key(|r| r.status);
        if read.is_empty() {
            self.diag.warn(
                pointer,
                "the operation declares no response; it answers with a status of the handler's choice",
            );
            read.push(Response {
                status: ResponseStatus::Default,
                description: None,
                body: None,
                media: Media::Json,
                content_type: String::new(),
                headers: Vec::new(),
            });
        }
        read
    }

    /// Path parameters must match the template. A template parameter that is not declared is
    /// read as a string (with a warning); a declared one missing from the template is dropped.
    fn check_path_parameters(&mut self, path: &str, params: &mut Vec<Parameter>, pointer: &str) {
        let in_template = template_names(path);
        for name in &in_template {
            if !params
                .iter()
                .any(|p| p.location == ParamLocation::Path && p.name == *name)
            {
                self.diag.warn(
                    pointer,
                    format!(
                        "path parameter '{{{name}}}' of '{path}' is not declared in `parameters`; it is read as a string"
                    ),
                );
                params.push(Parameter::plain(
                    name.clone(),
                    ParamLocation::Path,
                    true,
                    Schema {
                        kind: SchemaKind::String(StringRules::default()),
                        description: None,
                        pointer: pointer.to_owned(),
                        nullable: false,
                    },
                ));
            }
        }
        params.retain(|p| {
            let keep = p.location != ParamLocation::Path || in_template.contains(&p.name);
            if !keep {
                self.diag.warn(
                    pointer,
                    format!(
                        "path parameter '{}' does not appear in the path '{path}'; it is left out",
                        p.name
                    ),
                );
            }
            keep
        });
    }

    /// A component given inline or by `$ref`: the item and the pointer where it is defined. A
    /// reference to `#/components/<section>/<name>` is looked up there; any other local
    /// reference is resolved as a JSON pointer into the document. An unresolved reference is
    /// reported.
    fn component<'a, T>(
        &mut self,
        item: &'a oa::ReferenceOr<T>,
        pointer: &str,
        section: &str,
        what: &str,
        pick: impl Fn(&'s oa::Components) -> &'s indexmap::IndexMap<String, oa::ReferenceOr<T>>,
    ) -> Option<(Cow<'a, T>, String)>
    where
        's: 'a,
        T: 's + Clone + serde::de::DeserializeOwned,
    {
        let mut reference = match item {
            oa::ReferenceOr::Item(item) => return Some((Cow::Borrowed(item), pointer.to_owned())),
            oa::ReferenceOr::Reference { reference } => reference.clone(),
        };
        let spec: &'s oa::OpenAPI = self.spec;
        // A component may itself be a reference: follow a few hops.
        for _ in 0..8 {
            let name = reference.strip_prefix(&format!("#/components/{section}/"));
            if let Some(found) = name.and_then(|name| pick(spec.components.as_ref()?).get(name)) {
                let at = join(&format!("/components/{section}"), name.unwrap_or_default());
                match found {
                    oa::ReferenceOr::Item(found) => return Some((Cow::Borrowed(found), at)),
                    oa::ReferenceOr::Reference { reference: next } => {
                        reference = next.clone();
                        continue;
                    }
                }
            }
            let target = self.resolve_pointer(&reference);
            match target.and_then(|(value, at)| {
                serde_json::from_value::<oa::ReferenceOr<T>>(value.clone())
                    .ok()
                    .map(|v| (v, at))
            }) {
                Some((oa::ReferenceOr::Item(found), at)) => return Some((Cow::Owned(found), at)),
                Some((oa::ReferenceOr::Reference { reference: next }, _)) => {
                    reference = next;
                    continue;
                }
                None => break,
            }
        }
        self.diag.error(
            &join(pointer, "$ref"),
            format!("unresolved {what} reference '{reference}'"),
        );
        None
    }

    fn named_schema(&self, name: &str) -> Option<&'s oa::ReferenceOr<oa::Schema>> {
        let spec: &'s oa::OpenAPI = self.spec;
        spec.components.as_ref()?.schemas.get(name)
    }

    /// The node a local `$ref` (`#/a/b`) points at, and its JSON pointer.
    fn resolve_pointer(&self, reference: &str) -> Option<(&'s serde_json::Value, String)> {
        let fragment = reference.strip_prefix('#')?;
        let decoded = percent_decode(fragment);
        let document: &'s serde_json::Value = self.document;
        document.pointer(&decoded).map(|value| (value, decoded))
    }
}

/// The parameter names of a path template: `{name}` anywhere in it.
fn template_names(path: &str) -> Vec<String> {
    let mut names = Vec::new();
    let mut rest = path;
    while let Some(open) = rest.find('{') {
        let Some(close) = rest[open..].find('}') else {
            break;
        };
        names.push(rest[open + 1..open + close].to_owned());
        rest = &rest[open + close + 1..];
    }
    names
}

/// `%7B` -> `{`: `$ref` fragments are URI fragments.
fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).unwrap_or("");
            if let Ok(byte) = u8::from_str_radix(hex, 16) {
                out.push(byte);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn location_name(location: ParamLocation) -> &'static str {
    match location {
        ParamLocation::Path => "path",
        ParamLocation::Query => "query string",
        ParamLocation::Header => "headers",
        ParamLocation::Cookie => "cookies",
    }
}

fn is_identifier_like(name: &str) -> bool {
    !crate::naming::snake(name).is_empty()
}

fn derived_operation_id(method: &str, path: &str) -> String {
    let mut id = method.to_owned();
    for segment in path.split('/').filter(|s| !s.is_empty()) {
        id.push('_');
        id.push_str(segment.trim_start_matches('{').trim_end_matches('}'));
    }
    crate::naming::snake(&id)
}
