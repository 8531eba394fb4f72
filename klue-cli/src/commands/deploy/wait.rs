//! Waiting for a new environment to be Ready and Green, showing its events as they come; on
//! timeout, saying what is left running and how to look at it.

use std::time::{Duration, Instant, SystemTime};

use super::aws::Clients;
use super::{eb, steps, Plan};
use crate::cli::DeployArgs;
use crate::commands::service::ServiceConfig;
use crate::commands::UserError;

/// Polls the new environment until it is Ready and Green, showing its events.
pub async fn ready(
    clients: &Clients,
    config: &ServiceConfig,
    plan: &Plan,
    args: &DeployArgs,
) -> Result<eb::Environment, UserError> {
    let timeout = Duration::from_secs(plan.ready_timeout);
    let interval = Duration::from_secs_f64(args.poll_interval.max(0.05));
    let started = Instant::now();
    let mut since = SystemTime::now() - Duration::from_secs(60);
    let mut events_broken = false;
    let bar = steps::spinner(&format!("{}: waiting", plan.environment));
    let mut last_state = String::new();
    let result = loop {
        let env = eb::environment(
            &clients.eb,
            &config.name,
            &plan.environment,
            config.live_prefix(),
        )
        .await;
        let env = match env {
            Ok(Some(env)) => env,
            Ok(None) => {
                break Err(UserError::new(
                    format!("environment {} disappeared (terminated?)", plan.environment),
                    "see its events in the Elastic Beanstalk console",
                ))
            }
            Err(err) => break Err(err.into()),
        };
        if !events_broken {
            match eb::events_since(&clients.eb, &config.name, &plan.environment, since).await {
                Ok(events) => {
                    for (when, severity, message) in events {
                        steps::println(&bar, &format!("    event {severity}: {message}"));
                        since = since.max(when);
                    }
                }
                Err(err) => {
                    events_broken = true;
                    steps::println(&bar, &format!("    (no events: {err})"));
                }
            }
        }
        let state = format!("{} / {}", env.status, env.health);
        if state != last_state {
            steps::println(&bar, &format!("    {}: {state}", plan.environment));
            last_state = state.clone();
        }
        bar.set_message(format!("{}: {state}", plan.environment));
        if env.status == "Ready" && env.health == "Green" {
            break Ok(env);
        }
        if eb::is_dead(&env.status) {
            break Err(UserError::new(
                format!("environment {} is {}", plan.environment, env.status),
                "its events above say why",
            ));
        }
        if started.elapsed() >= timeout {
            break Err(not_ready_in_time(plan, &state, args.keep_failed));
        }
        tokio::time::sleep(interval).await;
    };
    bar.finish_and_clear();
    result
}

/// The timeout of `wait_ready`: what is still running, how to look at it, what happens to it.
fn not_ready_in_time(plan: &Plan, state: &str, keep_failed: bool) -> UserError {
    let env = &plan.environment;
    let fate = if keep_failed {
        "it is kept (--keep-failed) and may still become Ready"
    } else {
        "it is terminated now (--keep-failed keeps it)"
    };
    UserError::new(
        format!(
            "environment {env} was not Ready and Green after {} s (last: {state}); {fate}",
            plan.ready_timeout
        ),
        format!(
            "its events are above; `klue logs --env {env}` shows its hosts' logs and `klue envs` \
             its state; for slow starts raise `timeouts: ready:` in klue.yaml or --ready-timeout"
        ),
    )
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::*;
    use crate::commands::deploy::plan::PlanInputs;

    #[test]
    fn the_timeout_says_what_is_left_and_where_to_look() {
        let yaml = "name: hello\ndocker:\n  repo: r\ntimeouts:\n  ready: 900\n";
        let config = ServiceConfig::parse(yaml, Path::new("klue.yaml")).unwrap();
        let plan = Plan::new(
            &config,
            PlanInputs {
                version: "v1".into(),
                registry_override: None,
                secrets: Vec::new(),
                skip_tests: false,
                ready_timeout: config.timeouts.ready,
                env_scheme: "http".into(),
            },
        );
        let terminated = not_ready_in_time(&plan, "Launching / Grey", false);
        let text = format!(
            "{} {}",
            terminated.message,
            terminated.hint.unwrap_or_default()
        );
        for expected in [
            "not Ready and Green after 900 s (last: Launching / Grey)",
            "it is terminated now",
            "klue logs --env hello-v1",
            "klue envs",
            "timeouts: ready:",
        ] {
            assert!(text.contains(expected), "{expected:?} in {text}");
        }
        let kept = not_ready_in_time(&plan, "Launching / Grey", true);
        assert!(
            kept.message.contains("it is kept (--keep-failed)"),
            "{}",
            kept.message
        );
    }
}
