//! The deploy itself, step by step; the plan was made and checked by `prepare`.

use crate::acceptance;

use super::aws::{self, Clients};
use super::names::environment_url;
use super::plan::DeployStep;
use super::steps::{Progress, Summary};
use super::{bundle, eb, ecr, envtest, s3, wait, Prepared};
use crate::cli::DeployArgs;
use crate::commands::build::{self, docker, BuildOptions};
use crate::commands::UserError;

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
    /// The new environment once Ready and Green.
    ready: Option<eb::Environment>,
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
        ready: None,
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

    /// Runs every step of the plan in order, `--skip-tests` skipping the tests.
    async fn steps(&mut self) -> Result<(), UserError> {
        for step in DeployStep::ALL {
            if self.args.skip_tests && step.is_test() {
                let why = match step {
                    DeployStep::TestImage => "--skip-tests: the image is NOT tested",
                    _ => "--skip-tests: the new environment is NOT tested",
                };
                self.progress.skip(step.key(), why);
                continue;
            }
            match step {
                DeployStep::Build => self.build()?,
                DeployStep::TestImage => self.test_image().await?,
                DeployStep::Push => self.push().await?,
                DeployStep::Bundle => self.bundle().await?,
                DeployStep::Version => self.version().await?,
                DeployStep::Environment => self.environment().await?,
                DeployStep::Wait => self.wait().await?,
                DeployStep::TestEnvironment => self.test_environment().await?,
                DeployStep::GoLive => self.go_live().await?,
            }
        }
        Ok(())
    }

    fn build(&mut self) -> Result<(), UserError> {
        let plan = &self.prepared.plan;
        self.progress
            .start(DeployStep::Build.key(), &format!("image {}", plan.image));
        let options = BuildOptions::from_args(&self.args.build);
        let built = build::build(
            &self.prepared.dir,
            &self.prepared.config,
            &plan.version,
            &plan.image,
            &options,
        )?;
        self.progress.done(format!(
            "{} ({})",
            built.image,
            docker::human_size(built.size_bytes)
        ));
        Ok(())
    }

    async fn test_image(&mut self) -> Result<(), UserError> {
        let plan = &self.prepared.plan;
        self.progress.start(
            DeployStep::TestImage.key(),
            &format!("acceptance tests against {}", plan.image),
        );
        let mut test_args = self.test_args();
        test_args.image = Some(plan.image.clone());
        let counts = run_tests(&test_args, "the image").await?;
        self.progress.done(counts);
        Ok(())
    }

    async fn push(&mut self) -> Result<(), UserError> {
        let plan = &self.prepared.plan;
        let config = &self.prepared.config;
        self.progress
            .start(DeployStep::Push.key(), "ECR repository, login, docker push");
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
        self.progress.done(pushed);
        Ok(())
    }

    /// The AWS clients the push step made.
    fn clients(&self) -> Result<Clients, UserError> {
        self.clients
            .clone()
            .ok_or_else(|| UserError::plain("no AWS clients"))
    }

    async fn bundle(&mut self) -> Result<(), UserError> {
        let plan = &self.prepared.plan;
        let config = &self.prepared.config;
        let clients = self.clients()?;
        let pushed = self
            .pushed_image
            .clone()
            .ok_or_else(|| UserError::plain("no pushed image"))?;
        self.progress.start(
            DeployStep::Bundle.key(),
            &format!("s3://{}/{}", plan.bucket, plan.key),
        );
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
        Ok(())
    }

    async fn version(&mut self) -> Result<(), UserError> {
        let plan = &self.prepared.plan;
        let config = &self.prepared.config;
        let clients = self.clients()?;
        self.progress.start(
            DeployStep::Version.key(),
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
        Ok(())
    }

    async fn environment(&mut self) -> Result<(), UserError> {
        let plan = &self.prepared.plan;
        let config = &self.prepared.config;
        let clients = self.clients()?;
        let cname_prefix = if self.previous_live.is_some() {
            plan.environment.clone()
        } else {
            config.live_prefix().to_owned()
        };
        self.progress.start(
            DeployStep::Environment.key(),
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
        Ok(())
    }

    async fn wait(&mut self) -> Result<(), UserError> {
        let plan = &self.prepared.plan;
        let clients = self.clients()?;
        self.progress.start(
            DeployStep::Wait.key(),
            &format!("{} Ready and Green", plan.environment),
        );
        let ready = wait::ready(&clients, &self.prepared.config, plan, self.args).await?;
        self.progress
            .done(format!("Ready, Green, CNAME {}", ready.cname));
        self.ready = Some(ready);
        Ok(())
    }

    /// The new environment, Ready and Green: what the wait step found.
    fn ready(&self) -> Result<eb::Environment, UserError> {
        self.ready
            .clone()
            .ok_or_else(|| UserError::plain("the new environment is not ready"))
    }

    async fn test_environment(&mut self) -> Result<(), UserError> {
        let plan = &self.prepared.plan;
        let config = &self.prepared.config;
        let ready = self.ready()?;
        let (url, _, _) = environment_url(&ready.cname, &self.args.aws.env_scheme);
        self.progress.start(
            DeployStep::TestEnvironment.key(),
            &format!("acceptance tests against {url}"),
        );
        let counts = envtest::test_environment(
            self.prepared.dir.join(&config.testaccept),
            self.args.ping_timeout.unwrap_or(config.timeouts.ping),
            &ready.cname,
            &self.args.aws.env_scheme,
            &format!("the new environment {}", plan.environment),
        )
        .await?;
        self.progress.done(counts);
        Ok(())
    }

    async fn go_live(&mut self) -> Result<(), UserError> {
        let plan = &self.prepared.plan;
        let config = &self.prepared.config;
        let clients = self.clients()?;
        let ready = self.ready()?;
        self.progress.start(
            DeployStep::GoLive.key(),
            "the new environment takes the live CNAME",
        );
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
