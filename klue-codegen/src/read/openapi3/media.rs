//! Request and response bodies: which of the offered media types klue uses, and how.
//!
//! JSON (`application/json`, `*/*+json`) wins whenever it is offered. Otherwise a request body
//! in `application/x-www-form-urlencoded` with an object schema is decoded into that type;
//! `text/*` is a `String`; anything else (octet-stream, multipart, images, `*/*`) is raw bytes
//! with its content type.

use openapiv3 as oa;

use super::params::text_schema;
use super::Reader;
use crate::diagnostics::join;
use crate::model::*;

impl Reader<'_, '_, '_> {
    pub(super) fn request_body(
        &mut self,
        body: &oa::ReferenceOr<oa::RequestBody>,
        pointer: &str,
    ) -> Option<RequestBody> {
        let (body, pointer) =
            self.component(body, pointer, "requestBodies", "request body", |c| {
                &c.request_bodies
            })?;
        let content_pointer = join(&pointer, "content");
        if body.content.is_empty() {
            self.diag.warn(
                &content_pointer,
                "the request body declares no media type: it is read as raw bytes",
            );
            return Some(RequestBody {
                content_types: vec!["*/*".to_owned()],
                media: Media::Bytes,
                required: body.required,
                schema: Schema::any(content_pointer),
            });
        }
        let (media, chosen) = choose(&body.content, true);
        let content_types: Vec<String> = chosen.iter().map(|(t, _)| (*t).clone()).collect();
        let schema = match media {
            Media::Json | Media::Form => {
                let (first_type, first) = chosen[0];
                match &first.schema {
                    Some(schema) => {
                        self.schema(schema, &join(&join(&content_pointer, first_type), "schema"))
                    }
                    None => Schema::any(join(&content_pointer, first_type)),
                }
            }
            Media::Text | Media::Bytes => Schema::any(content_pointer.clone()),
        };
        // A form body must decode into a struct; anything else stays raw bytes.
        let media = match (media, &schema.kind) {
            (Media::Form, SchemaKind::Object { .. } | SchemaKind::Ref(_)) => Media::Form,
            (Media::Form, _) => Media::Bytes,
            (other, _) => other,
        };
        Some(RequestBody {
            content_types,
            media,
            required: body.required,
            schema,
        })
    }

    pub(super) fn response(
        &mut self,
        status: ResponseStatus,
        response: &oa::ReferenceOr<oa::Response>,
        pointer: &str,
    ) -> Option<Response> {
        let (response, pointer) =
            self.component(response, pointer, "responses", "response", |c| &c.responses)?;
        let content_pointer = join(&pointer, "content");
        let headers_pointer = join(&pointer, "headers");
        let mut headers = Vec::new();
        for (name, header) in &response.headers {
            if name.eq_ignore_ascii_case("content-type") {
                continue;
            }
            let at = join(&headers_pointer, name);
            let (required, schema) = match header.as_item() {
                Some(header) => {
                    let schema = match &header.format {
                        oa::ParameterSchemaOrContent::Schema(schema) => {
                            self.schema(schema, &join(&at, "schema"))
                        }
                        oa::ParameterSchemaOrContent::Content(_) => text_schema(&at),
                    };
                    (header.required, schema)
                }
                None => (false, text_schema(&at)),
            };
            let schema = if self.is_header_type(&schema) {
                schema
            } else {
                self.diag.warn(
                    &at,
                    format!("response header '{name}' is not a scalar or an array of scalars: it is read as text"),
                );
                text_schema(&at)
            };
            headers.push(Property {
                name: name.clone(),
                required,
                schema,
                default: None,
                read_only: false,
                write_only: false,
            });
        }
        let (media, content_type, body) = if response.content.is_empty() {
            (Media::Json, String::new(), None)
        } else {
            let (media, chosen) = choose(&response.content, false);
            let (media_type, chosen_media) = chosen[0];
            let body = match media {
                Media::Json | Media::Form => match &chosen_media.schema {
                    Some(schema) => {
                        self.schema(schema, &join(&join(&content_pointer, media_type), "schema"))
                    }
                    None => Schema::any(content_pointer.clone()),
                },
                Media::Text | Media::Bytes => Schema::any(content_pointer.clone()),
            };
            let content_type = if media_type.contains('*') {
                "application/octet-stream".to_owned()
            } else {
                media_type.clone()
            };
            (media, content_type, Some(body))
        };
        Some(Response {
            status,
            description: Some(response.description.clone()).filter(|d| !d.is_empty()),
            body,
            media,
            content_type,
            headers,
        })
    }
}

/// The media kind klue uses for `content`, and the entries of that kind.
fn choose(
    content: &indexmap::IndexMap<String, oa::MediaType>,
    request: bool,
) -> (Media, Vec<(&String, &oa::MediaType)>) {
    let of_kind = |kind: Media| -> Vec<(&String, &oa::MediaType)> {
        content
            .iter()
            .filter(|(t, _)| media_of(t, request) == kind)
            .collect()
    };
    for kind in [Media::Json, Media::Form, Media::Text] {
        let found = of_kind(kind);
        if !found.is_empty() {
            return (kind, found);
        }
    }
    (Media::Bytes, content.iter().collect())
}

fn media_of(media_type: &str, request: bool) -> Media {
    let essence = media_type
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    if essence == "application/json" || essence.ends_with("+json") {
        Media::Json
    } else if request && essence == "application/x-www-form-urlencoded" {
        Media::Form
    } else if essence.starts_with("text/") && essence != "text/*" {
        Media::Text
    } else {
        Media::Bytes
    }
}
