//! The IAM calls of the preflight and `--create-roles`, through IAM's Query API: a form POST
//! signed with SigV4 (`aws-sigv4`, the SDK's own signer), XML back.
//!
//! Why not `aws-sdk-iam`: it compiles ~170 operations (measured: 3 min of CPU for a debug build
//! on a 2-core machine, paid by every build of klue-cli, its clippy and docs) for the six this
//! module makes. Signing, credentials and the HTTPS connector are the SDK's and klue-core's; only
//! the form and picking fields out of the XML answer are here.
//!
//! IAM is global: one endpoint (`https://iam.amazonaws.com`, signed for us-east-1) for every
//! region of the `aws` partition. `--iam-endpoint` / KLUE_IAM_ENDPOINT, AWS_ENDPOINT_URL_IAM or
//! AWS_ENDPOINT_URL point it elsewhere (moto in tests).

use std::time::{Duration, SystemTime};

use aws_sdk_s3::config::ProvideCredentials as _;
use aws_sigv4::http_request::{sign, SignableBody, SignableRequest, SigningSettings};
use aws_sigv4::sign::v4;
use aws_smithy_runtime_api::client::identity::Identity;
use bytes::Bytes;
use http_body_util::{BodyExt as _, Full};
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;

use super::aws::CallError;

const SERVICE: &str = "IAM";
/// IAM's endpoint in the `aws` partition.
const DEFAULT_ENDPOINT: &str = "https://iam.amazonaws.com";
/// The region IAM's requests are signed for.
const SIGNING_REGION: &str = "us-east-1";
/// A call that takes longer is reported as failed (IAM answers in well under a second).
const CALL_TIMEOUT: Duration = Duration::from_secs(20);

type HttpsClient = Client<hyper_rustls::HttpsConnector<HttpConnector>, Full<Bytes>>;

/// An IAM client for the few calls klue makes.
#[derive(Debug, Clone)]
pub struct Iam {
    endpoint: String,
    shared: aws_config::SdkConfig,
    /// One HTTP client for every call, so that `--create-roles`' calls share a connection; the
    /// error of a connector that could not be made is reported by the first call.
    client: Result<HttpsClient, String>,
}

/// What IAM said about one entity.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Lookup<T> {
    /// It exists.
    Found(T),
    /// `NoSuchEntity`.
    Missing,
    /// The identity may not look (AccessDenied): the message.
    Denied(String),
}

/// An answer: the XML of a success, or IAM's error code and message.
enum Answer {
    Ok(String),
    Error { code: String, message: String },
}

impl Iam {
    /// A client with the credentials of `shared`, at `endpoint` when given, else
    /// AWS_ENDPOINT_URL_IAM, AWS_ENDPOINT_URL, or IAM's own.
    pub fn new(shared: &aws_config::SdkConfig, endpoint: Option<&str>) -> Self {
        let endpoint = endpoint
            .map(str::to_owned)
            .or_else(|| std::env::var("AWS_ENDPOINT_URL_IAM").ok())
            .or_else(|| std::env::var("AWS_ENDPOINT_URL").ok())
            .filter(|url| !url.trim().is_empty())
            .unwrap_or_else(|| DEFAULT_ENDPOINT.to_owned());
        let client = klue_core::client::https_connector(None, None)
            .map(|connector| Client::builder(TokioExecutor::new()).build(connector));
        Self {
            endpoint,
            shared: shared.clone(),
            client,
        }
    }

    /// `GetRole`: whether the role exists.
    pub async fn role(&self, name: &str) -> Result<Lookup<()>, CallError> {
        let answer = self.call("GetRole", &[("RoleName", name)]).await?;
        Ok(lookup(answer, "GetRole")?.map(|_| ()))
    }

    /// `GetInstanceProfile`: whether the profile exists, and the names of its roles.
    pub async fn instance_profile(&self, name: &str) -> Result<Lookup<Vec<String>>, CallError> {
        let answer = self
            .call("GetInstanceProfile", &[("InstanceProfileName", name)])
            .await?;
        Ok(lookup(answer, "GetInstanceProfile")?.map(|xml| {
            let roles = section(&xml, "Roles").unwrap_or_default();
            values(roles, "RoleName")
        }))
    }

