//! S3: the bundle bucket (created when missing) and the upload.

use aws_sdk_s3::primitives::ByteStream;
use aws_sdk_s3::types::{BucketLocationConstraint, CreateBucketConfiguration};
use aws_sdk_s3::Client;

use super::aws::{failed, CallError};

const S3: &str = "S3";

/// Whether `bucket` exists and is the account's (`HeadBucket`): `false` when it does not exist
/// (the deploy creates it), an error when another account owns it (403) or S3 does not answer.
pub async fn bucket_is_ours(client: &Client, bucket: &str) -> Result<bool, CallError> {
    match client.head_bucket().bucket(bucket).send().await {
        Ok(_) => Ok(true),
        Err(err) => {
            let status = err.raw_response().map(|r| r.status().as_u16());
            if err.as_service_error().is_some_and(|e| e.is_not_found()) || status == Some(404) {
                Ok(false)
            } else if status == Some(403) {
                Err(CallError {
                    service: S3,
                    operation: "HeadBucket",
                    message: format!(
                        "bucket {bucket} exists and is not this account's (403 Forbidden)"
                    ),
                })
            } else {
                Err(failed(S3, "HeadBucket")(err))
            }
        }
    }
}

/// The bucket exists afterwards; returns whether it was created.
pub async fn ensure_bucket(client: &Client, bucket: &str, region: &str) -> Result<bool, CallError> {
    match client.head_bucket().bucket(bucket).send().await {
        Ok(_) => return Ok(false),
        Err(err) => {
            let missing = err.as_service_error().is_some_and(|e| e.is_not_found())
                || err
                    .raw_response()
                    .is_some_and(|r| r.status().as_u16() == 404);
            if !missing {
                return Err(failed(S3, "HeadBucket")(err));
            }
        }
    }
    let mut request = client.create_bucket().bucket(bucket);
    // us-east-1 is the one region that refuses a location constraint.
    if region != "us-east-1" && region != super::aws::NO_REGION {
        request = request.create_bucket_configuration(
            CreateBucketConfiguration::builder()
                .location_constraint(BucketLocationConstraint::from(region))
                .build(),
        );
    }
    request.send().await.map_err(failed(S3, "CreateBucket"))?;
    Ok(true)
}

/// Uploads `bytes` to `s3://bucket/key`.
pub async fn upload(
    client: &Client,
    bucket: &str,
    key: &str,
    bytes: Vec<u8>,
) -> Result<(), CallError> {
    client
        .put_object()
        .bucket(bucket)
        .key(key)
        .content_type("application/zip")
        .body(ByteStream::from(bytes))
        .send()
        .await
        .map_err(failed(S3, "PutObject"))?;
    Ok(())
}

/// `DeleteObject` (no error when the object is already gone: S3 answers 204 either way).
pub async fn delete(client: &Client, bucket: &str, key: &str) -> Result<(), CallError> {
    client
        .delete_object()
        .bucket(bucket)
        .key(key)
        .send()
        .await
        .map_err(failed(S3, "DeleteObject"))?;
    Ok(())
}
