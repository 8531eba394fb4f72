//! `RequestEnvironmentInfo` and `RetrieveEnvironmentInfo` (`InfoType=tail`), as `klue logs`
//! calls them, and the log URLs they hand out.
//!
//! As on AWS, a request only starts the work: a moment later the last lines of the
//! environment's instance (here: its container, `docker logs --tail`) are kept, and
//! `RetrieveEnvironmentInfo` lists them, one `EnvironmentInfo` member per instance and sample,
//! whose `Message` is a URL to fetch the text from (on AWS a presigned S3 URL; here
//! `GET /_logs/<id>` of the emulator itself). The text is laid out as EB's tail is: each log
//! file under a `----` / path / `----` header.

use std::sync::Arc;
use std::time::{Duration, SystemTime};

use super::params::Params;
use super::state::Status;
use super::xml::{element, members, timestamp};
use super::{ApiError, Shared};

/// Lines of each log kept per sample: EB's tail is the last 100 lines of each log file.
pub const TAIL_LINES: usize = 100;

/// How long a request takes before its sample can be retrieved: long enough that a client
/// has to poll, as on AWS (where it takes seconds).
const SAMPLE_DELAY: Duration = Duration::from_millis(700);

/// Samples kept per environment (AWS keeps them 15 minutes; a bound suffices here).
const KEEP_PER_ENVIRONMENT: usize = 10;

/// The path of the url the samples are served at.
pub const LOGS_PATH: &str = "/_logs/";

/// One sample of an instance's logs.
#[derive(Debug, Clone)]
pub struct EnvInfo {
    /// Its id, in its URL.
    pub id: String,
    pub env_id: String,
    pub instance: String,
    pub sampled: SystemTime,
    pub text: String,
}

fn info_type(params: &Params) -> Result<(), ApiError> {
    match params.required("InfoType")? {
        "tail" => Ok(()),
        "bundle" => Err(ApiError::new(
            "InvalidParameterValue",
            "InfoType bundle is not supported by klue's EB emulator (tail is).",
        )),
        other => Err(ApiError::new(
            "InvalidParameterValue",
            format!(
                "Value '{other}' at 'infoType' failed to satisfy constraint: Member must \
                 satisfy enum value set: [tail, bundle]"
            ),
        )),
    }
}

/// `RequestEnvironmentInfo`: samples the container's log tail in the background.
pub fn request_environment_info(shared: &Arc<Shared>, params: &Params) -> Result<String, ApiError> {
    let id = super::actions::find_env(shared, params, "")?;
    info_type(params)?;
    shared.event(&id, "INFO", "requestEnvironmentInfo is starting.");
    tokio::spawn(sample(Arc::clone(shared), id));
    Ok(String::new())
}

/// `RetrieveEnvironmentInfo`: the environment's samples, oldest first.
pub fn retrieve_environment_info(shared: &Shared, params: &Params) -> Result<String, ApiError> {
    let id = super::actions::find_env(shared, params, "")?;
    info_type(params)?;
    let base = &shared.base_url;
    let state = shared.state();
    let infos = state.env_info.iter().filter(|i| i.env_id == id).map(|i| {
        [
            element("InfoType", "tail"),
            element("Ec2InstanceId", &i.instance),
            element("SampleTimestamp", &timestamp(i.sampled)),
            element("Message", &format!("{base}{LOGS_PATH}{}", i.id)),
        ]
        .concat()
    });
    Ok(members("EnvironmentInfo", infos))
}

/// The text of sample `id` (the path after [`LOGS_PATH`]), for `GET /_logs/<id>`.
pub fn sample_text(shared: &Shared, id: &str) -> Option<String> {
    shared
        .state()
        .env_info
        .iter()
        .find(|i| i.id == id)
        .map(|i| i.text.clone())
}

/// Keeps the tail of the environment's container, if it has one running (no instance, no
/// sample: as on AWS, the request then completes with nothing to retrieve).
async fn sample(shared: Arc<Shared>, env_id: String) {
    tokio::time::sleep(SAMPLE_DELAY).await;
    let container = shared
        .state()
        .environment(&env_id)
        .filter(|env| env.status == Status::Ready)
        .and_then(|env| env.container.clone());
    let Some(container) = container else {
        shared.event(
            &env_id,
            "WARN",
            "requestEnvironmentInfo: no running instance to take logs from.",
        );
        return;
    };
    let text = match docker_logs(&shared, &container).await {
        Ok(lines) => tail_text(&container, &lines),
        Err(err) => {
            shared.event(&env_id, "WARN", format!("requestEnvironmentInfo: {err}"));
            return;
        }
    };
    let mut state = shared.state();
    state.env_info.push(EnvInfo {
        id: uuid::Uuid::new_v4().simple().to_string(),
        env_id: env_id.clone(),
        instance: instance_id(&container),
        sampled: SystemTime::now(),
        text,
    });
    let of_env = state.env_info.iter().filter(|i| i.env_id == env_id).count();
    if of_env > KEEP_PER_ENVIRONMENT {
        let oldest = state
            .env_info
            .iter()
            .position(|i| i.env_id == env_id)
            .expect("counted above");
        state.env_info.remove(oldest);
    }
    state.event(
        &env_id,
        "INFO",
        "requestEnvironmentInfo completed successfully.",
    );
}

/// The EC2 instance id the container stands for: `i-` and 17 hex digits, as EC2's.
pub fn instance_id(container: &str) -> String {
    format!("i-{}", &container[..container.len().min(17)])
}

/// EB's tail layout: one section per log file.
fn tail_text(container: &str, lines: &str) -> String {
    let rule = "-------------------------------------";
    let short = &container[..container.len().min(12)];
    format!(
        "{rule}\n/var/log/eb-docker/containers/eb-current-app/eb-{short}-stdouterr.log\n{rule}\n{lines}"
    )
}

/// `docker logs --tail`, stdout and stderr as the container wrote them, interleaved: both go
/// to one file (a shared offset), as EB's `stdouterr.log` has them.
async fn docker_logs(shared: &Shared, container: &str) -> Result<String, String> {
    let path = std::env::temp_dir().join(format!("klue-eb-logs-{}", uuid::Uuid::new_v4().simple()));
    let file = std::fs::File::create(&path).map_err(|err| format!("{}: {err}", path.display()))?;
    let both = file
        .try_clone()
        .map_err(|err| format!("{}: {err}", path.display()))?;
    let status = tokio::process::Command::new("docker")
        .args(["logs", "--tail", &TAIL_LINES.to_string(), container])
        .envs(shared.config.docker_env.iter().map(|(k, v)| (k, v)))
        .stdin(std::process::Stdio::null())
        .stdout(file)
        .stderr(both)
        .kill_on_drop(true)
        .status()
        .await;
    let text = std::fs::read(&path).map(|b| String::from_utf8_lossy(&b).into_owned());
    let _ = std::fs::remove_file(&path);
    let text = text.map_err(|err| format!("{}: {err}", path.display()))?;
    match status {
        Ok(status) if status.success() => Ok(text),
        Ok(status) => Err(format!("docker logs failed ({status}): {}", text.trim())),
        Err(err) => Err(format!("docker logs: {err}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_tail_is_laid_out_as_eb_does() {
        let text = tail_text("0123456789abcdef0123", "one\ntwo\n");
        assert_eq!(
            text,
            "-------------------------------------\n\
             /var/log/eb-docker/containers/eb-current-app/eb-0123456789ab-stdouterr.log\n\
             -------------------------------------\none\ntwo\n"
        );
        assert_eq!(instance_id("0123456789abcdef0123"), "i-0123456789abcdef0");
    }
}
