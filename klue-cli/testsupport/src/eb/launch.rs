//! What happens behind `CreateEnvironment` and `TerminateEnvironment`: the source bundle is read
//! from S3, its `Dockerrun.aws.json` (v1) names the image, the image is pulled from the registry
//! and run on the host network with `PORT` set to a free port; `/ping` decides the health.

use std::io::Read;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use super::state::{Health, Status};
use super::Shared;
use crate::http::request;
use crate::process::free_port;

/// moto refuses anonymous reads of objects; it does not check signatures but wants a SigV4
/// header naming a credential and the service.
pub const S3_AUTHORIZATION: &str = "AWS4-HMAC-SHA256 \
    Credential=testing/20260101/us-east-1/s3/aws4_request, SignedHeaders=host, Signature=0";

/// Launches environment `id` and keeps watching its health; failures end as Ready + Red with
/// ERROR events, as on EB.
pub async fn launch(shared: Arc<Shared>, id: String) {
    if let Err(message) = try_launch(&shared, &id).await {
        let mut state = shared.state();
        if let Some(env) = state.environment_mut(&id) {
            if env.status == Status::Launching {
                env.status = Status::Ready;
                env.health = Health::Red;
                env.updated = SystemTime::now();
            }
        }
        state.event(&id, "ERROR", message);
        state.event(
            &id,
            "ERROR",
            "Create environment operation is complete, but with errors.",
        );
        return;
    }
    watch_health(&shared, &id).await;
}

/// The image and container port a `Dockerrun.aws.json` v1 names.
#[derive(Debug, PartialEq, Eq)]
pub struct Dockerrun {
    pub image: String,
    pub container_port: Option<u16>,
}

/// Reads `Dockerrun.aws.json` from a source bundle (zip).
pub fn read_dockerrun(bundle: &[u8]) -> Result<Dockerrun, String> {
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bundle))
        .map_err(|err| format!("the source bundle is not a zip file: {err}"))?;
    let mut text = String::new();
    zip.by_name("Dockerrun.aws.json")
        .map_err(|_| "the source bundle has no Dockerrun.aws.json at its root".to_owned())?
        .read_to_string(&mut text)
        .map_err(|err| format!("reading Dockerrun.aws.json: {err}"))?;
    let json: serde_json::Value = serde_json::from_str(&text)
        .map_err(|err| format!("Dockerrun.aws.json is not valid JSON: {err}"))?;
    let version = &json["AWSEBDockerrunVersion"];
    if version != "1" && version != 1 {
        return Err(format!(
            "Dockerrun.aws.json: AWSEBDockerrunVersion must be \"1\" for a single container, got {version}"
        ));
    }
    let image = json["Image"]["Name"]
        .as_str()
        .filter(|name| !name.is_empty())
        .ok_or("Dockerrun.aws.json: Image.Name is missing")?
        .to_owned();
    let container_port = match &json["Ports"][0]["ContainerPort"] {
        serde_json::Value::Null => None,
        serde_json::Value::String(port) => port.parse().ok(),
        serde_json::Value::Number(port) => port.as_u64().and_then(|p| u16::try_from(p).ok()),
        _ => None,
    };
    Ok(Dockerrun {
        image,
        container_port,
    })
}

async fn try_launch(shared: &Arc<Shared>, id: &str) -> Result<(), String> {
    let (dockerrun, properties) = read_bundle(shared, id).await?;
    let image = shared.config.registry_image(&dockerrun.image);
    shared.event(id, "INFO", format!("Pulling image {image}."));
    let (container, backend) = start_container(shared, id, &image, &properties).await?;
    {
        let mut state = shared.state();
        let Some(env) = state.environment_mut(id) else {
            return Ok(());
        };
        env.container = Some(container.clone());
        env.backend = Some(backend.clone());
        let port_note = dockerrun
            .container_port
            .map(|p| format!(" (container port {p} served on {backend})"))
            .unwrap_or_else(|| format!(" (served on {backend})"));
        state.event(
            id,
            "INFO",
            format!(
                "Started container {} of {image}{port_note}.",
                &container[..container.len().min(12)]
            ),
        );
    }
    wait_ready(shared, id, &container, &backend).await
}

