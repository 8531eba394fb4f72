//! `klue rollback`: makes the previous environment live again.
//!
//! A deploy keeps the environment it replaces: `SwapEnvironmentCNAMEs` gives the new
//! environment the live CNAME (its prefix: klue.yaml's `aws.cname_prefix`, by default
//! `<name>-<account suffix>`) and the old live one the new environment's CNAME, so its prefix is no longer its own name. That is how "kept by a deploy"
//! is recognised here: an environment whose CNAME prefix is its own name was never swapped out
//! (a failed deploy's, never live) and is not chosen by default.
//!
//! Steps (lines on stderr, as the deploy's): `DescribeEnvironments` -> choose the previous
//! environment (the newest kept one, or `--to`) -> it must be Ready and Green -> the acceptance
//! tests against its CNAME (the deploy's `test-environment` code) -> `SwapEnvironmentCNAMEs`
//! with the live environment, which keeps running. Exit 2 when there is nothing to roll back to
//! (no live or no previous environment), 1 when a check or the swap failed: nothing swapped.

use serde::Serialize;

use super::aws;
use super::eb::{self, Environment};
use super::names::{cname_prefix, environment_url};
use super::steps::Progress;
use crate::cli::RollbackArgs;
use crate::commands::service::{root, ServiceConfig};
use crate::commands::UserError;

/// What a rollback did (its `--json`).
#[derive(Debug, Serialize)]
pub struct Outcome {
    /// Always true: a failure is the error object.
    pub success: bool,
    /// The live environment before.
    pub live_before: String,
    /// The live environment after: the one rolled back to.
    pub live_after: String,
    /// The version it runs.
    pub version: String,
    /// Whether CNAMEs were swapped.
    pub swapped: bool,
    /// The live URL (scheme + CNAME).
    pub live_url: String,
}

/// `klue rollback`. Its `--json` error object says `swapped: false`.
pub fn main(args: &RollbackArgs) -> Result<(), UserError> {
    let outcome = crate::commands::envs::runtime()
        .and_then(|rt| rt.block_on(rollback(args)))
        .map_err(|err| err.with_json_field("swapped", false))?;
    eprintln!(
        "\nrolled back: {} ({}) is live again at {}; {} still runs (`klue rollback --to {}` \
         goes back to it)",
        outcome.live_after,
        outcome.version,
        outcome.live_url,
        outcome.live_before,
        outcome.live_before
    );
    if args.json {
        println!("{}", serde_json::to_value(&outcome).unwrap_or_default());
    }
    Ok(())
}

/// Whether a deploy swapped `env` out of the live CNAME: its CNAME prefix is not its own name.
fn kept_by_deploy(env: &Environment) -> bool {
    !env.cname.is_empty() && !cname_prefix(&env.cname).eq_ignore_ascii_case(&env.name)
}

/// The live environment and the one to make live: `to`, or the newest environment a deploy
/// kept. Every refusal is a setup error (exit 2): nothing was changed.
pub fn choose<'a>(
    envs: &'a [Environment],
    service: &str,
    to: Option<&str>,
) -> Result<(&'a Environment, &'a Environment), UserError> {
    let live = envs.iter().find(|e| e.live).ok_or_else(|| {
        UserError::new(
            format!(
                "no live environment to roll back: {service} has no environment whose CNAME \
                 prefix is {service}{}",
                if envs.is_empty() {
                    " (it has no environment at all)".to_owned()
                } else {
                    format!(
                        " (it has {})",
                        envs.iter()
                            .map(|e| e.name.as_str())
                            .collect::<Vec<_>>()
                            .join(", ")
                    )
                }
            ),
            "`klue deploy` makes one live; `klue envs` lists the environments",
        )
    })?;
    let target = match to {
        Some(name) => {
            let found = envs.iter().find(|e| e.name == name).ok_or_else(|| {
                UserError::new(
                    format!("{service} has no environment {name} (or it is terminated)"),
                    "`klue envs` lists the environments",
                )
            })?;
            if found.live {
                return Err(UserError::new(
                    format!("{name} is the live environment already: nothing to roll back"),
                    "`klue envs` lists the environments",
                ));
            }
            found
        }
        None => envs
            .iter()
            .filter(|e| !e.live && kept_by_deploy(e))
            .max_by(|a, b| (a.created, &a.name).cmp(&(b.created, &b.name)))
            .ok_or_else(|| no_previous(envs, service, live))?,
    };
    Ok((live, target))
}

/// The refusal when no environment was kept by a deploy.
fn no_previous(envs: &[Environment], service: &str, live: &Environment) -> UserError {
    let others: Vec<&str> = envs
        .iter()
        .filter(|e| !e.live)
        .map(|e| e.name.as_str())
        .collect();
    if others.is_empty() {
        UserError::new(
            format!(
                "no previous environment to roll back to: {service} has only its live \
                 environment {}",
                live.name
            ),
            "`klue envs` lists them; a deploy keeps the environment it replaces",
        )
    } else {
        UserError::new(
            format!(
                "no previous environment to roll back to: besides the live {}, {service} has \
                 only environments no deploy swapped out ({}: left by a failed deploy, or \
                 replaced by a rollback)",
                live.name,
                others.join(", ")
            ),
            "`klue envs` lists them; `klue rollback --to NAME` makes one live after the same \
             checks",
        )
    }
}

