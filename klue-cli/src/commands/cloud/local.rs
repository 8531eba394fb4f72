//! `--local` (of `klue deploy`, `rollback`, `envs`, `cleanup`): point the command at the local
//! cloud `klue cloud up` started, with nothing exported.
//!
//! It sets, in klue's own process and before anything runs, the variables `klue cloud up`
//! prints (endpoints, test credentials, the registry, the Docker engine), removes the real
//! credentials' and endpoints' variables (AWS_PROFILE, AWS_SESSION_TOKEN, AWS_ENDPOINT_URL...),
//! and parses the command line again so that the flags' variables take the local values. Why
//! this way, see the module above.

use crate::cli::{AwsArgs, Cli, Command};
use crate::commands::UserError;
use clap::Parser;

use super::state::{self, State};

/// `cli` itself without `--local`; with it, the command line parsed again after the local
/// cloud's variables are set. An error (exit 2) when the local cloud is not up or a flag (or
/// its variable) points somewhere else.
pub fn apply(cli: Cli) -> Result<Cli, UserError> {
    let Some((aws, registry)) = local_args(&cli.command) else {
        return Ok(cli);
    };
    let dir = state::dir()?;
    let state = State::read(&dir)?.filter(State::serving).ok_or_else(|| {
        UserError::new(
            format!(
                "--local: the local cloud is not up (no running server in {})",
                dir.display()
            ),
            "start it with `klue cloud up`; without --local, klue uses AWS",
        )
    })?;
    check_overrides(aws, registry, &state)?;
    for name in state::REMOVED {
        std::env::remove_var(name);
    }
    if state.var("DOCKER_HOST").is_none() {
        // The machine's own engine was found at its default socket.
        std::env::remove_var("DOCKER_HOST");
    }
    for (name, value) in &state.env {
        std::env::set_var(name, value);
    }
    let mut defaulted = Vec::new();
    for (name, value) in state::defaults() {
        if std::env::var(name).map_or(true, |v| v.is_empty()) {
            std::env::set_var(name, value);
            defaulted.push(name);
        }
    }
    eprintln!(
        "using the local cloud at {} (`klue cloud up`, pid {}): test credentials, its registry \
         {} and Docker engine; nothing goes to AWS{}",
        state.eb_endpoint,
        state.pid,
        state.registry,
        if defaulted.is_empty() {
            String::new()
        } else {
            format!(" ({} set to the local cloud's value)", defaulted.join(", "))
        }
    );
    Ok(Cli::parse())
}

/// The `--local` command's endpoint flags and `--registry`, when `--local` is given.
fn local_args(command: &Command) -> Option<(&AwsArgs, Option<&str>)> {
    let found = match command {
        Command::Deploy(args) => (&args.aws, args.registry.as_deref()),
        Command::Cleanup(args) => (&args.aws, args.registry.as_deref()),
        Command::Rollback(args) => (&args.aws, None),
        Command::Envs(args) => (&args.aws, None),
        Command::Logs(args) => (&args.aws, None),
        _ => return None,
    };
    found.0.local.then_some(found)
}

/// A flag or variable that names another endpoint than the local cloud's is refused: one
/// command never mixes the local cloud with anything else.
fn check_overrides(aws: &AwsArgs, registry: Option<&str>, state: &State) -> Result<(), UserError> {
    let given = [
        (
            "--eb-endpoint",
            "KLUE_EB_ENDPOINT",
            aws.eb_endpoint.as_deref(),
        ),
        (
            "--ecr-endpoint",
            "KLUE_ECR_ENDPOINT",
            aws.ecr_endpoint.as_deref(),
        ),
        (
            "--s3-endpoint",
            "KLUE_S3_ENDPOINT",
            aws.s3_endpoint.as_deref(),
        ),
        (
            "--sts-endpoint",
            "KLUE_STS_ENDPOINT",
            aws.sts_endpoint.as_deref(),
        ),
        (
            "--iam-endpoint",
            "KLUE_IAM_ENDPOINT",
            aws.iam_endpoint.as_deref(),
        ),
        ("--registry", "KLUE_REGISTRY", registry),
    ];
    for (flag, variable, value) in given {
        if let Some(value) = value.filter(|v| !v.is_empty()) {
            if Some(value) != state.var(variable) {
                return Err(UserError::new(
                    format!(
                        "--local and {flag} (or {variable}) {value}: the local cloud's is {}",
                        state.var(variable).unwrap_or("(none)")
                    ),
                    format!("drop {flag} (unset {variable}), or drop --local"),
                ));
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn state() -> State {
        State {
            pid: 1,
            started: 0,
            processes: Vec::new(),
            eb_endpoint: "http://127.0.0.1:4001".into(),
            moto_endpoint: "http://127.0.0.1:4002".into(),
            registry: "127.0.0.1:4003".into(),
            env: vec![
                ("KLUE_EB_ENDPOINT".into(), "http://127.0.0.1:4001".into()),
                ("KLUE_REGISTRY".into(), "127.0.0.1:4003".into()),
            ],
        }
    }

    fn aws(eb_endpoint: Option<&str>) -> AwsArgs {
        AwsArgs {
            eb_endpoint: eb_endpoint.map(str::to_owned),
            ecr_endpoint: None,
            s3_endpoint: None,
            sts_endpoint: None,
            iam_endpoint: None,
            env_scheme: "http".into(),
            local: true,
        }
    }

    #[test]
    fn the_local_clouds_own_endpoints_are_accepted() {
        // As after `eval "$(klue cloud up)"`: the variables already hold its values.
        let given = aws(Some("http://127.0.0.1:4001"));
        assert!(check_overrides(&given, Some("127.0.0.1:4003"), &state()).is_ok());
        assert!(check_overrides(&aws(None), None, &state()).is_ok());
    }

    #[test]
    fn another_endpoint_or_registry_is_refused() {
        let err = check_overrides(
            &aws(Some("https://eb.eu-west-1.amazonaws.com")),
            None,
            &state(),
        )
        .unwrap_err();
        assert!(err.message.contains("--eb-endpoint"), "{err}");
        assert_eq!(err.exit_code(), 2);
        let err = check_overrides(&aws(None), Some("elsewhere:5000"), &state()).unwrap_err();
        assert!(err.message.contains("--registry"), "{err}");
    }
}
