//! Bodies that are not JSON, served over real HTTP: text in and out, raw bytes with their
//! type (octet-stream, `image/*`, multipart, `*/*`), form bodies decoded into a struct and
//! validated with pointers, and JSON chosen when an operation offers several types.

use bytes::Bytes;
use klue_core::{ApiError, ServerConfig};
use klue_core::{BodyStream, ClientConfig, RawBody};
use klue_snapshots::media as api;
use serde_json::json;

struct Media;

impl api::MediaApi for Media {
    async fn post_note(
        &self,
        request: api::PostNoteRequest,
    ) -> Result<api::PostNoteResponse, ApiError> {
        Ok(api::PostNoteResponse::Ok(request.body.to_uppercase()))
    }

    async fn put_file(
        &self,
        request: api::PutFileRequest,
    ) -> Result<api::PutFileResponse, ApiError> {
        let content_type = request.body.content_type().to_owned();
        let bytes = request.body.collect_bytes().await?;
        Ok(api::PutFileResponse::Ok(RawBody::new(content_type, bytes)))
    }

    async fn login(&self, request: api::LoginRequest) -> Result<api::LoginResponse, ApiError> {
        let body = request.body;
        Ok(api::LoginOk {
            user: Some(body.user),
            age: Some(body.age),
            tags: body.tags,
        }
        .into())
    }

    async fn upload(&self, request: api::UploadRequest) -> Result<api::UploadResponse, ApiError> {
        let size = request
            .body
            .and_then(|b| b.file)
            .map_or(0, |file| file.bytes.len());
        Ok(api::UploadResponse::Ok(
            i64::try_from(size).unwrap_or(i64::MAX),
        ))
    }

    async fn get_report(
        &self,
        _request: api::GetReportRequest,
    ) -> Result<api::GetReportResponse, ApiError> {
        Ok(api::GetReportResponse::NotFound("<p>no report</p>".into()))
    }

    async fn post_anything(
        &self,
        request: api::PostAnythingRequest,
    ) -> Result<api::PostAnythingResponse, ApiError> {
        let size = match request.body {
            Some(body) => body.collect_bytes().await?.len(),
            None => 0,
        };
        Ok(api::PostAnythingResponse::Ok(RawBody::new(
            "text/plain",
            size.to_string(),
        )))
    }
}

#[tokio::test]
async fn text_and_bytes_in_and_out() {
    let (client, _) = testaccept::serve([api::router(Media)], ServerConfig::default()).await;
    let note = client
        .send(
            http::Method::POST,
            "/notes",
            &[],
            Some(("text/plain; charset=utf-8", b"hello".to_vec())),
        )
        .await;
    assert_eq!(note.status.as_u16(), 200);
    assert_eq!(note.headers["content-type"], "text/plain");
    assert_eq!(&note.body[..], b"HELLO");
    client
        .send(
            http::Method::POST,
            "/notes",
            &[],
            Some(("text/plain", vec![0xff, 0xfe])),
        )
        .await
        .assert_error(400, "INVALID_PARAMETER");
    client
        .send(
            http::Method::POST,
            "/notes",
            &[],
            Some(("application/json", b"\"x\"".to_vec())),
        )
        .await
        .assert_error(415, "UNSUPPORTED_MEDIA_TYPE");

    // Bytes keep their type; `image/*` admits any image.
    let file = client
        .send(
            http::Method::PUT,
            "/files",
            &[],
            Some(("image/png", vec![0x89, b'P', b'N', b'G'])),
        )
        .await;
    assert_eq!(file.status.as_u16(), 200);
    assert_eq!(file.headers["content-type"], "image/png");
    assert_eq!(&file.body[..], &[0x89, b'P', b'N', b'G']);
    client
        .send(
            http::Method::PUT,
            "/files",
            &[],
            Some(("text/plain", b"x".to_vec())),
        )
        .await
        .assert_error(415, "UNSUPPORTED_MEDIA_TYPE");

    // Multipart is decoded (the file part's size here); `*/*` takes anything.
    let multipart = "--b\r\ncontent-disposition: form-data; name=\"file\"; filename=\"f\"\r\n\r\nabc\r\n--b--\r\n";
    let size = client
        .send(
            http::Method::POST,
            "/upload",
            &[],
            Some((
                "multipart/form-data; boundary=b",
                multipart.as_bytes().to_vec(),
            )),
        )
        .await
        .assert_json(200);
    assert_eq!(size, json!(3));
    let any = client
        .send(
            http::Method::POST,
            "/anything",
            &[],
            Some(("application/x-anything", vec![1, 2, 3])),
        )
        .await;
    assert_eq!(&any.body[..], b"3");

    // JSON is chosen when offered; the text error body is text.
    let missing = client.get("/report").await;
    assert_eq!(missing.status.as_u16(), 404);
    assert_eq!(missing.headers["content-type"], "text/html");
}

