//! `multipart/form-data` bodies: decoded into a generated struct whose binary properties are
//! [`FilePart`]s and whose other properties come from text parts (scalars read by their
//! schema, objects and arrays of objects as JSON: the spec's default encoding), validated
//! like a JSON body with pointers (`/field`); and encoded by generated clients.

use bytes::Bytes;
#[cfg(feature = "client")]
use serde_json::Value;

#[cfg(feature = "client")]
use crate::client::ClientError;
use crate::validate::{validate_value, Schema, Violations};
#[cfg(feature = "client")]
use crate::validate::{Location, Violation};

/// A file sent as one part of a `multipart/form-data` body.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FilePart {
    /// The `filename` of its `Content-Disposition`, when sent.
    pub file_name: Option<String>,
    /// Its `Content-Type`, when sent (a client sends `application/octet-stream` for `None`).
    pub content_type: Option<String>,
    /// Its content.
    pub bytes: Bytes,
}

impl FilePart {
    /// A part holding `bytes`, named `file_name`, of `content_type`.
    pub fn new(
        file_name: impl Into<String>,
        content_type: impl Into<String>,
        bytes: impl Into<Bytes>,
    ) -> Self {
        FilePart {
            file_name: Some(file_name.into()),
            content_type: Some(content_type.into()),
            bytes: bytes.into(),
        }
    }
}

/// The file parts of a decoded body, in the order they came, by property name.
#[derive(Debug, Default)]
pub struct FileParts {
    parts: Vec<(String, FilePart)>,
}

impl FileParts {
    fn take(&mut self, name: &str) -> Vec<FilePart> {
        let (taken, kept) = std::mem::take(&mut self.parts)
            .into_iter()
            .partition(|(key, _)| key == name);
        self.parts = kept;
        taken.into_iter().map(|(_, part)| part).collect()
    }
}

/// A field of a multipart struct holding files: one ([`FilePart`]), maybe one, or several
/// (`Vec`, for an array of binary strings).
pub trait FileField: Sized {
    /// The field's value from the parts named `name` (validation already saw to `required`).
    fn take_from(files: &mut FileParts, name: &str) -> Self;
    /// The parts it holds, to send.
    fn parts(&self) -> Vec<&FilePart>;
}

impl FileField for FilePart {
    fn take_from(files: &mut FileParts, name: &str) -> Self {
        files.take(name).into_iter().next().unwrap_or_default()
    }
    fn parts(&self) -> Vec<&FilePart> {
        vec![self]
    }
}

impl FileField for Vec<FilePart> {
    fn take_from(files: &mut FileParts, name: &str) -> Self {
        files.take(name)
    }
    fn parts(&self) -> Vec<&FilePart> {
        self.iter().collect()
    }
}

impl<T: FileField> FileField for Option<T> {
    fn take_from(files: &mut FileParts, name: &str) -> Self {
        if files.parts.iter().any(|(key, _)| key == name) {
            Some(T::take_from(files, name))
        } else {
            None
        }
    }
    fn parts(&self) -> Vec<&FilePart> {
        self.as_ref().map_or_else(Vec::new, FileField::parts)
    }
}

/// A struct generated for a multipart body: serde reads and writes its text fields, and its
/// file fields (skipped by serde) go through this trait.
pub trait MultipartBody: serde::de::DeserializeOwned + serde::Serialize {
    /// The properties sent as files.
    const FILE_FIELDS: &'static [&'static str];
    /// Moves the decoded files into their fields.
    fn take_files(&mut self, files: &mut FileParts);
    /// The files to send, with their property names.
    fn file_parts(&self) -> Vec<(&'static str, &FilePart)>;
}