    /// `CreateRole` with its trust policy; `AttachRolePolicy` for each managed policy.
    pub async fn create_role(
        &self,
        name: &str,
        trust_policy: &str,
        policies: &[&str],
    ) -> Result<(), CallError> {
        let params = [
            ("RoleName", name),
            ("AssumeRolePolicyDocument", trust_policy),
            ("Description", "Created by klue deploy --create-roles"),
        ];
        self.ok("CreateRole", &params).await?;
        for policy in policies {
            self.ok(
                "AttachRolePolicy",
                &[("RoleName", name), ("PolicyArn", policy)],
            )
            .await?;
        }
        Ok(())
    }

    /// `CreateInstanceProfile` (when `create`), then `AddRoleToInstanceProfile`.
    pub async fn create_instance_profile(
        &self,
        name: &str,
        role: &str,
        create: bool,
    ) -> Result<(), CallError> {
        if create {
            self.ok("CreateInstanceProfile", &[("InstanceProfileName", name)])
                .await?;
        }
        self.ok(
            "AddRoleToInstanceProfile",
            &[("InstanceProfileName", name), ("RoleName", role)],
        )
        .await
    }

    /// A call whose answer only needs to be a success.
    async fn ok(&self, action: &'static str, params: &[(&str, &str)]) -> Result<(), CallError> {
        match self.call(action, params).await? {
            Answer::Ok(_) => Ok(()),
            Answer::Error { code, message } => Err(error(action, format!("{code}: {message}"))),
        }
    }

    /// One signed Query call.
    async fn call(
        &self,
        action: &'static str,
        params: &[(&str, &str)],
    ) -> Result<Answer, CallError> {
        let body = form(action, params);
        let url = format!("{}/", self.endpoint.trim_end_matches('/'));
        let mut request = http::Request::post(&url)
            .header(
                "content-type",
                "application/x-www-form-urlencoded; charset=utf-8",
            )
            .body(Full::new(Bytes::from(body.clone())))
            .map_err(|err| error(action, err.to_string()))?;
        self.sign(action, &mut request, body.as_bytes()).await?;
        let client = self
            .client
            .as_ref()
            .map_err(|err| error(action, err.clone()))?;
        let call = async {
            let response = client.request(request).await.map_err(|err| {
                error(
                    action,
                    format!("cannot reach {url}: {}", super::aws::error_chain(&err)),
                )
            })?;
            let status = response.status();
            let body = response
                .into_body()
                .collect()
                .await
                .map_err(|err| error(action, format!("reading the answer: {err}")))?
                .to_bytes();
            Ok::<_, CallError>((status, String::from_utf8_lossy(&body).into_owned()))
        };
        let (status, xml) = tokio::time::timeout(CALL_TIMEOUT, call)
            .await
            .map_err(|_| {
                error(
                    action,
                    format!("no answer within {} s", CALL_TIMEOUT.as_secs()),
                )
            })??;
        if status.is_success() {
            return Ok(Answer::Ok(xml));
        }
        let code = first(&xml, "Code").unwrap_or_else(|| format!("HTTP {}", status.as_u16()));
        let message = first(&xml, "Message").unwrap_or_else(|| xml.chars().take(200).collect());
        Ok(Answer::Error { code, message })
    }

    /// Adds the SigV4 headers for the current credentials.
    async fn sign(
        &self,
        action: &'static str,
        request: &mut http::Request<Full<Bytes>>,
        body: &[u8],
    ) -> Result<(), CallError> {
        let provider = self
            .shared
            .credentials_provider()
            .ok_or_else(|| error(action, "no AWS credentials provider".to_owned()))?;
        let credentials = provider
            .provide_credentials()
            .await
            .map_err(|err| error(action, format!("no AWS credentials: {err}")))?;
        let identity: Identity = credentials.into();
        let params = v4::SigningParams::builder()
            .identity(&identity)
            .region(SIGNING_REGION)
            .name("iam")
            .time(SystemTime::now())
            .settings(SigningSettings::default())
            .build()
            .map_err(|err| error(action, format!("signing: {err}")))?
            .into();
        let headers = request
            .headers()
            .iter()
            .filter_map(|(name, value)| Some((name.as_str(), value.to_str().ok()?)));
        let uri = request.uri().to_string();
        let signable = SignableRequest::new("POST", &uri, headers, SignableBody::Bytes(body))
            .map_err(|err| error(action, format!("signing: {err}")))?;
        let (instructions, _) = sign(signable, &params)
            .map_err(|err| error(action, format!("signing: {err}")))?
            .into_parts();
        instructions.apply_to_request_http1x(request);
        Ok(())
    }
}