#[tokio::test]
async fn form_bodies_are_decoded_and_validated() {
    let (client, _) = testaccept::serve([api::router(Media)], ServerConfig::default()).await;
    let form = "application/x-www-form-urlencoded";
    let ok = client
        .send(
            http::Method::POST,
            "/login",
            &[],
            Some((form, b"user=ada&age=36&tags=a&tags=b".to_vec())),
        )
        .await
        .assert_json(200);
    assert_eq!(ok, json!({"user": "ada", "age": 36, "tags": ["a", "b"]}));
    let one_tag = client
        .send(
            http::Method::POST,
            "/login",
            &[],
            Some((form, b"user=ada&age=1&tags=a".to_vec())),
        )
        .await
        .assert_json(200);
    assert_eq!(one_tag["tags"], json!(["a"]));

    let bad = client
        .send(
            http::Method::POST,
            "/login",
            &[],
            Some((form, b"user=a&age=old".to_vec())),
        )
        .await
        .assert_error(400, "INVALID_PARAMETER");
    let mut pointers: Vec<&str> = bad.errors.iter().map(|v| v.pointer.as_str()).collect();
    pointers.sort_unstable();
    assert_eq!(pointers, ["/age", "/user"]);
    let missing = client
        .send(
            http::Method::POST,
            "/login",
            &[],
            Some((form, b"user=ada".to_vec())),
        )
        .await
        .assert_error(400, "INVALID_PARAMETER");
    assert_eq!(missing.errors[0].pointer, "/age", "{:?}", missing.errors);
}

#[tokio::test]
async fn the_client_sends_and_reads_other_media() {
    let (_, addr) = testaccept::serve([api::router(Media)], ServerConfig::default()).await;
    let typed = api::MediaClient::new(ClientConfig::new(format!("http://{addr}"))).expect("client");
    let note = typed
        .post_note(api::PostNoteParams {
            body: "quiet".into(),
        })
        .await
        .expect("note");
    assert_eq!(note, api::PostNoteResponse::Ok("QUIET".into()));
    let file = typed
        .put_file(api::PutFileParams {
            body: BodyStream::from_bytes("", Bytes::from_static(b"\x00\x01")),
        })
        .await
        .expect("file");
    assert_eq!(
        file,
        api::PutFileResponse::Ok(RawBody::new(
            "application/octet-stream",
            Bytes::from_static(b"\x00\x01")
        ))
    );
    let login = typed
        .login(api::LoginParams {
            body: api::LoginBody {
                user: "bob".into(),
                age: 7,
                tags: Some(vec!["x".into(), "y".into()]),
            },
        })
        .await
        .expect("login");
    assert_eq!(
        login,
        api::LoginResponse::Ok(api::LoginOk {
            user: Some("bob".into()),
            age: Some(7),
            tags: Some(vec!["x".into(), "y".into()])
        })
    );
}
