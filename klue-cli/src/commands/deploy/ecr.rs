//! ECR: the repository (created when missing) and the registry credentials from
//! `GetAuthorizationToken` (base64 `user:password`), for `docker login`.

use aws_sdk_ecr::Client;
use base64::Engine as _;

use super::aws::{failed, CallError};
use super::secrets::Secret;

const ECR: &str = "ECR";

/// Registry credentials.
#[derive(Debug)]
pub struct Login {
    /// The registry host (`<account>.dkr.ecr.<region>.amazonaws.com`), no scheme.
    pub registry: String,
    /// The user (`AWS`).
    pub user: String,
    /// The password (a 12-hour token).
    pub password: Secret,
}

/// The repository exists afterwards; returns whether it was created.
pub async fn ensure_repository(client: &Client, name: &str) -> Result<bool, CallError> {
    match client
        .describe_repositories()
        .repository_names(name)
        .send()
        .await
    {
        Ok(found) if !found.repositories().is_empty() => return Ok(false),
        Ok(_) => {}
        Err(err) => {
            let missing = err
                .as_service_error()
                .is_some_and(|e| e.is_repository_not_found_exception());
            if !missing {
                return Err(failed(ECR, "DescribeRepositories")(err));
            }
        }
    }
    client
        .create_repository()
        .repository_name(name)
        .send()
        .await
        .map_err(failed(ECR, "CreateRepository"))?;
    Ok(true)
}

/// The registry and its credentials.
pub async fn login(client: &Client) -> Result<Login, CallError> {
    let answer = client
        .get_authorization_token()
        .send()
        .await
        .map_err(failed(ECR, "GetAuthorizationToken"))?;
    let bad = |message: &str| CallError {
        service: ECR,
        operation: "GetAuthorizationToken",
        message: message.to_owned(),
    };
    let data = answer
        .authorization_data()
        .first()
        .ok_or_else(|| bad("no authorization data in the answer"))?;
    let token = data
        .authorization_token()
        .ok_or_else(|| bad("no authorization token in the answer"))?;
    let (user, password) =
        decode_token(token).ok_or_else(|| bad("the token is not base64 user:password"))?;
    let registry = data.proxy_endpoint().map(registry_host).unwrap_or_default();
    Ok(Login {
        registry,
        user,
        password,
    })
}

/// `base64("user:password")` into its parts.
pub fn decode_token(token: &str) -> Option<(String, Secret)> {
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(token.trim())
        .ok()?;
    let text = String::from_utf8(bytes).ok()?;
    let (user, password) = text.split_once(':')?;
    Some((user.to_owned(), Secret::new(password.to_owned())))
}

/// `https://host[:port]/` -> `host[:port]`.
pub fn registry_host(endpoint: &str) -> String {
    let rest = endpoint
        .strip_prefix("https://")
        .or_else(|| endpoint.strip_prefix("http://"))
        .unwrap_or(endpoint);
    rest.trim_end_matches('/').to_owned()
}

/// Deletes the image tagged `tag` from the repository (`BatchDeleteImage`); an image that is
/// already gone is no error.
pub async fn delete_image(client: &Client, repository: &str, tag: &str) -> Result<(), CallError> {
    let id = aws_sdk_ecr::types::ImageIdentifier::builder()
        .image_tag(tag)
        .build();
    let out = client
        .batch_delete_image()
        .repository_name(repository)
        .image_ids(id)
        .send()
        .await
        .map_err(failed(ECR, "BatchDeleteImage"))?;
    let problem = out.failures().iter().find(|f| {
        f.failure_code().is_none_or(|c| {
            c.as_str() != "ImageNotFound" && c.as_str() != "ImageTagDoesNotMatchDigest"
        })
    });
    match problem {
        Some(f) => Err(CallError {
            service: ECR,
            operation: "BatchDeleteImage",
            message: format!(
                "{}: {}",
                f.failure_code().map(|c| c.as_str()).unwrap_or("failure"),
                f.failure_reason().unwrap_or_default()
            ),
        }),
        None => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_decode_to_user_and_password() {
        let token = base64::engine::general_purpose::STANDARD.encode("AWS:s3cr:et");
        let (user, password) = decode_token(&token).unwrap();
        assert_eq!((user.as_str(), password.expose()), ("AWS", "s3cr:et"));
        assert!(decode_token("not base64!").is_none());
        let no_colon = base64::engine::general_purpose::STANDARD.encode("AWS");
        assert!(decode_token(&no_colon).is_none());
    }

    #[test]
    fn registry_hosts_lose_the_scheme() {
        assert_eq!(
            registry_host("https://123456789012.dkr.ecr.eu-west-1.amazonaws.com"),
            "123456789012.dkr.ecr.eu-west-1.amazonaws.com"
        );
        assert_eq!(registry_host("http://127.0.0.1:5000/"), "127.0.0.1:5000");
    }
}
