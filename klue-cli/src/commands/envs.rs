//! `klue envs`: the service's Elastic Beanstalk environments, oldest first, the live one marked.

use super::deploy::{list_environments, Environment};
use super::service::{root, ServiceConfig};
use super::UserError;
use crate::cli::EnvsArgs;

/// Lists the environments: a table on stdout, or JSON with `--json`.
pub fn run(args: &EnvsArgs) -> Result<(), UserError> {
    let config = ServiceConfig::load(&root(args.dir.as_deref()))?;
    let (envs, region) = runtime()?.block_on(list_environments(&config, &args.aws))?;
    if args.json {
        println!("{}", serde_json::to_value(&envs).unwrap_or_default());
        return Ok(());
    }
    eprintln!("application {} in {region}", config.name);
    print!("{}", table(&envs));
    Ok(())
}

/// The text table of `envs`.
pub fn table(envs: &[Environment]) -> String {
    if envs.is_empty() {
        return "no environments\n".to_owned();
    }
    let width = envs.iter().map(|e| e.name.len()).max().unwrap_or(4).max(4);
    let vwidth = envs
        .iter()
        .map(|e| e.version.len())
        .max()
        .unwrap_or(7)
        .max(7);
    let mut out = format!(
        "  {:<width$}  {:<vwidth$}  {:<11}  {:<6}  {:<20}  CNAME\n",
        "NAME", "VERSION", "STATUS", "HEALTH", "CREATED"
    );
    for env in envs {
        out.push_str(&format!(
            "{} {:<width$}  {:<vwidth$}  {:<11}  {:<6}  {:<20}  {}{}\n",
            if env.live { "*" } else { " " },
            env.name,
            env.version,
            env.status,
            env.health,
            super::deploy::rfc3339(env.created),
            env.cname,
            if env.live { "  (live)" } else { "" }
        ));
    }
    out
}

/// A runtime for one AWS command.
pub fn runtime() -> Result<tokio::runtime::Runtime, UserError> {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|err| UserError::plain(format!("cannot start tokio: {err}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_table_shows_creation_times_in_rfc_3339() {
        let env = Environment {
            name: "hello-b".into(),
            cname: "hello.example:80".into(),
            version: "v2".into(),
            status: "Ready".into(),
            health: "Green".into(),
            created: 1_796_641_500,
            live: true,
        };
        let table = table(std::slice::from_ref(&env));
        assert!(table.contains("  2026-12-07T11:05:00Z  "), "{table}");
        let json = serde_json::to_value(&env).unwrap();
        assert_eq!(json["created"], "2026-12-07T11:05:00Z");
    }
}