impl<T> Lookup<T> {
    fn map<U>(self, f: impl FnOnce(T) -> U) -> Lookup<U> {
        match self {
            Lookup::Found(found) => Lookup::Found(f(found)),
            Lookup::Missing => Lookup::Missing,
            Lookup::Denied(message) => Lookup::Denied(message),
        }
    }
}

/// A Get call's answer: found, missing, denied, or (any other error) a failure.
fn lookup(answer: Answer, action: &'static str) -> Result<Lookup<String>, CallError> {
    match answer {
        Answer::Ok(xml) => Ok(Lookup::Found(xml)),
        Answer::Error { code, .. } if code == "NoSuchEntity" => Ok(Lookup::Missing),
        Answer::Error { code, message } if code.contains("AccessDenied") => {
            Ok(Lookup::Denied(format!("{code}: {message}")))
        }
        Answer::Error { code, message } => Err(error(action, format!("{code}: {message}"))),
    }
}

fn error(operation: &'static str, message: String) -> CallError {
    CallError {
        service: SERVICE,
        operation,
        message,
    }
}

/// The form body of a Query call.
fn form(action: &str, params: &[(&str, &str)]) -> String {
    let mut form = form_urlencoded::Serializer::new(String::new());
    form.append_pair("Action", action);
    form.append_pair("Version", "2010-05-08");
    for (name, value) in params {
        form.append_pair(name, value);
    }
    form.finish()
}

/// The text between `<tag>` and `</tag>`, the first time it occurs.
fn section<'a>(xml: &'a str, tag: &str) -> Option<&'a str> {
    let open = format!("<{tag}>");
    let start = xml.find(&open)? + open.len();
    let end = xml[start..].find(&format!("</{tag}>"))? + start;
    Some(&xml[start..end])
}

/// The first `<tag>`'s text, unescaped.
fn first(xml: &str, tag: &str) -> Option<String> {
    section(xml, tag).map(unescape)
}

/// Every `<tag>`'s text, unescaped.
fn values(mut xml: &str, tag: &str) -> Vec<String> {
    let mut found = Vec::new();
    let close = format!("</{tag}>");
    while let Some(text) = section(xml, tag) {
        found.push(unescape(text));
        let Some(end) = xml.find(&close) else { break };
        xml = &xml[end + close.len()..];
    }
    found
}

/// XML's five predefined entities (IAM's names and messages use no others).
fn unescape(text: &str) -> String {
    text.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&apos;", "'")
        .replace("&amp;", "&")
}

#[cfg(test)]
mod tests {
    use super::*;

    const PROFILE: &str = "<GetInstanceProfileResponse><GetInstanceProfileResult><InstanceProfile>\
        <InstanceProfileName>p</InstanceProfileName><Roles><member><RoleName>r1</RoleName></member>\
        <member><RoleName>r&amp;2</RoleName></member></Roles></InstanceProfile>\
        </GetInstanceProfileResult></GetInstanceProfileResponse>";

    #[test]
    fn role_names_are_read_from_the_profile() {
        let roles = section(PROFILE, "Roles").unwrap();
        assert_eq!(values(roles, "RoleName"), ["r1", "r&2"]);
        assert_eq!(values("<Roles/>", "RoleName"), Vec::<String>::new());
    }

    #[test]
    fn errors_are_sorted_into_missing_denied_and_failed() {
        let answer = |code: &str| Answer::Error {
            code: code.to_owned(),
            message: "m".to_owned(),
        };
        assert_eq!(
            lookup(answer("NoSuchEntity"), "GetRole").unwrap(),
            Lookup::Missing
        );
        assert_eq!(
            lookup(answer("AccessDenied"), "GetRole").unwrap(),
            Lookup::Denied("AccessDenied: m".to_owned())
        );
        let failed = lookup(answer("Throttling"), "GetRole").unwrap_err();
        assert_eq!(failed.message, "Throttling: m");
    }

    #[test]
    fn the_form_is_url_encoded() {
        assert_eq!(
            form("GetRole", &[("RoleName", "a b&c")]),
            "Action=GetRole&Version=2010-05-08&RoleName=a+b%26c"
        );
    }
}
