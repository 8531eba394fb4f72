//! The AWS clients: aws-config's standard chain (profiles, env, SSO, instance roles), the region
//! of klue.yaml, and the endpoint overrides that point klue at emulators in tests.

use aws_config::{BehaviorVersion, Region};

use crate::cli::AwsArgs;
use crate::commands::service::ServiceConfig;
use crate::commands::UserError;

/// The services klue uses.
#[derive(Debug, Clone)]
pub struct Clients {
    /// Elastic Beanstalk.
    pub eb: aws_sdk_elasticbeanstalk::Client,
    /// ECR.
    pub ecr: aws_sdk_ecr::Client,
    /// S3.
    pub s3: aws_sdk_s3::Client,
    /// STS.
    pub sts: aws_sdk_sts::Client,
    /// IAM (its few calls: [`super::iam`]).
    pub iam: super::iam::Iam,
    /// The region in use ([`NO_REGION`] when there is none).
    pub region: String,
    /// aws-config's shared configuration (the credentials chain among it).
    pub shared: aws_config::SdkConfig,
}

/// [`Clients::region`] when neither klue.yaml nor aws-config gives one.
pub const NO_REGION: &str = "(none)";

/// Loads the shared configuration and builds the clients. An endpoint given by flag (or
/// KLUE_*_ENDPOINT) wins over `AWS_ENDPOINT_URL_<SERVICE>` and AWS_ENDPOINT_URL, which aws-config
/// reads itself. With an S3 endpoint override, S3 is addressed path-style (bucket names as
/// host names do not resolve on 127.0.0.1).
pub async fn clients(region: Option<&str>, args: &AwsArgs) -> Clients {
    let mut loader = aws_config::defaults(BehaviorVersion::latest());
    if let Some(region) = region.filter(|r| !r.trim().is_empty()) {
        loader = loader.region(Region::new(region.to_owned()));
    }
    let shared = loader.load().await;
    let region = shared
        .region()
        .map(ToString::to_string)
        .unwrap_or_else(|| NO_REGION.to_owned());

    let mut eb = aws_sdk_elasticbeanstalk::config::Builder::from(&shared);
    if let Some(url) = &args.eb_endpoint {
        eb = eb.endpoint_url(url);
    }
    let mut ecr = aws_sdk_ecr::config::Builder::from(&shared);
    if let Some(url) = &args.ecr_endpoint {
        ecr = ecr.endpoint_url(url);
    }
    let mut s3 = aws_sdk_s3::config::Builder::from(&shared);
    if let Some(url) = &args.s3_endpoint {
        s3 = s3.endpoint_url(url);
    }
    let mut sts = aws_sdk_sts::config::Builder::from(&shared);
    if let Some(url) = &args.sts_endpoint {
        sts = sts.endpoint_url(url);
    }
    if args.s3_endpoint.is_some() || std::env::var_os("AWS_ENDPOINT_URL").is_some() {
        s3 = s3.force_path_style(true);
    }
    Clients {
        eb: aws_sdk_elasticbeanstalk::Client::from_conf(eb.build()),
        ecr: aws_sdk_ecr::Client::from_conf(ecr.build()),
        s3: aws_sdk_s3::Client::from_conf(s3.build()),
        sts: aws_sdk_sts::Client::from_conf(sts.build()),
        iam: super::iam::Iam::new(&shared, args.iam_endpoint.as_deref()),
        region,
        shared,
    }
}

