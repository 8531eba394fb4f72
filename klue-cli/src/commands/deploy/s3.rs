//! S3: the bundle bucket (created when missing) and the upload.

use aws_sdk_s3::primitives::ByteStream;
use aws_sdk_s3::types::{BucketLocationConstraint, CreateBucketConfiguration};
use aws_sdk_s3::Client;

use super::aws::{failed, CallError};

const S3: &str = "S3";

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
    if region != "us-east-1" && region != "(none)" {
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