/// The `Dockerrun.aws.json` of environment `id`'s source bundle (read from S3) and the
/// environment's properties.
async fn read_bundle(
    shared: &Arc<Shared>,
    id: &str,
) -> Result<(Dockerrun, Vec<(String, String)>), String> {
    let (bucket, key, properties) = {
        let state = shared.state();
        let env = state.environment(id).ok_or("environment vanished")?;
        let version = state
            .versions
            .iter()
            .find(|v| v.application == env.application && v.label == env.version_label)
            .ok_or_else(|| {
                format!(
                    "application version {} of {} vanished",
                    env.version_label, env.application
                )
            })?;
        (
            version.bucket.clone(),
            version.key.clone(),
            env.properties.clone(),
        )
    };
    let url = format!("{}/{bucket}/{key}", shared.config.s3_endpoint);
    let bundle = request("GET", &url, &[("Authorization", S3_AUTHORIZATION)], "").await?;
    if bundle.status != 200 {
        return Err(format!(
            "cannot read the source bundle s3://{bucket}/{key}: {} {}",
            bundle.status,
            bundle.text()
        ));
    }
    Ok((read_dockerrun(&bundle.body)?, properties))
}

/// Pulls `image` and runs it for environment `id` on a free port of the host network; returns
/// the container's id and the backend address it serves on.
async fn start_container(
    shared: &Arc<Shared>,
    id: &str,
    image: &str,
    properties: &[(String, String)],
) -> Result<(String, String), String> {
    let config = &shared.config;
    shared
        .docker(
            &[
                "login",
                "-u",
                &config.registry_username,
                "--password-stdin",
                &config.registry,
            ],
            Some(&config.registry_password),
            &[],
        )
        .await?;
    shared.docker(&["pull", "-q", image], None, &[]).await?;
    let port = free_port();
    let name = format!("klue-eb-{}-{id}", shared.instance);
    let label = format!("klue-eb-emulator={}", shared.instance);
    let port_env = format!("PORT={port}");
    let mut args: Vec<&str> = vec![
        "run",
        "-d",
        "--network",
        "host",
        "--name",
        &name,
        "--label",
        &label,
        "-e",
        &port_env,
        "-e",
        "HOST=127.0.0.1",
    ];
    // `-e NAME` without a value: docker reads the value from its own environment, so property
    // values (secrets) never show up in a command line.
    for (property, _) in properties {
        args.extend(["-e", property.as_str()]);
    }
    args.push(image);
    let container = shared.docker(&args, None, properties).await?;
    Ok((container.trim().to_owned(), format!("127.0.0.1:{port}")))
}

/// Waits until the container answers `/ping` (then the environment is Ready and Green), exits,
/// or 90 s passed; stops waiting when the environment is no longer launching.
async fn wait_ready(
    shared: &Arc<Shared>,
    id: &str,
    container: &str,
    backend: &str,
) -> Result<(), String> {
    for attempt in 0..300u32 {
        if shared.status(id) != Some(Status::Launching) {
            return Ok(());
        }
        if ping(backend).await {
            let mut state = shared.state();
            if let Some(env) = state.environment_mut(id) {
                env.status = Status::Ready;
                env.health = Health::Green;
                env.updated = SystemTime::now();
                let name = env.name.clone();
                state.event(
                    id,
                    "INFO",
                    format!("Successfully launched environment: {name}"),
                );
            }
            return Ok(());
        }
        if attempt % 10 == 9 && !shared.container_running(container).await {
            let logs = shared
                .docker(&["logs", "--tail", "20", container], None, &[])
                .await
                .unwrap_or_default();
            return Err(format!(
                "the container exited before /ping answered. Its last output:\n{logs}"
            ));
        }
        tokio::time::sleep(Duration::from_millis(300)).await;
    }
    Err(format!("/ping on {backend} did not answer 200 within 90 s"))
}

