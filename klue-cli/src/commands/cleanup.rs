//! `klue cleanup`: terminates the non-live environments older than the newest `--keep`, then
//! deletes every application version no remaining environment runs, with its S3 bundle and its
//! image; only lists them unless `--yes`. The AWS side is `deploy/prune.rs`.

use super::deploy::{cleanup, Cleaned};
use super::envs::runtime;
use super::service::{root, ServiceConfig};
use super::UserError;
use crate::cli::CleanupArgs;

/// Terminates and deletes (or lists) what is old.
pub fn run(args: &CleanupArgs) -> Result<(), UserError> {
    let config = ServiceConfig::load(&root(args.dir.as_deref()))?;
    let cleaned = runtime()?.block_on(cleanup(&config, args))?;
    if !cleaned.done {
        report_plan(&cleaned, args.keep);
    }
    if args.json {
        let p = &cleaned.pruning;
        let out = serde_json::json!({
            "terminated": cleaned.done,
            "environments": p.environments,
            "versions": p.versions.iter().map(|v| &v.label).collect::<Vec<_>>(),
            "bundles": p.versions.iter().filter(|v| !v.bucket.is_empty())
                .map(|v| format!("s3://{}/{}", v.bucket, v.key)).collect::<Vec<_>>(),
            "failures": cleaned.failures,
        });
        println!("{out}");
    }
    if cleaned.failures.is_empty() {
        return Ok(());
    }
    for failure in &cleaned.failures {
        eprintln!("failed: {failure}");
    }
    Err(UserError::new(
        format!(
            "{} deletion(s) failed (above); the rest was done",
            cleaned.failures.len()
        ),
        "run `klue cleanup --yes` again: what is gone already is skipped",
    )
    .step_failed())
}

/// The dry run's listing, on stderr.
fn report_plan(cleaned: &Cleaned, keep: usize) {
    let p = &cleaned.pruning;
    for name in &p.environments {
        eprintln!("would terminate {name}");
    }
    for v in &p.versions {
        eprintln!(
            "would delete version {} (bundle s3://{}/{}, its image)",
            v.label, v.bucket, v.key
        );
    }
    if p.environments.is_empty() && p.versions.is_empty() {
        eprintln!("nothing to clean up: keeping the live environment and up to {keep} others");
    } else {
        eprintln!("dry run: pass --yes to terminate and delete them");
    }
}