/// An SDK error with its service message and code, for a one-line report.
pub fn describe_error<E, R>(err: &aws_sdk_s3::error::SdkError<E, R>) -> String
where
    E: aws_sdk_s3::error::ProvideErrorMetadata + std::error::Error + 'static,
    R: std::fmt::Debug,
{
    use aws_sdk_s3::error::SdkError;
    match err {
        SdkError::ServiceError(service) => {
            let inner = service.err();
            match (inner.code(), inner.message()) {
                (Some(code), Some(message)) => format!("{code}: {message}"),
                (Some(code), None) => code.to_owned(),
                _ => format!("{inner}"),
            }
        }
        SdkError::DispatchFailure(failure) => {
            let mut text = "cannot reach the endpoint".to_owned();
            if let Some(connector) = failure.as_connector_error() {
                text.push_str(&format!(": {connector}"));
                let mut source = std::error::Error::source(connector);
                while let Some(cause) = source {
                    text.push_str(&format!(": {cause}"));
                    source = cause.source();
                }
            }
            text
        }
        other => {
            let mut text = other.to_string();
            let mut source = std::error::Error::source(other);
            while let Some(cause) = source {
                text.push_str(&format!(": {cause}"));
                source = cause.source();
            }
            text
        }
    }
}

/// `err` and its sources, `: `-separated.
pub fn error_chain(err: &(dyn std::error::Error + 'static)) -> String {
    let mut text = err.to_string();
    let mut source = err.source();
    while let Some(cause) = source {
        text.push_str(&format!(": {cause}"));
        source = cause.source();
    }
    text
}

/// A failed AWS call.
#[derive(Debug, thiserror::Error)]
#[error("{service} {operation} failed: {message}")]
pub struct CallError {
    /// `ECR`, `S3` or `Elastic Beanstalk`.
    pub service: &'static str,
    /// The API operation.
    pub operation: &'static str,
    /// What AWS (or the connection) said.
    pub message: String,
}

impl CallError {
    /// What to do about it.
    pub fn hint(&self) -> String {
        let lower = self.message.to_ascii_lowercase();
        if lower.contains("credential")
            || lower.contains("security token")
            || lower.contains("signature")
        {
            "check the AWS credentials: AWS_PROFILE (aws sso login), or AWS_ACCESS_KEY_ID / \
             AWS_SECRET_ACCESS_KEY"
                .to_owned()
        } else if lower.contains("cannot reach") || lower.contains("dispatch") {
            format!(
                "check the network and the {} endpoint (AWS_ENDPOINT_URL, or the --*-endpoint \
                 flags in tests)",
                self.service
            )
        } else if lower.contains("accessdenied") || lower.contains("not authorized") {
            format!(
                "the AWS identity needs permission for {}:{}",
                self.service, self.operation
            )
        } else {
            "see AWS's message; `klue deploy --dry-run` shows what each step does".to_owned()
        }
    }
}

impl From<CallError> for UserError {
    fn from(err: CallError) -> Self {
        let hint = err.hint();
        UserError::new(err.to_string(), hint)
    }
}

/// Turns an SDK error of `service`'s `operation` into a [`CallError`].
pub fn failed<E, R>(
    service: &'static str,
    operation: &'static str,
) -> impl FnOnce(aws_sdk_s3::error::SdkError<E, R>) -> CallError
where
    E: aws_sdk_s3::error::ProvideErrorMetadata + std::error::Error + 'static,
    R: std::fmt::Debug,
{
    move |err| CallError {
        service,
        operation,
        message: describe_error(&err),
    }
}

/// The account of the credentials (`GetCallerIdentity`, which needs no permission).
pub async fn account(clients: &Clients) -> Result<String, UserError> {
    match clients.sts.get_caller_identity().send().await {
        Ok(who) => Ok(who.account().unwrap_or_default().to_owned()),
        Err(err) => Err(UserError::new(
            format!(
                "AWS does not accept the credentials (STS GetCallerIdentity): {}",
                describe_error(&err)
            ),
            "check that the credentials are current (`aws sts get-caller-identity`; after SSO, \
             `aws sso login`)",
        )),
    }
}

/// `config` with its live CNAME prefix resolved: klue.yaml's, else `<name>-<account suffix>`
/// (which asks STS for the account).
pub async fn with_live_prefix(
    config: &ServiceConfig,
    clients: &Clients,
) -> Result<ServiceConfig, UserError> {
    if config.explicit_live_prefix().is_some() {
        return Ok(config.clone());
    }
    Ok(config.clone().with_live_prefix(&account(clients).await?))
}
