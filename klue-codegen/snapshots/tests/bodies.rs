//! Request bodies over real HTTP: multipart bodies decoded into structs with file parts and
//! validated with pointers; raw bodies streamed to the handler chunk by chunk with the size
//! limit enforced while reading; several media types on one operation dispatched on
//! `Content-Type` (415 for any other); and the generated client sending each kind.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use bytes::Bytes;
use klue_core::{ApiError, ServerConfig};
use klue_core::{BodyStream, ClientConfig, ClientError, FilePart};
use klue_snapshots::bodies as api;
use serde_json::json;

struct Bodies {
    /// Bytes of the largest chunk a blob handler saw.
    largest_chunk: Arc<AtomicUsize>,
}

async fn count(mut body: BodyStream, largest: &AtomicUsize) -> Result<api::Counted, ApiError> {
    let (mut bytes, mut chunks) = (0_i64, 0_i64);
    while let Some(chunk) = body.chunk().await? {
        largest.fetch_max(chunk.len(), Ordering::Relaxed);
        bytes += i64::try_from(chunk.len()).unwrap_or(i64::MAX);
        chunks += 1;
    }
    Ok(api::Counted {
        kind: body.content_type().to_owned(),
        bytes,
        chunks,
    })
}

impl api::BodiesApi for Bodies {
    async fn upload(&self, request: api::UploadRequest) -> Result<api::UploadResponse, ApiError> {
        let body = request.body;
        let size = |n: usize| Some(i64::try_from(n).unwrap_or(i64::MAX));
        Ok(api::Received {
            title: Some(body.title),
            count: body.count,
            public: body.public,
            tags: body.tags,
            source: body.meta.map(|m| m.source),
            file_name: body.file.file_name,
            file_type: body.file.content_type,
            file_size: size(body.file.bytes.len()),
            attachments: size(body.attachments.map_or(0, |a| a.len())),
        }
        .into())
    }

    async fn put_avatar(
        &self,
        request: api::PutAvatarRequest,
    ) -> Result<api::PutAvatarResponse, ApiError> {
        if request.body.image.bytes.is_empty() || request.body.user.is_empty() {
            return Err(ApiError::internal_msg("avatar not decoded"));
        }
        Ok(api::PutAvatarResponse::NoContent)
    }

    async fn put_blob(
        &self,
        request: api::PutBlobRequest,
    ) -> Result<api::PutBlobResponse, ApiError> {
        Ok(count(request.body, &self.largest_chunk).await?.into())
    }

    async fn add_pet(&self, request: api::AddPetRequest) -> Result<api::AddPetResponse, ApiError> {
        Ok(request.body.into())
    }

    async fn import_data(
        &self,
        request: api::ImportDataRequest,
    ) -> Result<api::ImportDataResponse, ApiError> {
        let counted = match request.body {
            None => api::Counted {
                kind: "none".into(),
                bytes: 0,
                chunks: 0,
            },
            Some(api::ImportDataBody::Json(json)) => api::Counted {
                kind: "json".into(),
                bytes: i64::try_from(json.rows.len()).unwrap_or(0),
                chunks: 1,
            },
            Some(api::ImportDataBody::Text(text)) => api::Counted {
                kind: "text".into(),
                bytes: i64::try_from(text.len()).unwrap_or(0),
                chunks: 1,
            },
            Some(api::ImportDataBody::Bytes(stream)) => {
                let mut counted = count(stream, &self.largest_chunk).await?;
                counted.kind = format!("bytes {}", counted.kind);
                counted
            }
        };
        Ok(counted.into())
    }
}

fn service() -> Bodies {
    Bodies {
        largest_chunk: Arc::new(AtomicUsize::new(0)),
    }
}

/// One part: name, file name, content type, content.
type Part<'a> = (&'a str, Option<&'a str>, Option<&'a str>, &'a [u8]);