/// Decodes the multipart `body` sent with `content_type`, reporting violations in `v`.
pub(crate) async fn decode<T: MultipartBody>(
    content_type: &str,
    body: Bytes,
    schema: &'static Schema,
    v: &mut Violations,
) -> Option<T> {
    let boundary = match multer::parse_boundary(content_type) {
        Ok(boundary) => boundary,
        Err(err) => {
            v.push(format!("the multipart body has no usable boundary: {err}"));
            return None;
        }
    };
    let chunks = futures_util::stream::once(std::future::ready(Ok::<_, std::io::Error>(body)));
    let mut multipart = multer::Multipart::new(chunks, boundary);
    let mut pairs: Vec<(String, String)> = Vec::new();
    let mut files = FileParts::default();
    let before = v.len();
    loop {
        let field = match multipart.next_field().await {
            Ok(Some(field)) => field,
            Ok(None) => break,
            Err(err) => {
                v.push(format!("malformed multipart body: {err}"));
                return None;
            }
        };
        let Some(name) = field.name().map(str::to_owned) else {
            continue;
        };
        let file_name = field.file_name().map(str::to_owned);
        let part_type = field.content_type().map(ToString::to_string);
        let bytes = match field.bytes().await {
            Ok(bytes) => bytes,
            Err(err) => {
                v.push(format!("malformed multipart body: {err}"));
                return None;
            }
        };
        if T::FILE_FIELDS.contains(&name.as_str()) {
            // The file stands in the validated object as its name, so that `required`
            // (and the count of an array of files) are checked with the text fields.
            pairs.push((name.clone(), file_name.clone().unwrap_or_default()));
            files.parts.push((
                name,
                FilePart {
                    file_name,
                    content_type: part_type,
                    bytes,
                },
            ));
            continue;
        }
        match String::from_utf8(bytes.to_vec()) {
            Ok(text) => pairs.push((name, text)),
            Err(_) => v.push_pointer(pointer(&name), "the part is not UTF-8 text"),
        }
    }
    let value = crate::extract::form::decode_pairs(pairs, schema);
    validate_value(&value, schema, v);
    if v.len() > before {
        return None;
    }
    match serde_path_to_error::deserialize::<_, T>(value) {
        Ok(mut typed) => {
            typed.take_files(&mut files);
            Some(typed)
        }
        Err(err) => {
            v.push_pointer(
                crate::extract::pointer::pointer_of(err.path()),
                err.inner().to_string(),
            );
            None
        }
    }
}

fn pointer(name: &str) -> String {
    format!("/{}", name.replace('~', "~0").replace('/', "~1"))
}

#[cfg(feature = "client")]
/// Encodes `body` as `multipart/form-data`: its `Content-Type` (with the boundary) and bytes.
/// Text fields are text parts (an array as repeated parts, an object as a JSON part); files
/// are file parts. When `validate`, checks the body against `schema` first.
pub fn encode_multipart<T: MultipartBody>(
    body: &T,
    schema: &'static Schema,
    validate: bool,
) -> Result<(String, Bytes), ClientError> {
    let invalid = |message: String| {
        ClientError::InvalidRequest(vec![Violation {
            location: Location::Body,
            pointer: String::new(),
            message,
        }])
    };
    let value = serde_json::to_value(body)
        .map_err(|err| invalid(format!("cannot be encoded as multipart: {err}")))?;
    let files = body.file_parts();
    if validate {
        let mut pairs = Vec::new();
        crate::extract::form::flatten(&value, &mut pairs);
        for (name, part) in &files {
            pairs.push((
                (*name).to_owned(),
                part.file_name.clone().unwrap_or_default(),
            ));
        }
        let mut violations = Violations::new(Location::Body);
        validate_value(
            &crate::extract::form::decode_pairs(pairs, schema),
            schema,
            &mut violations,
        );
        if !violations.is_empty() {
            return Err(ClientError::InvalidRequest(violations.into_vec()));
        }
    }
    let boundary = format!("klue-{}", uuid::Uuid::new_v4().simple());
    let mut out = Vec::new();
    let mut part =
        |name: &str, file_name: Option<&str>, content_type: Option<&str>, data: &[u8]| {
            out.extend_from_slice(format!("--{boundary}\r\n").as_bytes());
            let mut disposition =
                format!("Content-Disposition: form-data; name=\"{}\"", quoted(name));
            if let Some(file_name) = file_name {
                disposition.push_str(&format!("; filename=\"{}\"", quoted(file_name)));
            }
            out.extend_from_slice(disposition.as_bytes());
            out.extend_from_slice(b"\r\n");
            if let Some(content_type) = content_type {
                out.extend_from_slice(format!("Content-Type: {content_type}\r\n").as_bytes());
            }
            out.extend_from_slice(b"\r\n");
            out.extend_from_slice(data);
            out.extend_from_slice(b"\r\n");
        };
    if let Value::Object(object) = &value {
        for (name, value) in object {
            let items = match value {
                Value::Array(items) => items.as_slice(),
                other => std::slice::from_ref(other),
            };
            for item in items {
                match item {
                    Value::Null => {}
                    Value::String(text) => part(name, None, None, text.as_bytes()),
                    Value::Object(_) | Value::Array(_) => part(
                        name,
                        None,
                        Some("application/json"),
                        item.to_string().as_bytes(),
                    ),
                    other => part(name, None, None, other.to_string().as_bytes()),
                }
            }
        }
    }
    for (name, file) in &files {
        let content_type = file
            .content_type
            .as_deref()
            .unwrap_or("application/octet-stream");
        part(
            name,
            Some(file.file_name.as_deref().unwrap_or(name)),
            Some(content_type),
            &file.bytes,
        );
    }
    out.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
    Ok((
        format!("multipart/form-data; boundary={boundary}"),
        Bytes::from(out),
    ))
}