async fn ping(backend: &str) -> bool {
    request("GET", &format!("http://{backend}/ping"), &[], "")
        .await
        .is_ok_and(|r| r.status == 200)
}

/// Green while `/ping` answers; Red after two failures in a row (e.g. the container died).
async fn watch_health(shared: &Arc<Shared>, id: &str) {
    let mut failures = 0;
    loop {
        tokio::time::sleep(Duration::from_secs(2)).await;
        let backend = {
            let state = shared.state();
            match state.environment(id) {
                Some(env) if env.status == Status::Ready => env.backend.clone(),
                _ => return,
            }
        };
        let Some(backend) = backend else { return };
        let healthy = ping(&backend).await;
        failures = if healthy { 0 } else { failures + 1 };
        let health = match (healthy, failures) {
            (true, _) => Health::Green,
            (false, n) if n >= 2 => Health::Red,
            _ => continue,
        };
        let mut state = shared.state();
        let Some(env) = state.environment_mut(id) else {
            return;
        };
        if env.health != health && env.status == Status::Ready {
            let from = env.health.as_str();
            env.health = health;
            env.updated = SystemTime::now();
            let (severity, message) = if health == Health::Red {
                ("WARN", format!("Environment health has transitioned from {from} to Red: /ping does not answer."))
            } else {
                (
                    "INFO",
                    format!("Environment health has transitioned from {from} to Green."),
                )
            };
            state.event(id, severity, message);
        }
    }
}

/// Stops and removes the environment's container, then marks it Terminated.
pub async fn terminate(shared: Arc<Shared>, id: String) {
    let container = shared
        .state()
        .environment(&id)
        .and_then(|env| env.container.clone());
    if let Some(container) = container {
        if let Err(err) = shared.docker(&["rm", "-f", &container], None, &[]).await {
            shared.event(&id, "WARN", format!("removing the container: {err}"));
        }
    }
    let mut state = shared.state();
    if let Some(env) = state.environment_mut(&id) {
        env.status = Status::Terminated;
        env.health = Health::Grey;
        env.backend = None;
        env.updated = SystemTime::now();
    }
    state.event(&id, "INFO", "terminateEnvironment completed successfully.");
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    fn bundle(dockerrun: &str) -> Vec<u8> {
        let mut out = std::io::Cursor::new(Vec::new());
        let mut zip = zip::ZipWriter::new(&mut out);
        zip.start_file(
            "Dockerrun.aws.json",
            zip::write::SimpleFileOptions::default(),
        )
        .unwrap();
        zip.write_all(dockerrun.as_bytes()).unwrap();
        zip.finish().unwrap();
        out.into_inner()
    }

    #[test]
    fn dockerrun_v1_names_image_and_port() {
        let run = read_dockerrun(&bundle(
            r#"{"AWSEBDockerrunVersion":"1","Image":{"Name":"r/hello:1","Update":"true"},
                "Ports":[{"ContainerPort":"8080"}]}"#,
        ))
        .unwrap();
        assert_eq!(
            run,
            Dockerrun {
                image: "r/hello:1".into(),
                container_port: Some(8080)
            }
        );
    }

    #[test]
    fn bad_bundles_say_why() {
        assert!(read_dockerrun(b"not a zip")
            .unwrap_err()
            .contains("not a zip"));
        let err = read_dockerrun(&bundle(r#"{"AWSEBDockerrunVersion":"2"}"#)).unwrap_err();
        assert!(err.contains("must be \"1\""), "{err}");
        let err = read_dockerrun(&bundle(r#"{"AWSEBDockerrunVersion":1}"#)).unwrap_err();
        assert!(err.contains("Image.Name"), "{err}");
    }
}
