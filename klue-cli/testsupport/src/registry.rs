//! A Docker registry (Debian's `docker-registry`, distribution v2) on 127.0.0.1 with htpasswd
//! auth. Docker talks plain HTTP to registries on 127.0.0.0/8, so no TLS is needed.

use std::path::Path;
use std::process::Command;
use std::time::Duration;

use base64::Engine as _;

use crate::http::blocking_request;
use crate::install::ensure_apt;
use crate::moto::EcrCredentials;
use crate::process::{free_port, log_tail, wait_until, ServiceProcess};
use crate::SetupError;

/// A running registry and the one account it accepts.
#[derive(Debug)]
pub struct Registry {
    host: String,
    credentials: EcrCredentials,
    _process: ServiceProcess,
}

impl Registry {
    /// Starts a registry on a free port that accepts only `credentials`.
    pub fn start(work_dir: &Path, credentials: EcrCredentials) -> Result<Self, SetupError> {
        ensure_apt("docker-registry", "docker-registry")?;
        let dir = work_dir.join("registry");
        let storage = dir.join("storage");
        std::fs::create_dir_all(&storage)
            .map_err(|err| SetupError::new(format!("{}: {err}", storage.display())))?;
        // Cost 5 keeps each authenticated request cheap; the secret is a test value anyway.
        let hash = bcrypt::hash(&credentials.password, 5)
            .map_err(|err| SetupError::new(format!("bcrypt: {err}")))?;
        let htpasswd = dir.join("htpasswd");
        write(&htpasswd, &format!("{}:{hash}\n", credentials.username))?;
        let port = free_port();
        let config = dir.join("config.yml");
        write(
            &config,
            &format!(
                "version: 0.1\n\
                 log:\n  level: info\n\
                 storage:\n  filesystem:\n    rootdirectory: {}\n  delete:\n    enabled: true\n\
                 http:\n  addr: 127.0.0.1:{port}\n\
                 auth:\n  htpasswd:\n    realm: klue-e2e\n    path: {}\n",
                storage.display(),
                htpasswd.display()
            ),
        )?;
        let log = work_dir.join("registry.log");
        let mut command = Command::new("docker-registry");
        command.arg("serve").arg(&config);
        let mut process = ServiceProcess::spawn("docker-registry", command, &log)?;
        let base = format!("http://127.0.0.1:{port}/v2/");
        // Ready when /v2/ answers 401 without credentials (auth is on).
        let ready = wait_until(Duration::from_secs(30), || {
            process.check_running().is_ok()
                && blocking_request("GET", &base, &[], "").is_ok_and(|r| r.status == 401)
        });
        process.check_running()?;
        if !ready {
            return Err(SetupError::new(format!(
                "the registry did not answer 401 on {base} within 30 s; {}:\n{}",
                log.display(),
                log_tail(&log, 15)
            )));
        }
        Ok(Self {
            host: format!("127.0.0.1:{port}"),
            credentials,
            _process: process,
        })
    }

    /// The process id of the registry (also its process group's id).
    pub fn pid(&self) -> u32 {
        self._process.id()
    }

    /// `127.0.0.1:PORT`: the registry part of image names.
    pub fn host(&self) -> &str {
        &self.host
    }

    /// The tags of `repository`, sorted (none when it does not exist).
    pub fn tags(&self, repository: &str) -> Result<Vec<String>, String> {
        let auth = format!(
            "Basic {}",
            base64::engine::general_purpose::STANDARD.encode(format!(
                "{}:{}",
                self.credentials().username,
                self.credentials().password
            ))
        );
        let url = format!("http://{}/v2/{repository}/tags/list", self.host());
        let response = blocking_request("GET", &url, &[("authorization", &auth)], Vec::new())?;
        if response.status == 404 {
            return Ok(Vec::new());
        }
        let json: serde_json::Value = serde_json::from_str(&response.text())
            .map_err(|err| format!("GET {url}: {err}: {}", response.text()))?;
        let mut tags: Vec<String> = json["tags"]
            .as_array()
            .map(|tags| {
                tags.iter()
                    .filter_map(|t| t.as_str().map(str::to_owned))
                    .collect()
            })
            .unwrap_or_default();
        tags.sort();
        Ok(tags)
    }

    /// The account the registry accepts.
    pub fn credentials(&self) -> &EcrCredentials {
        &self.credentials
    }
}

fn write(path: &Path, text: &str) -> Result<(), SetupError> {
    std::fs::write(path, text).map_err(|err| SetupError::new(format!("{}: {err}", path.display())))
}
