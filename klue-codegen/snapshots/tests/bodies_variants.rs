//! The Swagger 2.0 and OpenAPI 3.1 ways of writing file uploads, served over real HTTP: 2.0
//! `formData` parameters with `type: file`, and 3.1 files named by `contentMediaType`, each a
//! multipart struct with file parts, validated with pointers, and sent by the client.

use klue_core::{ApiError, ServerConfig};
use klue_core::{BodyStream, ClientConfig, FilePart};
use klue_snapshots::{oas31_bodies as v31, swagger2_form_data as v2};
use serde_json::json;

struct Avatars;

impl v2::FormDataApi for Avatars {
    async fn upload_avatar(
        &self,
        request: v2::UploadAvatarRequest,
    ) -> Result<v2::UploadAvatarResponse, ApiError> {
        let body = request.body;
        Ok(v2::UploadAvatarOk {
            user: Some(body.user),
            size: body.size,
            bytes: i64::try_from(body.avatar.bytes.len()).ok(),
            file_name: body.avatar.file_name,
        }
        .into())
    }
}

struct Photos;

impl v31::Oas31BodiesApi for Photos {
    async fn add_photo(
        &self,
        request: v31::AddPhotoRequest,
    ) -> Result<v31::AddPhotoResponse, ApiError> {
        let body = request.body;
        let thumbnails = body.thumbnails.map_or(0, |t| t.len());
        let size = body.photo.bytes.len() + thumbnails;
        Ok(v31::AddPhotoResponse::Ok(i64::try_from(size).unwrap_or(0)))
    }

    async fn post_raw(
        &self,
        request: v31::PostRawRequest,
    ) -> Result<v31::PostRawResponse, ApiError> {
        let size = match request.body {
            Some(body) => body.collect_bytes().await?.len(),
            None => 0,
        };
        Ok(v31::PostRawResponse::Ok(i64::try_from(size).unwrap_or(0)))
    }
}

const PART: &str = "Content-Disposition: form-data; name=";

#[tokio::test]
async fn swagger2_form_data_files_are_multipart() {
    let (client, addr) = testaccept::serve([v2::router(Avatars)], ServerConfig::default()).await;
    let body = format!(
        "--b\r\n{PART}\"user\"\r\n\r\nada\r\n--b\r\n{PART}\"size\"\r\n\r\n64\r\n\
         --b\r\n{PART}\"avatar\"; filename=\"a.png\"\r\nContent-Type: image/png\r\n\r\nPNG!\r\n--b--\r\n"
    );
    let ok = client
        .send(
            http::Method::POST,
            "/avatars",
            &[],
            Some(("multipart/form-data; boundary=b", body.into_bytes())),
        )
        .await
        .assert_json(200);
    assert_eq!(
        ok,
        json!({"user": "ada", "size": 64, "bytes": 4, "file_name": "a.png"})
    );

    let bad =
        format!("--b\r\n{PART}\"user\"\r\n\r\na\r\n--b\r\n{PART}\"size\"\r\n\r\n1024\r\n--b--\r\n");
    let envelope = client
        .send(
            http::Method::POST,
            "/avatars",
            &[],
            Some(("multipart/form-data; boundary=b", bad.into_bytes())),
        )
        .await
        .assert_error(400, "INVALID_PARAMETER");
    let mut pointers: Vec<&str> = envelope.errors.iter().map(|v| v.pointer.as_str()).collect();
    pointers.sort_unstable();
    assert_eq!(
        pointers,
        ["/avatar", "/size", "/user"],
        "{:?}",
        envelope.errors
    );

    let typed =
        v2::FormDataClient::new(ClientConfig::new(format!("http://{addr}"))).expect("client");
    let answer = typed
        .upload_avatar(v2::UploadAvatarParams {
            body: v2::UploadAvatarBody {
                user: "grace".into(),
                size: None,
                avatar: FilePart::new("g.gif", "image/gif", &b"GIF89a"[..]),
            },
        })
        .await
        .expect("upload");
    assert_eq!(
        answer,
        v2::UploadAvatarResponse::Ok(v2::UploadAvatarOk {
            user: Some("grace".into()),
            size: None,
            bytes: Some(6),
            file_name: Some("g.gif".into()),
        })
    );
}

#[tokio::test]
async fn oas31_content_media_type_files_are_multipart() {
    let (client, addr) = testaccept::serve([v31::router(Photos)], ServerConfig::default()).await;
    let typed =
        v31::Oas31BodiesClient::new(ClientConfig::new(format!("http://{addr}"))).expect("client");
    let size = typed
        .add_photo(v31::AddPhotoParams {
            body: v31::AddPhotoBody {
                caption: "sunset".into(),
                photo: FilePart::new("s.png", "image/png", &b"12345"[..]),
                thumbnails: Some(vec![
                    FilePart::new("t1", "image/png", &b"1"[..]),
                    FilePart::new("t2", "image/png", &b"2"[..]),
                ]),
            },
        })
        .await
        .expect("photo");
    assert_eq!(size, v31::AddPhotoResponse::Ok(7));

    let too_long = format!(
        "--b\r\n{PART}\"caption\"\r\n\r\n{}\r\n--b--\r\n",
        "x".repeat(21)
    );
    let envelope = client
        .send(
            http::Method::POST,
            "/photos",
            &[],
            Some(("multipart/form-data; boundary=b", too_long.into_bytes())),
        )
        .await
        .assert_error(400, "INVALID_PARAMETER");
    let mut pointers: Vec<&str> = envelope.errors.iter().map(|v| v.pointer.as_str()).collect();
    pointers.sort_unstable();
    assert_eq!(pointers, ["/caption", "/photo"], "{:?}", envelope.errors);

    // A body without a schema is streamed bytes.
    let raw = typed
        .post_raw(v31::PostRawParams {
            body: Some(BodyStream::from_bytes("", &b"abcd"[..])),
        })
        .await
        .expect("raw");
    assert_eq!(raw, v31::PostRawResponse::Ok(4));
    let none = typed
        .post_raw(v31::PostRawParams { body: None })
        .await
        .expect("none");
    assert_eq!(none, v31::PostRawResponse::Ok(0));
}
