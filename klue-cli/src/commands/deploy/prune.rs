//! `klue cleanup`'s work in AWS: the old environments terminated, and once they are gone, every
//! application version no remaining environment runs deleted with its S3 bundle and its image
//! (ECR's `BatchDeleteImage`, or the `--registry` it was pushed to).
//!
//! AWS refuses to delete a version that an environment not yet Terminated uses, so the versions
//! wait for the terminations (polled, within `--timeout`).

use std::collections::BTreeSet;
use std::time::{Duration, Instant};

use serde::Serialize;

use super::aws::{self, Clients};
use super::eb::{self, Environment, Version};
use super::{ecr, registry, s3};
use crate::cli::CleanupArgs;
use crate::commands::service::ServiceConfig;
use crate::commands::UserError;

/// What a cleanup terminates and deletes (or, without `--yes`, would).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Pruning {
    /// The environments to terminate, oldest first.
    pub environments: Vec<String>,
    /// The versions no remaining environment runs: deleted with their bundle and image.
    pub versions: Vec<Version>,
}

/// The environments beyond the newest `keep` non-live ones, and every version that no other
/// environment (neither Terminated nor Terminating) runs. `unterminated` is (name, status, version) of every
/// environment not yet Terminated, `envs` the ones `klue envs` shows (live marked).
pub fn plan(
    envs: &[Environment],
    unterminated: &[(String, String, String)],
    versions: &[Version],
    keep: usize,
) -> Pruning {
    let mut candidates: Vec<&Environment> = envs.iter().filter(|e| !e.live).collect();
    candidates.sort_by(|a, b| (a.created, &a.name).cmp(&(b.created, &b.name)));
    let excess = candidates.len().saturating_sub(keep);
    let environments: Vec<String> = candidates[..excess]
        .iter()
        .map(|e| e.name.clone())
        .collect();
    // Environments already Terminating go too: their versions are deleted once they are gone.
    let running: BTreeSet<&str> = unterminated
        .iter()
        .filter(|(name, status, _)| !environments.contains(name) && status != "Terminating")
        .map(|(_, _, version)| version.as_str())
        .collect();
    Pruning {
        versions: versions
            .iter()
            .filter(|v| !running.contains(v.label.as_str()))
            .cloned()
            .collect(),
        environments,
    }
}

/// What was found, and what was done.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Cleaned {
    /// The plan.
    pub pruning: Pruning,
    /// Whether it was carried out (`--yes`).
    pub done: bool,
    /// What failed, one line each (the rest was still done).
    pub failures: Vec<String>,
}

/// Looks, and with `--yes` terminates and deletes.
pub async fn cleanup(config: &ServiceConfig, args: &CleanupArgs) -> Result<Cleaned, UserError> {
    let clients = aws::clients(config.aws.region.as_deref(), &args.aws).await;
    let config = &aws::with_live_prefix(config, &clients).await?;
    let app = &config.name;
    let envs = eb::environments(&clients.eb, app, config.live_prefix()).await?;
    let unterminated = eb::unterminated(&clients.eb, app).await?;
    let versions = eb::versions(&clients.eb, app).await?;
    let pruning = plan(&envs, &unterminated, &versions, args.keep);
    let mut cleaned = Cleaned {
        pruning,
        done: args.yes,
        failures: Vec::new(),
    };
    if !args.yes {
        return Ok(cleaned);
    }
    for name in &cleaned.pruning.environments {
        eprintln!("terminating {name}");
        eb::terminate(&clients.eb, name).await?;
    }
    let mut going: Vec<String> = cleaned.pruning.environments.clone();
    going.extend(
        unterminated
            .iter()
            .filter(|(_, status, _)| status == "Terminating")
            .map(|(name, _, _)| name.clone()),
    );
    let timeout = args.timeout.unwrap_or(config.timeouts.terminate);
    wait_terminated(&clients, app, &going, args, timeout).await?;
    for version in &cleaned.pruning.versions {
        let failures = delete_version(&clients, config, args, version).await;
        cleaned.failures.extend(failures);
    }
    Ok(cleaned)
}

/// Polls until none of `names` is left but Terminated, within `timeout` seconds.
async fn wait_terminated(
    clients: &Clients,
    app: &str,
    names: &[String],
    args: &CleanupArgs,
    timeout: u64,
) -> Result<(), UserError> {
    if names.is_empty() {
        return Ok(());
    }
    let started = Instant::now();
    let limit = Duration::from_secs(timeout);
    let every = Duration::from_secs_f64(args.poll_interval.max(0.05));
    loop {
        let left: Vec<String> = eb::unterminated(&clients.eb, app)
            .await?
            .into_iter()
            .filter(|(name, _, _)| names.contains(name))
            .map(|(name, status, _)| format!("{name} ({status})"))
            .collect();
        if left.is_empty() {
            eprintln!(
                "terminated in {:.0} s: {}",
                started.elapsed().as_secs_f64(),
                names.join(", ")
            );
            return Ok(());
        }
        if started.elapsed() >= limit {
            return Err(UserError::new(
                format!(
                    "still not terminated after {} s: {}; their versions, bundles and images \
                     were not deleted",
                    timeout,
                    left.join(", ")
                ),
                "`klue envs` shows them; run `klue cleanup --yes` again once they are gone",
            )
            .step_failed());
        }
        tokio::time::sleep(every).await;
    }
}