/// A multipart body of `parts`.
fn multipart(boundary: &str, parts: &[Part<'_>]) -> Vec<u8> {
    let mut out = Vec::new();
    for (name, file_name, content_type, content) in parts {
        out.extend_from_slice(format!("--{boundary}\r\n").as_bytes());
        let mut disposition = format!("Content-Disposition: form-data; name=\"{name}\"");
        if let Some(file_name) = file_name {
            disposition.push_str(&format!("; filename=\"{file_name}\""));
        }
        out.extend_from_slice(disposition.as_bytes());
        out.extend_from_slice(b"\r\n");
        if let Some(content_type) = content_type {
            out.extend_from_slice(format!("Content-Type: {content_type}\r\n").as_bytes());
        }
        out.extend_from_slice(b"\r\n");
        out.extend_from_slice(content);
        out.extend_from_slice(b"\r\n");
    }
    out.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
    out
}

fn pointers(envelope: &klue_core::ErrorEnvelope) -> Vec<&str> {
    let mut pointers: Vec<&str> = envelope.errors.iter().map(|v| v.pointer.as_str()).collect();
    pointers.sort_unstable();
    pointers
}

const FORM_DATA: &str = "multipart/form-data; boundary=XyZ";

#[tokio::test]
async fn multipart_bodies_are_decoded_with_their_files() {
    let (client, _) = testaccept::serve([api::router(service())], ServerConfig::default()).await;
    let body = multipart(
        "XyZ",
        &[
            ("title", None, None, b"holiday"),
            ("count", None, None, b"3"),
            ("public", None, None, b"true"),
            ("tags", None, None, b"sea"),
            ("tags", None, None, b"sun"),
            (
                "meta",
                None,
                Some("application/json"),
                br#"{"source":"phone"}"#,
            ),
            (
                "file",
                Some("a.png"),
                Some("image/png"),
                b"\x89PNG--XyZ-inline",
            ),
            ("attachments", Some("1.txt"), None, b"one"),
            ("attachments", Some("2.txt"), None, b"two"),
        ],
    );
    let received = client
        .send(http::Method::POST, "/uploads", &[], Some((FORM_DATA, body)))
        .await
        .assert_json(200);
    assert_eq!(
        received,
        json!({
            "title": "holiday", "count": 3, "public": true, "tags": ["sea", "sun"],
            "source": "phone", "file_name": "a.png", "file_type": "image/png",
            "file_size": 16, "attachments": 2
        })
    );

    // A named schema ($ref) as the multipart body.
    let avatar = multipart(
        "XyZ",
        &[
            ("user", None, None, b"ada"),
            ("image", Some("me.jpg"), Some("image/jpeg"), b"\xff\xd8"),
        ],
    );
    let stored = client
        .send(
            http::Method::PUT,
            "/avatars",
            &[],
            Some((FORM_DATA, avatar)),
        )
        .await;
    assert_eq!(stored.status.as_u16(), 204);
}

#[tokio::test]
async fn invalid_multipart_bodies_are_rejected_with_pointers() {
    let (client, _) = testaccept::serve([api::router(service())], ServerConfig::default()).await;
    let send = |content_type: &'static str, body: Vec<u8>| {
        let client = client.clone();
        async move {
            client
                .send(
                    http::Method::POST,
                    "/uploads",
                    &[],
                    Some((content_type, body)),
                )
                .await
        }
    };

    // Every violation at once: a too-short title, a count below its minimum, a non-integer
    // rank and a missing property in the JSON part, too many files, and the file missing.
    let bad = multipart(
        "XyZ",
        &[
            ("title", None, None, b"x"),
            ("count", None, None, b"0"),
            ("meta", None, None, br#"{"rank":11}"#),
            ("attachments", Some("1"), None, b"1"),
            ("attachments", Some("2"), None, b"2"),
            ("attachments", Some("3"), None, b"3"),
        ],
    );
    let envelope = send(FORM_DATA, bad)
        .await
        .assert_error(400, "INVALID_PARAMETER");
    assert_eq!(
        pointers(&envelope),
        [
            "/attachments",
            "/count",
            "/file",
            "/meta/rank",
            "/meta/source",
            "/title"
        ],
        "{:?}",
        envelope.errors
    );

    // A value of the wrong type in a text part.
    let typed = multipart(
        "XyZ",
        &[
            ("title", None, None, b"ok title"),
            ("count", None, None, b"many"),
            ("file", Some("f"), None, b"x"),
        ],
    );
    let envelope = send(FORM_DATA, typed)
        .await
        .assert_error(400, "INVALID_PARAMETER");
    assert_eq!(pointers(&envelope), ["/count"], "{:?}", envelope.errors);

    // No boundary, a boundary the body does not use, and a body cut short.
    let good = multipart(
        "XyZ",
        &[
            ("title", None, None, b"fine"),
            ("file", Some("f"), None, b"x"),
        ],
    );
    let envelope = send("multipart/form-data", good.clone())
        .await
        .assert_error(400, "INVALID_PARAMETER");
    assert!(
        envelope.errors[0].message.contains("boundary"),
        "{:?}",
        envelope.errors
    );
    send("multipart/form-data; boundary=other", good.clone())
        .await
        .assert_error(400, "INVALID_PARAMETER");
    send(FORM_DATA, good[..good.len() - 10].to_vec())
        .await
        .assert_error(400, "INVALID_PARAMETER");

    // Not multipart at all.
    send("application/json", br#"{"title":"x"}"#.to_vec())
        .await
        .assert_error(415, "UNSUPPORTED_MEDIA_TYPE");
    // The body limit applies.
    let (small, _) = testaccept::serve(
        [api::router(service())],
        ServerConfig {
            body_limit: 64,
            ..ServerConfig::default()
        },
    )
    .await;
    small
        .send(http::Method::POST, "/uploads", &[], Some((FORM_DATA, good)))
        .await
        .assert_error(413, "PAYLOAD_TOO_LARGE");
}

#[tokio::test]
async fn raw_bodies_are_streamed_chunk_by_chunk() {
    const SIZE: usize = 50 * 1024 * 1024;
    let bodies = service();
    let largest = Arc::clone(&bodies.largest_chunk);
    let (client, _) = testaccept::serve(
        [api::router(bodies)],
        ServerConfig {
            body_limit: 64 * 1024 * 1024,
            ..ServerConfig::default()
        },
    )
    .await;
    let counted = client
        .send(
            http::Method::PUT,
            "/blobs/big",
            &[],
            Some(("application/octet-stream", vec![7_u8; SIZE])),
        )
        .await
        .assert_json(200);
    assert_eq!(counted["bytes"], json!(SIZE));
    assert_eq!(counted["kind"], "application/octet-stream");
    // The handler saw the body in many pieces, none of them anywhere near the whole.
    let chunks = counted["chunks"].as_i64().unwrap_or(0);
    assert!(chunks > 20, "{chunks} chunks");
    let largest = largest.load(Ordering::Relaxed);
    assert!(largest < SIZE / 10, "largest chunk {largest} bytes");
}

#[tokio::test]
async fn the_limit_holds_while_streaming() {
    let (client, addr) = testaccept::serve(
        [api::router(service())],
        ServerConfig {
            body_limit: 1024 * 1024,
            ..ServerConfig::default()
        },
    )
    .await;
    // Declared too large: refused before the handler runs.
    client
        .send(
            http::Method::PUT,
            "/blobs/x",
            &[],
            Some(("application/octet-stream", vec![0; 2 * 1024 * 1024])),
        )
        .await
        .assert_error(413, "PAYLOAD_TOO_LARGE");
    // Chunked, no length: the handler's read fails once past the limit.
    let typed =
        api::BodiesClient::new(ClientConfig::new(format!("http://{addr}"))).expect("client");
    let chunks = futures_util::stream::iter(
        (0..40).map(|_| Ok::<_, std::io::Error>(Bytes::from(vec![1_u8; 64 * 1024]))),
    );
    let err = typed
        .put_blob(api::PutBlobParams {
            name: "x".into(),
            body: BodyStream::from_stream("application/octet-stream", chunks),
        })
        .await
        .expect_err("over the limit");
    match err {
        ClientError::Api { status, .. } => assert_eq!(status.as_u16(), 413),
        other => panic!("expected a 413, got {other:?}"),
    }
}

#[tokio::test]
async fn several_media_types_dispatch_on_content_type() {
    let (client, _) = testaccept::serve([api::router(service())], ServerConfig::default()).await;
    // JSON and a form of one schema decode into the same type.
    let pet = client
        .send(
            http::Method::POST,
            "/pets",
            &[],
            Some(("application/json", br#"{"name":"rex","age":3}"#.to_vec())),
        )
        .await
        .assert_json(200);
    assert_eq!(pet, json!({"name": "rex", "age": 3}));
    let pet = client
        .send(
            http::Method::POST,
            "/pets",
            &[],
            Some((
                "application/x-www-form-urlencoded",
                b"name=rex&age=3".to_vec(),
            )),
        )
        .await
        .assert_json(200);
    assert_eq!(pet, json!({"name": "rex", "age": 3}));
    let bad = client
        .send(
            http::Method::POST,
            "/pets",
            &[],
            Some((
                "application/x-www-form-urlencoded",
                b"name=&age=-1".to_vec(),
            )),
        )
        .await
        .assert_error(400, "INVALID_PARAMETER");
    assert_eq!(pointers(&bad), ["/age", "/name"]);
    client
        .send(
            http::Method::POST,
            "/pets",
            &[],
            Some(("text/plain", b"rex".to_vec())),
        )
        .await
        .assert_error(415, "UNSUPPORTED_MEDIA_TYPE");

    // JSON, CSV text or raw bytes: an enum with one variant per kind.
    let import = |content_type: &'static str, body: &'static [u8]| {
        let client = client.clone();
        async move {
            client
                .send(
                    http::Method::POST,
                    "/imports",
                    &[],
                    Some((content_type, body.to_vec())),
                )
                .await
        }
    };
    let json_kind = import("application/json", br#"{"rows":[1,2]}"#)
        .await
        .assert_json(200);
    assert_eq!(json_kind, json!({"kind": "json", "bytes": 2, "chunks": 1}));
    let text = import("text/csv", b"a,b\n1,2\n").await.assert_json(200);
    assert_eq!(text["kind"], "text");
    assert_eq!(text["bytes"], 8);
    let bytes = import("application/octet-stream", b"\x00\x01\x02")
        .await
        .assert_json(200);
    assert_eq!(bytes["kind"], "bytes application/octet-stream");
    assert_eq!(bytes["bytes"], 3);
    let bad = import("application/json", br#"{"rows":[1,2,3,4]}"#)
        .await
        .assert_error(400, "INVALID_PARAMETER");
    assert_eq!(pointers(&bad), ["/rows"]);
    import("application/xml", b"<rows/>")
        .await
        .assert_error(415, "UNSUPPORTED_MEDIA_TYPE");
    let none = client
        .send(http::Method::POST, "/imports", &[], None)
        .await
        .assert_json(200);
    assert_eq!(none["kind"], "none");
}

#[tokio::test]
async fn the_client_sends_every_kind() {
    let bodies = service();
    let largest = Arc::clone(&bodies.largest_chunk);
    let (_, addr) = testaccept::serve(
        [api::router(bodies)],
        ServerConfig {
            body_limit: 16 * 1024 * 1024,
            ..ServerConfig::default()
        },
    )
    .await;
    let typed =
        api::BodiesClient::new(ClientConfig::new(format!("http://{addr}"))).expect("client");

    // Multipart: text fields, a JSON object part, files.
    let received = typed
        .upload(api::UploadParams {
            body: api::UploadBody {
                title: "trip \"2024\"".into(),
                count: Some(2),
                public: Some(false),
                tags: Some(vec!["a".into(), "b".into()]),
                meta: Some(api::UploadBodyMeta {
                    source: "cam".into(),
                    rank: Some(1),
                }),
                file: FilePart::new("x.bin", "application/x-thing", &b"\x00\x01\x02"[..]),
                attachments: Some(vec![FilePart {
                    bytes: Bytes::from_static(b"z"),
                    ..FilePart::default()
                }]),
            },
        })
        .await
        .expect("upload");
    assert_eq!(
        received,
        api::UploadResponse::Ok(api::Received {
            title: Some("trip \"2024\"".into()),
            count: Some(2),
            public: Some(false),
            tags: Some(vec!["a".into(), "b".into()]),
            source: Some("cam".into()),
            file_name: Some("x.bin".into()),
            file_type: Some("application/x-thing".into()),
            file_size: Some(3),
            attachments: Some(1),
        })
    );
    // The client checks the body before sending it.
    let invalid = typed
        .upload(api::UploadParams {
            body: api::UploadBody {
                title: "x".into(),
                count: None,
                public: None,
                tags: None,
                meta: None,
                file: FilePart::default(),
                attachments: None,
            },
        })
        .await
        .expect_err("too short");
    match invalid {
        ClientError::InvalidRequest(violations) => {
            assert_eq!(violations[0].pointer, "/title", "{violations:?}");
        }
        other => panic!("expected InvalidRequest, got {other:?}"),
    }

    // A real stream, sent as it is produced.
    let chunks = futures_util::stream::iter(
        (0..64).map(|_| Ok::<_, std::io::Error>(Bytes::from(vec![3_u8; 128 * 1024]))),
    );
    let counted = typed
        .put_blob(api::PutBlobParams {
            name: "s".into(),
            body: BodyStream::from_stream("application/octet-stream; v=1", chunks),
        })
        .await
        .expect("stream");
    let api::PutBlobResponse::Ok(counted) = counted;
    assert_eq!(counted.bytes, 64 * 128 * 1024);
    assert_eq!(counted.kind, "application/octet-stream; v=1");
    assert!(counted.chunks > 1, "{counted:?}");
    assert!(largest.load(Ordering::Relaxed) < 8 * 1024 * 1024);
    // Bytes, typed by the spec's first media type.
    let counted = typed
        .put_blob(api::PutBlobParams {
            name: "b".into(),
            body: BodyStream::from_bytes("", &b"abc"[..]),
        })
        .await
        .expect("bytes");
    let api::PutBlobResponse::Ok(counted) = counted;
    assert_eq!(counted.bytes, 3);
    assert_eq!(counted.kind, "application/octet-stream");

    // Each variant of a body offered in several kinds.
    let pet = typed
        .add_pet(api::AddPetParams {
            body: api::Pet {
                name: "rex".into(),
                age: Some(2),
            },
        })
        .await
        .expect("pet");
    assert!(matches!(pet, api::AddPetResponse::Ok(p) if p.name == "rex"));
    let kinds = [
        (
            api::ImportDataBody::Json(api::ImportDataBodyJson { rows: vec![1] }),
            "json",
        ),
        (api::ImportDataBody::Text("a\n".into()), "text"),
        (
            api::ImportDataBody::Bytes(BodyStream::from_bytes("", &b"xy"[..])),
            "bytes application/octet-stream",
        ),
    ];
    for (body, kind) in kinds {
        let api::ImportDataResponse::Ok(counted) = typed
            .import_data(api::ImportDataParams { body: Some(body) })
            .await
            .expect("import");
        assert_eq!(counted.kind, kind);
    }
}