/// The rollback; a failure after the choice is a failed step (exit 1), nothing swapped.
async fn rollback(args: &RollbackArgs) -> Result<Outcome, UserError> {
    let dir = root(args.dir.as_deref());
    let config = ServiceConfig::load(&dir)?;
    if !args.skip_tests {
        super::tests_runnable(&dir, &config, "--skip-tests (it then goes live untested)")?;
    }
    let clients = aws::clients(config.aws.region.as_deref(), &args.aws).await;
    let config = aws::with_live_prefix(&config, &clients).await?;
    let envs = eb::environments(&clients.eb, &config.name, config.live_prefix()).await?;
    let (live, target) = choose(&envs, &config.name, args.to.as_deref())?;
    let scheme = &args.aws.env_scheme;
    eprintln!(
        "rollback {}: live now {} ({}); making {} ({}) live again",
        config.name, live.name, live.version, target.name, target.version
    );
    let failed = |mut err: UserError| {
        err.message = format!(
            "{}: nothing was swapped, {} is still live",
            err.message, live.name
        );
        err.step_failed()
    };
    let mut progress = Progress::new(3);
    progress.start("check", &format!("{} Ready and Green", target.name));
    if target.status != "Ready" || target.health != "Green" {
        progress.fail("not Ready and Green");
        return Err(failed(UserError::new(
            format!(
                "{} is {} / {}, not Ready / Green",
                target.name, target.status, target.health
            ),
            "see its events in the Elastic Beanstalk console; `klue envs` shows its state",
        )));
    }
    progress.done(format!("Ready, Green, CNAME {}", target.cname));
    if args.skip_tests {
        progress.skip("test-environment", "--skip-tests: it is NOT tested");
        eprintln!("WARNING: --skip-tests: {} goes live untested", target.name);
    } else {
        let (url, _, _) = environment_url(&target.cname, scheme);
        progress.start(
            "test-environment",
            &format!("acceptance tests against {url}"),
        );
        let counts = super::envtest::test_environment(
            dir.join(&config.testaccept),
            args.ping_timeout.unwrap_or(config.timeouts.ping),
            &target.cname,
            scheme,
            &format!("the environment {}", target.name),
        )
        .await;
        match counts {
            Ok(counts) => progress.done(counts),
            Err(err) => {
                progress.fail(&err.message);
                return Err(failed(err));
            }
        }
    }
    progress.start("go-live", &format!("{} takes the live CNAME", target.name));
    if let Err(err) = eb::swap(&clients.eb, &target.name, &live.name).await {
        progress.fail(&err.to_string());
        return Err(failed(err.into()));
    }
    progress.done(format!(
        "swapped CNAMEs: {} now serves {}; {} keeps running at {}",
        target.name, live.cname, live.name, target.cname
    ));
    let after = eb::environment(
        &clients.eb,
        &config.name,
        &target.name,
        config.live_prefix(),
    )
    .await
    .ok()
    .flatten();
    let live_cname = after.map_or_else(|| live.cname.clone(), |e| e.cname);
    Ok(Outcome {
        success: true,
        live_before: live.name.clone(),
        live_after: target.name.clone(),
        version: target.version.clone(),
        swapped: true,
        live_url: environment_url(&live_cname, scheme).0,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(name: &str, prefix: &str, created: i64, live: bool) -> Environment {
        Environment {
            name: name.into(),
            cname: format!("{prefix}.localhost:19500"),
            version: name.trim_start_matches("hello-").into(),
            status: "Ready".into(),
            health: "Green".into(),
            created,
            live,
        }
    }

    #[test]
    fn the_previous_environment_is_the_newest_a_deploy_kept() {
        // A deployed first (prefix hello), B swapped in (A got B's prefix), C swapped in (B got
        // C's prefix), D failed its tests (its own prefix).
        let envs = [
            env("hello-a", "hello-b", 1, false),
            env("hello-b", "hello-c", 2, false),
            env("hello-c", "hello", 3, true),
            env("hello-d", "hello-d", 4, false),
        ];
        let (live, target) = choose(&envs, "hello", None).unwrap();
        assert_eq!(
            (live.name.as_str(), target.name.as_str()),
            ("hello-c", "hello-b")
        );
        let (_, target) = choose(&envs, "hello", Some("hello-a")).unwrap();
        assert_eq!(target.name, "hello-a");
        // --to may name a never-live environment (it is still checked before the swap).
        let (_, target) = choose(&envs, "hello", Some("hello-d")).unwrap();
        assert_eq!(target.name, "hello-d");
    }

    #[test]
    fn refusals_are_setup_errors() {
        let none = choose(&[], "hello", None).unwrap_err();
        assert_eq!(none.exit_code(), 2);
        assert!(none.message.contains("no live environment"), "{none}");

        let only = [env("hello-a", "hello", 1, true)];
        let err = choose(&only, "hello", None).unwrap_err();
        assert_eq!(err.exit_code(), 2);
        assert_eq!(
            err.message,
            "no previous environment to roll back to: hello has only its live environment hello-a"
        );

        let failed_only = [
            env("hello-a", "hello", 1, true),
            env("hello-b", "hello-b", 2, false),
        ];
        let err = choose(&failed_only, "hello", None).unwrap_err();
        assert!(err.message.contains("swapped out (hello-b:"), "{err}");
        assert!(err.hint.unwrap().contains("--to"));

        let err = choose(&only, "hello", Some("hello-a")).unwrap_err();
        assert!(err.message.contains("live environment already"), "{err}");
        let err = choose(&only, "hello", Some("hello-x")).unwrap_err();
        assert!(err.message.contains("no environment hello-x"), "{err}");
    }

    #[test]
    fn after_a_rollback_the_replaced_environment_is_not_chosen_again() {
        // B rolled back to A: A holds the live prefix again, B got A's former prefix, which
        // was B's own name.
        let envs = [
            env("hello-a", "hello", 1, true),
            env("hello-b", "hello-b", 2, false),
        ];
        assert!(choose(&envs, "hello", None).is_err());
    }
}
