//! The deploy itself, step by step; the plan was made and checked by `prepare`.

use crate::acceptance;
use serde::Serialize;

use super::aws::{self, Clients};
use super::names::environment_url;
use super::steps::{LeftBehind, Progress, StepRecord};
use super::{bundle, eb, ecr, envtest, s3, wait, Prepared};
use crate::cli::DeployArgs;
use crate::commands::build::{self, docker, BuildOptions};
use crate::commands::UserError;

/// The outcome of a deploy.
#[derive(Debug, Serialize)]
pub struct Summary {
    /// Deployed and live.
    pub success: bool,
    /// The service.
    pub name: String,
    /// The version.
    pub version: String,
    /// The image pushed (or built, when the push was not reached).
    pub image: String,
    /// The new environment.
    pub environment: String,
    /// The live environment after the deploy.
    pub live_environment: Option<String>,
    /// The live environment before it.
    pub previous_live_environment: Option<String>,
    /// Whether AWS was called at all (not when an earlier step failed).
    pub aws_called: bool,
    /// Whether CNAMEs were swapped.
    pub swapped: bool,
    /// The live URL (scheme + CNAME) after the deploy.
    pub live_url: Option<String>,
    /// Whether the acceptance tests were skipped.
    pub tests_skipped: bool,
    /// The step that failed.
    pub failed_step: Option<String>,
    /// Why.
    pub error: Option<String>,
    /// What to do about it.
    pub hint: Option<String>,
    /// Each step.
    pub steps: Vec<StepRecord>,
    /// What a failed deploy left in AWS, with the commands that remove it.
    pub left_behind: Vec<LeftBehind>,
    /// The failed deploy's new environment, terminated (unless `--keep-failed`) so that it is
    /// never taken for the previous live one by `klue rollback` or `klue cleanup`.
    pub terminated_environment: Option<String>,
}

impl Summary {
    /// Prints the closing report: text on stderr, and JSON on stdout with `json`.
    pub fn print(&self, json: bool) {
        eprintln!();
        if self.success {
            eprintln!(
                "deployed {} {}: {} is live{}{}",
                self.name,
                self.version,
                self.environment,
                self.live_url
                    .as_ref()
                    .map(|u| format!(" at {u}"))
                    .unwrap_or_default(),
                match (&self.previous_live_environment, self.swapped) {
                    (Some(previous), true) => format!(
                        "; {previous} (the previous live environment) still runs: `klue cleanup` \
                         terminates old ones"
                    ),
                    _ => String::new(),
                }
            );
            if self.tests_skipped {
                eprintln!("WARNING: the acceptance tests were skipped (--skip-tests): this version went live untested");
            }
        } else {
            eprintln!(
                "deploy of {} {} FAILED at step {}: {}",
                self.name,
                self.version,
                self.failed_step.as_deref().unwrap_or("?"),
                self.error.as_deref().unwrap_or("")
            );
            if let Some(hint) = &self.hint {
                eprintln!("  hint: {hint}");
            }
            match (&self.previous_live_environment, self.aws_called) {
                (_, false) => eprintln!(
                    "AWS was not called: the live environment was not touched, no swap was made"
                ),
                (Some(live), true) => eprintln!(
                    "the live environment {live} was not touched: no swap, it still serves the live CNAME"
                ),
                (None, true) => eprintln!("no swap was made (there was no live environment)"),
            }
            if let Some(env) = &self.terminated_environment {
                eprintln!("the new environment {env} is being terminated");
            }
            if self.left_behind.is_empty() {
                let other = if self.terminated_environment.is_some() {
                    " else"
                } else {
                    ""
                };
                eprintln!("nothing{other} was left behind in AWS");
            } else {
                eprintln!("left behind (remove what you do not want to keep):");
                for item in &self.left_behind {
                    eprintln!("  - {}\n      {}", item.what, item.remove);
                }
            }
        }
        if json {
            println!("{}", serde_json::to_value(self).unwrap_or_default());
        }
    }
}