#[cfg(feature = "client")]
/// `text` inside a quoted header parameter, escaped the way browsers do.
fn quoted(text: &str) -> String {
    text.replace('"', "%22")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// The schema of a multipart body: an object with `properties` (a const fn, so that generated
/// statics do not spell out every field of [`crate::validate::ObjectRules`]).
pub const fn multipart_schema(properties: &'static [crate::validate::Property]) -> Schema {
    Schema::Object(crate::validate::ObjectRules {
        properties,
        additional: None,
        min_properties: None,
        max_properties: None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::validate::{ArrayRules, Property, StringRules};

    #[derive(Debug, Default, PartialEq, serde::Serialize, serde::Deserialize)]
    struct Upload {
        title: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        tags: Option<Vec<String>>,
        #[serde(skip)]
        file: FilePart,
        #[serde(skip)]
        extra: Option<Vec<FilePart>>,
    }

    impl MultipartBody for Upload {
        const FILE_FIELDS: &'static [&'static str] = &["file", "extra"];
        fn take_files(&mut self, files: &mut FileParts) {
            self.file = FileField::take_from(files, "file");
            self.extra = FileField::take_from(files, "extra");
        }
        fn file_parts(&self) -> Vec<(&'static str, &FilePart)> {
            let mut parts: Vec<_> = self.file.parts().into_iter().map(|p| ("file", p)).collect();
            parts.extend(self.extra.parts().into_iter().map(|p| ("extra", p)));
            parts
        }
    }

    static TEXT: Schema = Schema::String(StringRules {
        min_length: Some(2),
        max_length: None,
        pattern: None,
        enum_values: &[],
        format: None,
    });
    static FILES: Schema = Schema::Array(ArrayRules {
        items: &crate::validate::plain::STRING,
        min_items: None,
        max_items: None,
        unique_items: false,
    });
    static UPLOAD: Schema = multipart_schema(&[
        Property {
            name: "title",
            required: true,
            schema: &TEXT,
        },
        Property {
            name: "tags",
            required: false,
            schema: &FILES,
        },
        Property {
            name: "file",
            required: true,
            schema: &crate::validate::plain::STRING,
        },
        Property {
            name: "extra",
            required: false,
            schema: &FILES,
        },
    ]);

    #[tokio::test]
    async fn what_the_client_encodes_the_server_decodes() {
        let sent = Upload {
            title: "a \"quoted\"\r\nname".into(),
            tags: Some(vec!["x".into(), "y".into()]),
            file: FilePart::new("f\".bin", "application/x-f", &b"\r\n--not-it\r\n"[..]),
            extra: Some(vec![FilePart {
                bytes: Bytes::from_static(b"e"),
                ..FilePart::default()
            }]),
        };
        let (content_type, body) = encode_multipart(&sent, &UPLOAD, true).expect("encode");
        let mut v = Violations::new(Location::Body);
        let got: Upload = decode(&content_type, body, &UPLOAD, &mut v)
            .await
            .expect("decode");
        assert!(v.is_empty(), "{v:?}");
        assert_eq!(got.title, sent.title);
        assert_eq!(got.tags, sent.tags);
        assert_eq!(got.file.bytes, sent.file.bytes);
        assert_eq!(got.file.content_type.as_deref(), Some("application/x-f"));
        assert_eq!(got.file.file_name.as_deref(), Some("f%22.bin"));
        let extra = got.extra.expect("extra");
        assert_eq!(extra[0].bytes, Bytes::from_static(b"e"));
        assert_eq!(
            extra[0].content_type.as_deref(),
            Some("application/octet-stream")
        );
    }

    #[test]
    fn the_client_refuses_an_invalid_body() {
        let short = Upload {
            title: "a".into(),
            ..Upload::default()
        };
        match encode_multipart(&short, &UPLOAD, true) {
            Err(ClientError::InvalidRequest(violations)) => {
                assert_eq!(violations[0].pointer, "/title");
            }
            other => panic!("expected a violation, got {other:?}"),
        }
        assert!(encode_multipart(&short, &UPLOAD, false).is_ok());
    }
}
