//! Swagger 2.0 paths and operations into OpenAPI 3.0: parameters, `body` and `formData`
//! parameters as request bodies, responses per `produces`.

use serde_json::{json, Map, Value};

use super::{
    is_skipped, media_types, requires_auth, rewrite_ref, schema, simple_schema, str_of, Converter,
    METHODS,
};
use crate::diagnostics::join;

impl<'d> Converter<'d> {
    pub(super) fn paths(&mut self) -> Value {
        let mut out = Map::new();
        let paths = self.doc.get("paths").and_then(Value::as_object);
        for (path, item) in paths.into_iter().flatten() {
            let pointer = join("/paths", path);
            let mut converted = Map::new();
            // Path-level parameters: the body one goes to each operation's request body.
            let mut shared_body = None;
            let mut shared = Vec::new();
            let params = item.get("parameters").and_then(Value::as_array);
            for (j, param) in params.into_iter().flatten().enumerate() {
                let original = join(&join(&pointer, "parameters"), &j.to_string());
                let (resolved, at) = self.resolve_param(param, &original);
                match str_of(resolved, "in") {
                    Some("body") => shared_body = Some((resolved, at)),
                    Some("formData") => self.form_data(&at),
                    _ => {
                        let new = join(&join(&pointer, "parameters"), &shared.len().to_string());
                        shared.push(self.parameter(param, &new, &original));
                    }
                }
            }
            if !shared.is_empty() {
                converted.insert("parameters".into(), Value::Array(shared));
            }
            for (key, value) in item.as_object().into_iter().flatten() {
                if key.starts_with("x-") || key == "summary" || key == "description" {
                    converted.insert(key.clone(), value.clone());
                }
            }
            for method in METHODS {
                let Some(op) = item.get(method) else { continue };
                if is_skipped(op) {
                    continue;
                }
                let op_pointer = join(&pointer, method);
                let op = self.operation(op, shared_body.clone(), &op_pointer);
                converted.insert(method.into(), op);
            }
            if METHODS.iter().any(|m| converted.contains_key(*m)) {
                out.insert(path.clone(), Value::Object(converted));
            }
        }
        Value::Object(out)
    }

    /// A parameter and where it is defined: through a `#/parameters/` reference if it is one.
    fn resolve_param(&self, param: &'d Value, pointer: &str) -> (&'d Value, String) {
        if let Some(name) = str_of(param, "$ref").and_then(|r| r.strip_prefix("#/parameters/")) {
            if let Some(found) = self.doc.get("parameters").and_then(|p| p.get(name)) {
                return (found, join("/parameters", name));
            }
        }
        (param, pointer.to_owned())
    }

    pub(super) fn form_data(&mut self, pointer: &str) {
        self.problem(
            &join(pointer, "in"),
            "formData parameters shared by a path's operations are not supported yet",
            Some("declare them on each operation"),
        );
    }

