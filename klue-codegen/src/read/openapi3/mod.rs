//! OpenAPI 3.0, as parsed by the `openapiv3` crate, into the model.

use openapiv3 as oa;

use crate::diagnostics::{join, Collector};
use crate::model::*;

mod schema;

const SCHEMA_PREFIX: &str = "#/components/schemas/";

pub(crate) struct Reader<'s, 'c, 'm> {
    spec: &'s oa::OpenAPI,
    diag: &'c mut Collector<'m>,
}

impl<'s, 'c, 'm> Reader<'s, 'c, 'm> {
    pub(crate) fn new(spec: &'s oa::OpenAPI, diag: &'c mut Collector<'m>) -> Self {
        Reader { spec, diag }
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
        self.check_path_parameters(path, &parameters, pointer);
        parameters.sort_by_key(|p| p.location);

        let body = op
            .request_body
            .as_ref()
            .and_then(|body| self.request_body(body, &join(pointer, "requestBody")));

        let mut responses = Vec::new();
        let responses_pointer = join(pointer, "responses");
        for (status, response) in &op.responses.responses {
            let key = status.to_string();
            let status = match status {
                oa::StatusCode::Code(code) if (100..600).contains(code) => {
                    ResponseStatus::Code(*code)
                }
                _ => {
                    self.diag.error_help(
                        &join(&responses_pointer, &key),
                        format!("response status '{key}' is not supported"),
                        "declare each status code (e.g. 404) or `default`",
                    );
                    continue;
                }
            };
            if let Some(r) = self.response(status, response, &join(&responses_pointer, &key)) {
                responses.push(r);
            }
        }
        if let Some(default) = &op.responses.default {
            if let Some(r) = self.response(
                ResponseStatus::Default,
                default,
                &join(&responses_pointer, "default"),
            ) {
                responses.push(r);
            }
        }
        responses.sort_by_key(|r| r.status);
        if responses.is_empty() {
            self.diag
                .error(&responses_pointer, "the operation declares no response");
        }

        let auth = self.auth(op.security.as_ref(), pointer);
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
            pointer: pointer.to_owned(),
        })
    }

    fn check_path_parameters(&mut self, path: &str, params: &[Parameter], pointer: &str) {
        let in_template: Vec<&str> = path
            .split('/')
            .filter_map(|segment| segment.strip_prefix('{').and_then(|s| s.strip_suffix('}')))
            .collect();
        for name in &in_template {
            if !params
                .iter()
                .any(|p| p.location == ParamLocation::Path && p.name == *name)
            {
                self.diag.error(
                    pointer,
                    format!(
                        "path parameter '{{{name}}}' of '{path}' is not declared in `parameters`"
                    ),
                );
            }
        }
        for p in params.iter().filter(|p| p.location == ParamLocation::Path) {
            if !in_template.contains(&p.name.as_str()) {
                self.diag.error(
                    pointer,
                    format!(
                        "path parameter '{}' does not appear in the path '{path}'",
                        p.name
                    ),
                );
            }
        }
    }

    /// A component given inline or by `$ref` to `#/components/<section>/<name>`: the item and
    /// the pointer where it is defined; an unresolved reference is reported.
    fn component<'a, T>(
        &mut self,
        item: &'a oa::ReferenceOr<T>,
        pointer: &str,
        section: &str,
        what: &str,
        pick: impl Fn(&'s oa::Components) -> &'s indexmap::IndexMap<String, oa::ReferenceOr<T>>,
    ) -> Option<(&'a T, String)>
    where
        's: 'a,
        T: 's,
    {
        let reference = match item {
            oa::ReferenceOr::Item(item) => return Some((item, pointer.to_owned())),
            oa::ReferenceOr::Reference { reference } => reference,
        };
        let spec: &'s oa::OpenAPI = self.spec;
        let name = reference.strip_prefix(&format!("#/components/{section}/"));
        let found = name.and_then(|name| pick(spec.components.as_ref()?).get(name)?.as_item());
        match (name, found) {
            (Some(name), Some(found)) => {
                Some((found, join(&format!("/components/{section}"), name)))
            }
            _ => {
                self.diag.error(
                    &join(pointer, "$ref"),
                    format!("unresolved {what} reference '{reference}'"),
                );
                None
            }
        }
    }

    fn parameter(
        &mut self,
        param: &oa::ReferenceOr<oa::Parameter>,
        pointer: &str,
    ) -> Option<Parameter> {
        let (param, pointer) =
            self.component(param, pointer, "parameters", "parameter", |c| &c.parameters)?;
        let (data, location) = match param {
            oa::Parameter::Path { parameter_data, .. } => (parameter_data, ParamLocation::Path),
            oa::Parameter::Query { parameter_data, .. } => (parameter_data, ParamLocation::Query),
            oa::Parameter::Header { parameter_data, .. } => (parameter_data, ParamLocation::Header),
            oa::Parameter::Cookie { parameter_data, .. } => (parameter_data, ParamLocation::Cookie),
        };
        let schema = match &data.format {
            oa::ParameterSchemaOrContent::Schema(schema) => {
                self.schema(schema, &join(&pointer, "schema"))
            }
            oa::ParameterSchemaOrContent::Content(_) => {
                self.diag.error(
                    &join(&pointer, "content"),
                    "parameters with `content` are not supported yet; use `schema`",
                );
                return None;
            }
        };
        let required = data.required || location == ParamLocation::Path;
        if !self.is_param_type(&schema, location) {
            self.diag.error_help(
                &join(&pointer, "schema"),
                format!("parameter '{}' has a type klue cannot read from the {}", data.name, location_name(location)),
                "use a string, number, integer, boolean, string enum, or (in the query) an array of those",
            );
            return None;
        }
        Some(Parameter {
            name: data.name.clone(),
            location,
            required,
            schema,
            description: data.description.clone(),
        })
    }

    fn is_param_type(&self, schema: &Schema, location: ParamLocation) -> bool {
        match &schema.kind {
            SchemaKind::Boolean
            | SchemaKind::Integer(..)
            | SchemaKind::Number(..)
            | SchemaKind::String(_)
            | SchemaKind::StringEnum(_) => true,
            SchemaKind::Array { items, .. } => {
                location == ParamLocation::Query
                    && !matches!(items.kind, SchemaKind::Array { .. })
                    && self.is_param_type(items, location)
            }
            SchemaKind::Ref(name) => matches!(
                self.named_schema(name)
                    .and_then(|s| s.as_item())
                    .map(|s| &s.schema_kind),
                Some(oa::SchemaKind::Type(
                    oa::Type::String(_)
                        | oa::Type::Integer(_)
                        | oa::Type::Number(_)
                        | oa::Type::Boolean(_)
                ))
            ),
            _ => false,
        }
    }

    fn named_schema(&self, name: &str) -> Option<&oa::ReferenceOr<oa::Schema>> {
        self.spec.components.as_ref()?.schemas.get(name)
    }

    fn request_body(
        &mut self,
        body: &oa::ReferenceOr<oa::RequestBody>,
        pointer: &str,
    ) -> Option<RequestBody> {
        let (body, pointer) =
            self.component(body, pointer, "requestBodies", "request body", |c| {
                &c.request_bodies
            })?;
        let content_pointer = join(&pointer, "content");
        let json: Vec<(&String, &oa::MediaType)> =
            body.content.iter().filter(|(t, _)| is_json(t)).collect();
        if json.is_empty() {
            let types: Vec<&str> = body.content.keys().map(String::as_str).collect();
            self.diag.error_help(
                &content_pointer,
                format!(
                    "request bodies of type {} are not supported yet",
                    types.join(", ")
                ),
                "klue reads JSON bodies (application/json)",
            );
            return None;
        }
        if let Some((other, _)) = body.content.iter().find(|(t, _)| !is_json(t)) {
            self.diag.error(
                &join(&content_pointer, other),
                format!("request bodies of type {other} are not supported yet"),
            );
        }
        let (first_type, media) = json[0];
        let schema = match &media.schema {
            Some(schema) => {
                self.schema(schema, &join(&join(&content_pointer, first_type), "schema"))
            }
            None => Schema::any(join(&content_pointer, first_type)),
        };
        Some(RequestBody {
            content_types: json.iter().map(|(t, _)| (*t).clone()).collect(),
            required: body.required,
            schema,
        })
    }

    fn response(
        &mut self,
        status: ResponseStatus,
        response: &oa::ReferenceOr<oa::Response>,
        pointer: &str,
    ) -> Option<Response> {
        let (response, pointer) =
            self.component(response, pointer, "responses", "response", |c| &c.responses)?;
        let content_pointer = join(&pointer, "content");
        let body = match response.content.iter().find(|(t, _)| is_json(t)) {
            Some((media_type, media)) => Some(match &media.schema {
                Some(schema) => {
                    self.schema(schema, &join(&join(&content_pointer, media_type), "schema"))
                }
                None => Schema::any(content_pointer.clone()),
            }),
            None if response.content.is_empty() => None,
            None => {
                let types: Vec<&str> = response.content.keys().map(String::as_str).collect();
                self.diag.error_help(
                    &content_pointer,
                    format!(
                        "responses of type {} are not supported yet",
                        types.join(", ")
                    ),
                    "klue answers JSON bodies (application/json)",
                );
                return None;
            }
        };
        Some(Response {
            status,
            description: Some(response.description.clone()).filter(|d| !d.is_empty()),
            body,
        })
    }

    fn auth(&mut self, own: Option<&Vec<oa::SecurityRequirement>>, pointer: &str) -> Auth {
        let (requirements, req_pointer) = match own {
            Some(own) => (own, join(pointer, "security")),
            None => match &self.spec.security {
                Some(global) => (global, "/security".to_owned()),
                None => return Auth::None,
            },
        };
        if requirements.is_empty() {
            return Auth::None;
        }
        let mut anonymous = false;
        for (i, requirement) in requirements.iter().enumerate() {
            if requirement.is_empty() {
                anonymous = true;
            }
            for scheme_name in requirement.keys() {
                let scheme = self
                    .spec
                    .components
                    .as_ref()
                    .and_then(|c| c.security_schemes.get(scheme_name))
                    .and_then(|s| s.as_item());
                let at = join(&join(&req_pointer, &i.to_string()), scheme_name);
                match scheme {
                    Some(oa::SecurityScheme::HTTP { scheme, .. }) if scheme.eq_ignore_ascii_case("bearer") => {}
                    Some(_) => self.diag.error_help(
                        &at,
                        format!("security scheme '{scheme_name}' is not supported"),
                        "klue authenticates with bearer JWTs: `type: http, scheme: bearer`",
                    ),
                    None => self.diag.error(
                        &at,
                        format!("security scheme '{scheme_name}' is not defined in components/securitySchemes"),
                    ),
                }
            }
        }
        if anonymous {
            Auth::Optional
        } else {
            Auth::Required
        }
    }
}

fn is_json(media_type: &str) -> bool {
    let essence = media_type
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    essence == "application/json"
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
