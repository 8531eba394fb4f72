//! Request and response bodies: which of the offered media types klue uses, and how.
//!
//! A request body may be offered in several media kinds: JSON (`application/json`,
//! `*/*+json`), `application/x-www-form-urlencoded` and `multipart/form-data` with an object
//! schema (decoded into a struct), `text/*` (a `String`), and anything else (octet-stream,
//! images, `*/*`: streamed bytes). Each kind offered is kept; the server dispatches on
//! `Content-Type`. A response uses one kind: JSON whenever it is offered, else the first.

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
                alternatives: Vec::new(),
            });
        }
        let mut kinds: Vec<BodyAlternative> = Vec::new();
        for kind in REQUEST_KINDS {
            let chosen: Vec<(&String, &oa::MediaType)> = body
                .content
                .iter()
                .filter(|(t, _)| media_of(t, true) == kind)
                .collect();
            let Some(&(first_type, first)) = chosen.first() else {
                continue;
            };
            let content_types = chosen.iter().map(|(t, _)| (*t).clone()).collect();
            let type_pointer = join(&content_pointer, first_type);
            let schema = match (kind, &first.schema) {
                (Media::Json | Media::Form | Media::Multipart, Some(schema)) => {
                    self.schema(schema, &join(&type_pointer, "schema"))
                }
                _ => Schema::any(type_pointer),
            };
            // A form or multipart body must decode into a struct; anything else stays raw
            // bytes.
            let media = match (kind, &schema.kind) {
                (
                    Media::Form | Media::Multipart,
                    SchemaKind::Object { .. } | SchemaKind::Ref(_),
                ) => kind,
                (Media::Form | Media::Multipart, _) => Media::Bytes,
                (other, _) => other,
            };
            match kinds.iter_mut().find(|k| k.media == media) {
                Some(existing) => existing.content_types.extend(content_types),
                None => kinds.push(BodyAlternative {
                    content_types,
                    media,
                    schema,
                }),
            }
        }
        let first = kinds.remove(0);
        Some(RequestBody {
            content_types: first.content_types,
            media: first.media,
            required: body.required,
            schema: first.schema,
            alternatives: kinds,
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
                Media::Multipart | Media::Text | Media::Bytes => {
                    Schema::any(content_pointer.clone())
                }
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

/// The kinds a request body may be decoded as, in the order the handler's body type lists
/// them (the first offered is the main one).
const REQUEST_KINDS: [Media; 5] = [
    Media::Json,
    Media::Form,
    Media::Multipart,
    Media::Text,
    Media::Bytes,
];

/// The media kind klue uses for a response's `content`, and the entries of that kind.
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
    } else if request && essence == "multipart/form-data" {
        Media::Multipart
    } else if essence.starts_with("text/") && essence != "text/*" {
        Media::Text
    } else {
        Media::Bytes
    }
}