    /// An operation's `formData` parameters as a 3.0 request body: an object with one
    /// property per parameter (`type: file` a binary string), sent as
    /// `multipart/form-data` when there is a file or `consumes` says so, else as
    /// `application/x-www-form-urlencoded`.
    fn form_body(
        &mut self,
        form: &[(&'d Value, String)],
        consumes: &[String],
        pointer: &str,
    ) -> Value {
        let mut properties = Map::new();
        let mut required = Vec::new();
        let mut has_file = false;
        let new = join(pointer, "requestBody");
        self.map(new.clone(), form[0].1.clone());
        for (param, at) in form {
            let Some(name) = str_of(param, "name") else {
                continue;
            };
            let property = if str_of(param, "type") == Some("file") {
                has_file = true;
                json!({"type": "string", "format": "binary"})
            } else {
                simple_schema(param)
            };
            let schema_pointer = join(&join(&join(&new, "content"), "schema"), name);
            self.map(schema_pointer, at.clone());
            properties.insert(name.to_owned(), property);
            if param.get("required").and_then(Value::as_bool) == Some(true) {
                required.push(Value::from(name));
            }
        }
        let multipart = has_file
            || consumes
                .iter()
                .any(|c| c.starts_with("multipart/form-data"));
        let media_type = if multipart {
            "multipart/form-data"
        } else {
            "application/x-www-form-urlencoded"
        };
        let mut schema = json!({"type": "object", "properties": properties});
        if !required.is_empty() {
            schema["required"] = Value::Array(required.clone());
        }
        json!({
            "required": !required.is_empty(),
            "content": { media_type: { "schema": schema } },
        })
    }

    fn operation(
        &mut self,
        op: &'d Value,
        shared_body: Option<(&'d Value, String)>,
        pointer: &str,
    ) -> Value {
        let mut out = self.operation_fields(op, pointer);

        let mut body = shared_body;
        let mut params = Vec::new();
        let mut form = Vec::new();
        let own = op.get("parameters").and_then(Value::as_array);
        for (j, param) in own.into_iter().flatten().enumerate() {
            let original = join(&join(pointer, "parameters"), &j.to_string());
            let (resolved, at) = self.resolve_param(param, &original);
            match str_of(resolved, "in") {
                Some("body") => body = Some((resolved, at)),
                Some("formData") => form.push((resolved, at)),
                _ => {
                    let new = join(&join(pointer, "parameters"), &params.len().to_string());
                    params.push(self.parameter(param, &new, &original));
                }
            }
        }
        if !params.is_empty() {
            out.insert("parameters".into(), Value::Array(params));
        }
        if body.is_none() && !form.is_empty() {
            let consumes = media_types(op.get("consumes"))
                .or_else(|| media_types(self.global("consumes")))
                .unwrap_or_default();
            out.insert(
                "requestBody".into(),
                self.form_body(&form, &consumes, pointer),
            );
        }
        if let Some((param, at)) = body {
            let request_body = self.body_parameter(op, param, &at, pointer);
            out.insert("requestBody".into(), request_body);
        }

        let produces =
            media_types(op.get("produces")).or_else(|| media_types(self.global("produces")));
        let mut responses = Map::new();
        let declared = op.get("responses").and_then(Value::as_object);
        for (status, response) in declared.into_iter().flatten() {
            let at = join(&join(pointer, "responses"), status);
            let r = self.response(response, produces.as_deref(), &at, &at);
            responses.insert(status.clone(), r);
        }
        out.insert("responses".into(), Value::Object(responses));
        for (key, value) in op.as_object().into_iter().flatten() {
            if key.starts_with("x-") {
                out.insert(key.clone(), value.clone());
            }
        }
        Value::Object(out)
    }

    /// The fields of an operation kept as they are (`operationId` derived from `x-bind-*` when
    /// missing), and the bearer requirement of `x-decorate-server` authentication.
    fn operation_fields(&mut self, op: &'d Value, pointer: &str) -> Map<String, Value> {
        let mut out = Map::new();
        for key in [
            "tags",
            "summary",
            "description",
            "externalDocs",
            "operationId",
            "deprecated",
            "security",
        ] {
            if let Some(v) = op.get(key) {
                out.insert(key.into(), v.clone());
            }
        }
        if !out.contains_key("operationId") {
            let derived = str_of(op, "x-bind-server")
                .map(|f| (f.rsplit('.').next().unwrap_or(f), "x-bind-server"))
                .or_else(|| str_of(op, "x-bind-client").map(|c| (c, "x-bind-client")));
            if let Some((id, from)) = derived {
                out.insert("operationId".into(), id.trim().into());
                self.map(join(pointer, "operationId"), join(pointer, from));
            }
        }
        if requires_auth(op)
            && op
                .get("security")
                .is_none_or(|s| s.is_null() || s.as_array().is_some_and(Vec::is_empty))
        {
            let mut requirement = Map::new();
            requirement.insert(self.bearer.clone(), json!([]));
            out.insert("security".into(), json!([requirement]));
            self.map(
                join(pointer, "security"),
                join(pointer, "x-decorate-server"),
            );
            if self
                .doc
                .get("securityDefinitions")
                .and_then(|d| d.get(&self.bearer))
                .is_none()
            {
                self.add_bearer = true;
            }
        }
        out
    }

    /// The request body of the `in: body` parameter `param` (at `at`) of operation `op`.
    fn body_parameter(
        &mut self,
        op: &'d Value,
        param: &'d Value,
        at: &str,
        pointer: &str,
    ) -> Value {
        let consumes = media_types(op.get("consumes"))
            .map(|c| (c, join(pointer, "consumes")))
            .or_else(|| media_types(self.global("consumes")).map(|c| (c, "/consumes".into())))
            .unwrap_or_else(|| (vec!["application/json".to_owned()], at.to_owned()));
        let new = join(pointer, "requestBody");
        self.map(new.clone(), at.to_owned());
        let the_schema = schema(param.get("schema").unwrap_or(&json!({})));
        let mut content = Map::new();
        self.map(join(&new, "content"), consumes.1.clone());
        for media_type in &consumes.0 {
            let media = join(&join(&new, "content"), media_type);
            self.map(media.clone(), consumes.1.clone());
            self.map(join(&media, "schema"), join(at, "schema"));
            content.insert(media_type.clone(), json!({ "schema": the_schema }));
        }
        let mut request_body = Map::new();
        if let Some(d) = param.get("description") {
            request_body.insert("description".into(), d.clone());
        }
        request_body.insert("content".into(), Value::Object(content));
        let required = param
            .get("required")
            .and_then(Value::as_bool)
            .unwrap_or(false);
        request_body.insert("required".into(), required.into());
        Value::Object(request_body)
    }

    /// A non-body parameter (`new`: its converted pointer, `original`: its pointer in the file).
    pub(super) fn parameter(&mut self, param: &Value, new: &str, original: &str) -> Value {
        self.map(new, original);
        if let Some(r) = str_of(param, "$ref") {
            return json!({ "$ref": rewrite_ref(r) });
        }
        let mut out = Map::new();
        for key in ["name", "in", "description", "required", "allowEmptyValue"] {
            if let Some(v) = param.get(key) {
                out.insert(key.into(), v.clone());
            }
        }
        for (key, value) in param.as_object().into_iter().flatten() {
            if key.starts_with("x-") && key != "x-nullable" {
                out.insert(key.clone(), value.clone());
            }
        }
        // The schema keywords are the parameter's own: `schema/type` is at `type`.
        self.map(join(new, "schema"), original);
        out.insert("schema".into(), simple_schema(param));
        if str_of(param, "type") == Some("array") {
            let format = str_of(param, "collectionFormat").unwrap_or("csv");
            let location = str_of(param, "in").unwrap_or("query");
            match format {
                "multi" => {
                    out.insert("explode".into(), true.into());
                }
                "ssv" if location == "query" => {
                    out.insert("style".into(), "spaceDelimited".into());
                    out.insert("explode".into(), false.into());
                }
                "pipes" if location == "query" => {
                    out.insert("style".into(), "pipeDelimited".into());
                    out.insert("explode".into(), false.into());
                }
                "tsv" if location == "query" => {
                    out.insert("explode".into(), false.into());
                    out.insert(crate::read::openapi3::TSV_MARK.into(), "tsv".into());
                }
                "csv" => {
                    out.insert("explode".into(), false.into());
                }
                other => self.problem(
                    &join(original, "collectionFormat"),
                    &format!("collectionFormat '{other}' is not supported in {location}"),
                    Some("ssv, tsv and pipes are for query parameters; use csv or multi"),
                ),
            }
        }
        Value::Object(out)
    }

    pub(super) fn response(
        &mut self,
        response: &Value,
        produces: Option<&[String]>,
        new: &str,
        original: &str,
    ) -> Value {
        self.map(new, original);
        if let Some(r) = str_of(response, "$ref") {
            return json!({ "$ref": rewrite_ref(r) });
        }
        let mut out = Map::new();
        let description = response
            .get("description")
            .cloned()
            .unwrap_or_else(|| "".into());
        out.insert("description".into(), description);
        if let Some(s) = response.get("schema") {
            let types = produces
                .map(<[String]>::to_vec)
                .unwrap_or_else(|| vec!["application/json".to_owned()]);
            let mut content = Map::new();
            self.map(join(new, "content"), join(original, "schema"));
            let converted = schema(s);
            for media_type in types {
                let media = join(&join(new, "content"), &media_type);
                self.map(join(&media, "schema"), join(original, "schema"));
                content.insert(media_type, json!({ "schema": converted }));
            }
            out.insert("content".into(), Value::Object(content));
        }
        if let Some(headers) = response.get("headers").and_then(Value::as_object) {
            let mut converted = Map::new();
            for (name, header) in headers {
                let mut h = Map::new();
                if let Some(d) = header.get("description") {
                    h.insert("description".into(), d.clone());
                }
                let at = join(&join(new, "headers"), name);
                self.map(join(&at, "schema"), join(&join(original, "headers"), name));
                h.insert("schema".into(), simple_schema(header));
                converted.insert(name.clone(), Value::Object(h));
            }
            out.insert("headers".into(), Value::Object(converted));
        }
        for (key, value) in response.as_object().into_iter().flatten() {
            if key.starts_with("x-") {
                out.insert(key.clone(), value.clone());
            }
        }
        Value::Object(out)
    }
}
