//! `moto_server` on 127.0.0.1: S3 (source bundles), ECR (repositories, authorization token),
//! STS (the account) and IAM (instance profile and service role).

use std::path::Path;
use std::process::Command;
use std::time::Duration;

use base64::Engine as _;

use crate::http::blocking_request;
use crate::install::ensure_pip;
use crate::process::{free_port, log_tail, port_open, wait_until, ServiceProcess};
use crate::SetupError;

/// The headers of an IAM Query call to moto: it checks no signature but routes by the
/// credential scope's service name.
pub(crate) const IAM_HEADERS: [(&str, &str); 2] = [
    ("content-type", "application/x-www-form-urlencoded"),
    (
        "authorization",
        "AWS4-HMAC-SHA256 Credential=testing/20260101/us-east-1/iam/aws4_request, \
         SignedHeaders=host, Signature=0",
    ),
];

/// The form body of an IAM Query call.
pub(crate) fn iam_form(action: &str, params: &[(&str, &str)]) -> String {
    let mut form = form_urlencoded::Serializer::new(String::new());
    form.append_pair("Action", action);
    form.append_pair("Version", "2010-05-08");
    for (name, value) in params {
        form.append_pair(name, value);
    }
    form.finish()
}

/// A running `moto_server`.
#[derive(Debug)]
pub struct Moto {
    endpoint: String,
    _process: ServiceProcess,
}

/// User name and password that moto's ECR `GetAuthorizationToken` hands out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EcrCredentials {
    /// Always `AWS` for ECR.
    pub username: String,
    /// The password half of the decoded token.
    pub password: String,
}

impl Moto {
    /// Starts `moto_server` on a free port (installing `moto[server]` with pip when missing).
    pub fn start(work_dir: &Path) -> Result<Self, SetupError> {
        ensure_pip("moto_server", "moto[server]")?;
        let port = free_port();
        let log = work_dir.join("moto.log");
        let mut command = Command::new("moto_server");
        command.args(["-H", "127.0.0.1", "-p", &port.to_string()]);
        // AWS's managed policies, so that attaching one by its ARN works as on AWS (and a
        // wrong ARN fails as it does there).
        command.env("MOTO_IAM_LOAD_MANAGED_POLICIES", "true");
        let mut process = ServiceProcess::spawn("moto_server", command, &log)?;
        let ready = wait_until(Duration::from_secs(60), || {
            process.check_running().is_ok() && port_open(port)
        });
        process.check_running()?;
        if !ready {
            return Err(SetupError::new(format!(
                "moto_server did not listen on 127.0.0.1:{port} within 60 s; {}:\n{}",
                log.display(),
                log_tail(&log, 15)
            )));
        }
        Ok(Self {
            endpoint: format!("http://127.0.0.1:{port}"),
            _process: process,
        })
    }

    /// The process id of `moto_server` (also its process group's id).
    pub fn pid(&self) -> u32 {
        self._process.id()
    }

    /// `http://127.0.0.1:PORT`: the endpoint URL for the S3 and ECR clients.
    pub fn endpoint(&self) -> &str {
        &self.endpoint
    }

    /// One IAM Query call (`action` with `params`): the XML of a success, else the error.
    pub fn iam(&self, action: &str, params: &[(&str, &str)]) -> Result<String, String> {
        let url = format!("{}/", self.endpoint);
        let response = blocking_request("POST", &url, &IAM_HEADERS, iam_form(action, params))?;
        if response.status != 200 {
            return Err(format!(
                "IAM {action}: {} {}",
                response.status,
                response.text()
            ));
        }
        Ok(response.text())
    }

    /// The keys of the objects in `bucket` (S3 ListObjectsV2, path-style), sorted.
    pub fn object_keys(&self, bucket: &str) -> Result<Vec<String>, String> {
        let url = format!("{}/{bucket}?list-type=2", self.endpoint());
        let response = blocking_request("GET", &url, &[], Vec::new())?;
        let text = response.text();
        if response.status != 200 {
            return Err(format!("GET {url}: {} {text}", response.status));
        }
        let mut keys: Vec<String> = text
            .split("<Key>")
            .skip(1)
            .filter_map(|rest| rest.split("</Key>").next().map(str::to_owned))
            .collect();
        keys.sort();
        Ok(keys)
    }

    /// Asks moto's ECR for an authorization token (as `klue deploy` does) and decodes it: the
    /// registry must accept exactly these credentials.
    pub fn ecr_credentials(&self) -> Result<EcrCredentials, SetupError> {
        // moto does not check signatures; it routes on the target header and the credential
        // scope's service name.
        let response = blocking_request(
            "POST",
            &format!("{}/", self.endpoint),
            &[
                (
                    "X-Amz-Target",
                    "AmazonEC2ContainerRegistry_V20150921.GetAuthorizationToken",
                ),
                ("Content-Type", "application/x-amz-json-1.1"),
                (
                    "Authorization",
                    "AWS4-HMAC-SHA256 Credential=test/20260101/us-east-1/ecr/aws4_request, \
                     SignedHeaders=host, Signature=0",
                ),
            ],
            "{}",
        )
        .map_err(SetupError::new)?;
        let fail = |why: &str| {
            SetupError::new(format!(
                "moto's ECR GetAuthorizationToken: {why}: {} {}",
                response.status,
                response.text()
            ))
        };
        if response.status != 200 {
            return Err(fail("unexpected status"));
        }
        let json: serde_json::Value =
            serde_json::from_slice(&response.body).map_err(|_| fail("not JSON"))?;
        let token = json["authorizationData"][0]["authorizationToken"]
            .as_str()
            .ok_or_else(|| fail("no authorizationToken"))?;
        let decoded = base64::engine::general_purpose::STANDARD
            .decode(token)
            .map_err(|_| fail("token is not base64"))?;
        let decoded = String::from_utf8(decoded).map_err(|_| fail("token is not UTF-8"))?;
        let (username, password) = decoded
            .split_once(':')
            .ok_or_else(|| fail("token is not user:password"))?;
        Ok(EcrCredentials {
            username: username.to_owned(),
            password: password.to_owned(),
        })
    }
}
