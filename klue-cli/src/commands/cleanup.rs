//! `klue cleanup`: terminates the non-live environments older than the newest `--keep`; only
//! lists them unless `--yes`.

use super::deploy::{list_environments, terminate_environment, Environment};
use super::envs::runtime;
use super::service::{root, ServiceConfig};
use super::UserError;
use crate::cli::CleanupArgs;

/// Terminates (or lists) the old environments.
pub fn run(args: &CleanupArgs) -> Result<(), UserError> {
    let config = ServiceConfig::load(&root(args.dir.as_deref()))?;
    let runtime = runtime()?;
    let (envs, _) = runtime.block_on(list_environments(&config, &args.aws))?;
    let old = to_terminate(&envs, args.keep);
    for env in &old {
        if args.yes {
            eprintln!(
                "terminating {} ({}, created {})",
                env.name,
                env.version,
                super::deploy::rfc3339(env.created)
            );
            runtime.block_on(terminate_environment(&config, &args.aws, &env.name))?;
        } else {
            eprintln!(
                "would terminate {} ({}, {})",
                env.name, env.version, env.status
            );
        }
    }
    if old.is_empty() {
        eprintln!(
            "nothing to terminate: {} non-live environment(s), keeping up to {}",
            envs.iter().filter(|e| !e.live).count(),
            args.keep
        );
    } else if !args.yes {
        eprintln!("dry run: pass --yes to terminate them");
    }
    if args.json {
        let out = serde_json::json!({
            "terminated": args.yes,
            "environments": old.iter().map(|e| &e.name).collect::<Vec<_>>(),
        });
        println!("{out}");
    }
    Ok(())
}

/// The non-live environments beyond the newest `keep`, oldest first.
pub fn to_terminate(envs: &[Environment], keep: usize) -> Vec<&Environment> {
    let mut candidates: Vec<&Environment> = envs.iter().filter(|e| !e.live).collect();
    candidates.sort_by(|a, b| (a.created, &a.name).cmp(&(b.created, &b.name)));
    let excess = candidates.len().saturating_sub(keep);
    candidates.truncate(excess);
    candidates
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(name: &str, created: i64, live: bool) -> Environment {
        Environment {
            name: name.into(),
            cname: format!("{name}.localhost:1"),
            version: name.into(),
            status: "Ready".into(),
            health: "Green".into(),
            created,
            live,
        }
    }

    #[test]
    fn the_live_and_the_newest_are_kept() {
        let envs = [
            env("a", 1, false),
            env("b", 2, true),
            env("c", 3, false),
            env("d", 4, false),
        ];
        let names = |keep| -> Vec<String> {
            to_terminate(&envs, keep)
                .iter()
                .map(|e| e.name.clone())
                .collect()
        };
        assert_eq!(names(1), ["a", "c"]);
        assert_eq!(names(2), ["a"]);
        assert_eq!(names(3), Vec::<String>::new());
        assert_eq!(names(0), ["a", "c", "d"]);
    }
}