/// The state a deploy carries from step to step.
struct Deploy<'a> {
    args: &'a DeployArgs,
    prepared: &'a Prepared,
    progress: Progress,
    clients: Option<Clients>,
    pushed_image: Option<String>,
    aws_called: bool,
    previous_live: Option<eb::Environment>,
    live_after: Option<eb::Environment>,
    swapped: bool,
    /// Whether CreateEnvironment succeeded.
    environment_created: bool,
}

/// Runs the steps; never panics on AWS's answers; returns the summary.
pub async fn deploy(args: &DeployArgs, prepared: Prepared) -> Summary {
    eprint!("{}", prepared.plan.text());
    if args.skip_tests {
        eprintln!(
            "\nWARNING: --skip-tests: the acceptance tests will NOT run against the image nor \
             against the new environment; it goes live untested"
        );
    }
    let mut deploy = Deploy {
        args,
        prepared: &prepared,
        progress: Progress::new(prepared.plan.steps.len()),
        clients: None,
        pushed_image: None,
        aws_called: false,
        previous_live: None,
        live_after: None,
        swapped: false,
        environment_created: false,
    };
    let result = deploy.steps().await;
    let terminated_environment = if result.is_err() {
        deploy.terminate_failed().await
    } else {
        None
    };
    let (error, hint) = match &result {
        Ok(()) => (None, None),
        Err(err) => {
            deploy.progress.fail(&err.message);
            (Some(err.message.clone()), err.hint.clone())
        }
    };
    let plan = &prepared.plan;
    let scheme = &args.aws.env_scheme;
    Summary {
        success: result.is_ok(),
        name: plan.name.clone(),
        version: plan.version.clone(),
        image: deploy
            .pushed_image
            .clone()
            .unwrap_or_else(|| plan.image.clone()),
        environment: plan.environment.clone(),
        live_environment: deploy.live_after.as_ref().map(|e| e.name.clone()),
        previous_live_environment: deploy.previous_live.as_ref().map(|e| e.name.clone()),
        aws_called: deploy.aws_called,
        swapped: deploy.swapped,
        live_url: deploy
            .live_after
            .as_ref()
            .map(|e| environment_url(&e.cname, scheme).0),
        tests_skipped: args.skip_tests,
        failed_step: result
            .is_err()
            .then(|| deploy.progress.current_step().to_owned()),
        error,
        hint,
        steps: deploy.progress.records,
        left_behind: if result.is_ok() {
            Vec::new()
        } else {
            deploy.progress.left_behind
        },
        terminated_environment,
    }
}