/// Deletes one version, then its bundle and its image; returns what failed.
async fn delete_version(
    clients: &Clients,
    config: &ServiceConfig,
    args: &CleanupArgs,
    version: &Version,
) -> Vec<String> {
    let mut failures = Vec::new();
    let label = &version.label;
    if let Err(err) = eb::delete_version(&clients.eb, &config.name, label).await {
        // Its bundle and image stay with it: the version may still be deployed.
        failures.push(format!("version {label}: {err}"));
        return failures;
    }
    eprintln!("deleted version {label}");
    if !version.bucket.is_empty() {
        match s3::delete(&clients.s3, &version.bucket, &version.key).await {
            Ok(()) => eprintln!("deleted s3://{}/{}", version.bucket, version.key),
            Err(err) => failures.push(format!("bundle of {label}: {err}")),
        }
    }
    let image = match args.registry.as_deref().filter(|r| !r.is_empty()) {
        Some(registry) => delete_from_registry(clients, registry, &config.name, label).await,
        None => ecr::delete_image(&clients.ecr, &config.name, label)
            .await
            .map(|()| format!("ECR {}:{label}", config.name))
            .map_err(|err| err.to_string()),
    };
    match image {
        Ok(what) => eprintln!("deleted image {what}"),
        Err(err) => failures.push(format!("image of {label}: {err}")),
    }
    failures
}

/// Deletes `name:tag` from `registry`, logging in with ECR's token as the push did.
async fn delete_from_registry(
    clients: &Clients,
    registry: &str,
    name: &str,
    tag: &str,
) -> Result<String, String> {
    let login = ecr::login(&clients.ecr)
        .await
        .map_err(|err| err.to_string())?;
    let found = registry::delete_tag(registry, name, tag, (&login.user, login.password.expose()))
        .await
        .map_err(|err| err.to_string())?;
    Ok(if found {
        format!("{registry}/{name}:{tag}")
    } else {
        format!("{registry}/{name}:{tag} (already gone)")
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(name: &str, created: i64, live: bool) -> Environment {
        Environment {
            name: name.into(),
            cname: format!("{name}.localhost:1"),
            version: format!("v-{name}"),
            status: "Ready".into(),
            health: "Green".into(),
            created,
            live,
        }
    }

    fn version(label: &str) -> Version {
        Version {
            label: label.into(),
            bucket: "b".into(),
            key: format!("hello/{label}.zip"),
        }
    }

    #[test]
    fn the_live_and_the_newest_are_kept_with_their_versions() {
        let envs = [
            env("a", 1, false),
            env("b", 2, true),
            env("c", 3, false),
            env("d", 4, false),
        ];
        let mut unterminated: Vec<(String, String, String)> = envs
            .iter()
            .map(|e| (e.name.clone(), e.status.clone(), e.version.clone()))
            .collect();
        // An environment already terminating goes: its version is deleted (once it is gone).
        unterminated.push(("old".into(), "Terminating".into(), "v-old".into()));
        let versions: Vec<Version> = ["v-a", "v-b", "v-c", "v-d", "v-old", "v-orphan"]
            .into_iter()
            .map(version)
            .collect();
        let labels =
            |p: &Pruning| -> Vec<String> { p.versions.iter().map(|v| v.label.clone()).collect() };

        let one = plan(&envs, &unterminated, &versions, 1);
        assert_eq!(one.environments, ["a", "c"]);
        assert_eq!(labels(&one), ["v-a", "v-c", "v-old", "v-orphan"]);

        let all = plan(&envs, &unterminated, &versions, 3);
        assert!(all.environments.is_empty());
        assert_eq!(labels(&all), ["v-old", "v-orphan"]);

        let none = plan(&envs, &unterminated, &versions, 0);
        assert_eq!(none.environments, ["a", "c", "d"]);
        assert_eq!(labels(&none), ["v-a", "v-c", "v-d", "v-old", "v-orphan"]);
    }

    #[test]
    fn a_version_two_environments_run_stays_while_one_remains() {
        let mut b = env("b", 2, true);
        b.version = "v-a".into();
        let envs = [env("a", 1, false), b];
        let unterminated: Vec<(String, String, String)> = envs
            .iter()
            .map(|e| (e.name.clone(), e.status.clone(), e.version.clone()))
            .collect();
        let pruning = plan(&envs, &unterminated, &[version("v-a")], 0);
        assert_eq!(pruning.environments, ["a"]);
        assert!(pruning.versions.is_empty(), "{pruning:?}");
    }
}