impl Deploy<'_> {
    /// After a failure: terminates the new environment (never once it went live), unless
    /// `--keep-failed`; returns its name when it was terminated.
    async fn terminate_failed(&mut self) -> Option<String> {
        let name = &self.prepared.plan.environment;
        if !self.environment_created || self.swapped || self.args.keep_failed {
            return None;
        }
        let clients = self.clients.as_ref()?;
        match eb::terminate(&clients.eb, name).await {
            Ok(()) => {
                eprintln!(
                    "terminating the failed environment {name} (`klue deploy --keep-failed` keeps \
                     it to look at)"
                );
                self.progress
                    .left_behind
                    .retain(|item| !item.what.starts_with(&format!("environment {name}")));
                Some(name.clone())
            }
            Err(err) => {
                eprintln!("could not terminate the failed environment {name}: {err}");
                None
            }
        }
    }

    async fn steps(&mut self) -> Result<(), UserError> {
        let plan = &self.prepared.plan;
        let dir = &self.prepared.dir;
        let config = &self.prepared.config;

        self.progress
            .start("build", &format!("image {}", plan.image));
        let options = BuildOptions::from_args(&self.args.build);
        let built = build::build(dir, config, &plan.version, &plan.image, &options)?;
        self.progress.done(format!(
            "{} ({})",
            built.image,
            docker::human_size(built.size_bytes)
        ));

        if self.args.skip_tests {
            self.progress
                .skip("test-image", "--skip-tests: the image is NOT tested");
        } else {
            self.progress.start(
                "test-image",
                &format!("acceptance tests against {}", plan.image),
            );
            let mut test_args = self.test_args();
            test_args.image = Some(plan.image.clone());
            let counts = run_tests(&test_args, "the image").await?;
            self.progress.done(counts);
        }

        self.progress
            .start("push", "ECR repository, login, docker push");
        let clients = aws::clients(config.aws.region.as_deref(), &self.args.aws).await;
        // Read-only, first: which environment is live now, for every report from here on.
        self.aws_called = true;
        let envs = eb::environments(&clients.eb, &config.name, config.live_prefix()).await?;
        self.previous_live = envs.iter().find(|e| e.live).cloned();
        if envs.iter().any(|e| e.name == plan.environment) {
            // Checked by the preflight too; the build took minutes, so again.
            return Err(eb::exists_already(&plan.environment));
        }
        match &self.previous_live {
            Some(live) => eprintln!(
                "    live now: {} ({}, {})",
                live.name, live.version, live.cname
            ),
            None => eprintln!("    live now: none (the new environment is created live)"),
        }
        let created = ecr::ensure_repository(&clients.ecr, &config.name).await?;
        if created {
            eprintln!("    created ECR repository {}", config.name);
        }
        let login = ecr::login(&clients.ecr).await?;
        let registry = plan
            .registry_override
            .clone()
            .unwrap_or(login.registry.clone());
        let pushed = format!("{registry}/{}:{}", config.name, plan.version);
        if pushed != plan.image {
            docker::stream(&["tag", &plan.image, &pushed], "tag the image")?;
        }
        docker::login(&registry, &login.user, login.password.expose())?;
        docker::stream(&["push", &pushed], "push the image")?;
        self.progress.leave(
            format!("image {pushed} in ECR repository {}", config.name),
            format!(
                "aws ecr batch-delete-image --repository-name {} --image-ids imageTag={}",
                config.name, plan.version
            ),
        );
        self.pushed_image = Some(pushed.clone());
        self.clients = Some(clients);
        self.progress.done(pushed.clone());

        let clients = self
            .clients
            .clone()
            .ok_or_else(|| UserError::plain("no AWS clients"))?;
        self.progress
            .start("bundle", &format!("s3://{}/{}", plan.bucket, plan.key));
        let files = bundle::files(config, &plan.version, &pushed)?;
        let zip = bundle::zip(&files)?;
        let size = zip.len();
        if s3::ensure_bucket(&clients.s3, &plan.bucket, &clients.region).await? {
            eprintln!("    created bucket {}", plan.bucket);
        }
        s3::upload(&clients.s3, &plan.bucket, &plan.key, zip).await?;
        self.progress.leave(
            format!("source bundle s3://{}/{}", plan.bucket, plan.key),
            format!("aws s3 rm s3://{}/{}", plan.bucket, plan.key),
        );
        self.progress.done(format!(
            "{} ({} bytes): {}",
            plan.key,
            size,
            files
                .iter()
                .map(|(n, _)| n.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        ));

        self.progress.start(
            "version",
            &format!("application {} version {}", config.name, plan.version),
        );
        if eb::ensure_application(&clients.eb, &config.name).await? {
            eprintln!("    created application {}", config.name);
        }
        let new_version = eb::create_version(
            &clients.eb,
            &config.name,
            &plan.version,
            &plan.bucket,
            &plan.key,
        )
        .await?;
        if new_version {
            self.progress.leave(
                format!("application version {} of {}", plan.version, config.name),
                format!(
                    "aws elasticbeanstalk delete-application-version --application-name {} \
                     --version-label {}",
                    config.name, plan.version
                ),
            );
        }
        self.progress.done(if new_version {
            "created"
        } else {
            "exists already: reused"
        });

        let cname_prefix = if self.previous_live.is_some() {
            plan.environment.clone()
        } else {
            config.live_prefix().to_owned()
        };
        self.progress.start(
            "environment",
            &format!("{} (CNAME prefix {cname_prefix})", plan.environment),
        );
        let platform = self.prepared.platform.as_ref().ok_or_else(|| {
            UserError::plain("no platform: the preflight did not run (a defect of klue)")
        })?;
        eb::create_environment(
            &clients.eb,
            &eb::NewEnvironment {
                application: &config.name,
                name: &plan.environment,
                cname_prefix: &cname_prefix,
                version: &plan.version,
                platform,
                instance_profile: &config.aws.instance_profile,
                service_role: &config.aws.service_role,
                instance_type: &config.aws.instance_type,
                key_pair: config.key_pair(),
                secrets: &self.prepared.secrets,
            },
        )
        .await?;
        self.environment_created = true;
        let holds_live = if self.previous_live.is_none() {
            " (it holds the live CNAME prefix: there was no live environment)"
        } else {
            ""
        };
        self.progress.leave(
            format!("environment {}{holds_live}", plan.environment),
            format!(
                "aws elasticbeanstalk terminate-environment --environment-name {}",
                plan.environment
            ),
        );
        self.progress.done(format!(
            "requested{}",
            if self.prepared.secrets.is_empty() {
                String::new()
            } else {
                format!(
                    ", with environment properties {}",
                    self.prepared
                        .secrets
                        .iter()
                        .map(|(n, _)| n.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                )
            }
        ));

        self.progress
            .start("wait", &format!("{} Ready and Green", plan.environment));
        let ready = wait::ready(
            &clients,
            &self.prepared.config,
            &self.prepared.plan,
            self.args,
        )
        .await?;
        self.progress
            .done(format!("Ready, Green, CNAME {}", ready.cname));

        if self.args.skip_tests {
            self.progress.skip(
                "test-environment",
                "--skip-tests: the new environment is NOT tested",
            );
        } else {
            let (url, _, _) = environment_url(&ready.cname, &self.args.aws.env_scheme);
            self.progress.start(
                "test-environment",
                &format!("acceptance tests against {url}"),
            );
            let counts = envtest::test_environment(
                dir.join(&config.testaccept),
                self.args.ping_timeout.unwrap_or(config.timeouts.ping),
                &ready.cname,
                &self.args.aws.env_scheme,
                &format!("the new environment {}", plan.environment),
            )
            .await?;
            self.progress.done(counts);
        }

        self.progress
            .start("go-live", "the new environment takes the live CNAME");
        match self.previous_live.clone() {
            Some(live) => {
                eb::swap(&clients.eb, &plan.environment, &live.name).await?;
                self.swapped = true;
                self.progress.done(format!(
                    "swapped CNAMEs: {} now serves {}; {} keeps running at {}",
                    plan.environment, live.cname, live.name, ready.cname
                ));
            }
            None => self.progress.done(format!(
                "no live environment before: {} was created live, at {}",
                plan.environment, ready.cname
            )),
        }
        self.live_after = eb::environment(
            &clients.eb,
            &config.name,
            &plan.environment,
            config.live_prefix(),
        )
        .await
        .ok()
        .flatten()
        .or(Some(ready));
        Ok(())
    }

    /// Acceptance-test arguments shared by both test steps.
    fn test_args(&self) -> acceptance::Args {
        acceptance::Args {
            local: false,
            host: None,
            port: None,
            https: false,
            image: None,
            live: false,
            ca_file: None,
            timeout: self
                .args
                .ping_timeout
                .unwrap_or(self.prepared.config.timeouts.ping),
            testaccept: self.prepared.dir.join(&self.prepared.config.testaccept),
            json: false,
            filters: Vec::new(),
        }
    }
}

/// Runs the acceptance tests; their failure is an error naming `what` was tested.
pub(super) async fn run_tests(args: &acceptance::Args, what: &str) -> Result<String, UserError> {
    let summary = acceptance::run(args, acceptance::Style::for_stderr()).await?;
    eprintln!("{}", summary.human().trim_end());
    if summary.success() {
        Ok(summary.counts_line())
    } else {
        Err(UserError::new(
            format!(
                "the acceptance tests failed against {what}: {}",
                summary.counts_line()
            ),
            "fix the service (the failures are above), commit, and deploy again",
        ))
    }
}
