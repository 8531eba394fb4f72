//! A service's typed configuration from variables, `.env` and `klue.yaml`: precedence, typing,
//! and one error naming every missing or malformed key.

use std::path::PathBuf;

use klue_core::config::{load_from, ConfigSources};
use serde::Deserialize;

#[derive(Debug, Deserialize, PartialEq)]
struct Smtp {
    host: String,
    port: u16,
}

#[derive(Debug, Deserialize, PartialEq)]
enum Mode {
    #[serde(rename = "live")]
    Live,
    #[serde(rename = "dry-run")]
    DryRun,
}

#[derive(Debug, Deserialize, PartialEq)]
struct Config {
    database_url: String,
    pool_size: u32,
    #[serde(default)]
    debug: bool,
    admins: Vec<String>,
    mode: Mode,
    smtp: Smtp,
    sentry_dsn: Option<String>,
}

fn scratch(name: &str) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("scratch directory");
    dir
}

fn sources(dir: &std::path::Path, env: &[(&str, &str)]) -> ConfigSources {
    ConfigSources {
        prefix: "APP_".to_owned(),
        env: Some(
            env.iter()
                .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
                .collect(),
        ),
        dotenv: Some(dir.join(".env")),
        yaml: Some(dir.join("klue.yaml")),
    }
}

#[test]
fn variables_beat_dotenv_which_beats_yaml() {
    let dir = scratch("config-precedence");
    std::fs::write(
        dir.join("klue.yaml"),
        "database_url: postgres://yaml\npool_size: 4\nadmins: [ada, grace]\nmode: live\n\
         smtp:\n  host: mail.yaml\n  port: 25\n",
    )
    .expect("yaml written");
    std::fs::write(
        dir.join(".env"),
        "APP_POOL_SIZE=8\nAPP_SMTP__HOST=mail.dotenv\n",
    )
    .expect(".env written");
    let config: Config = load_from(&sources(
        &dir,
        &[
            ("APP_SMTP__PORT", "2525"),
            ("APP_DEBUG", "true"),
            ("APP_MODE", "dry-run"),
            ("OTHER_PORT", "not read: no prefix"),
        ],
    ))
    .expect("valid configuration");
    assert_eq!(
        config,
        Config {
            database_url: "postgres://yaml".into(),
            pool_size: 8,
            debug: true,
            admins: vec!["ada".into(), "grace".into()],
            mode: Mode::DryRun,
            smtp: Smtp {
                host: "mail.dotenv".into(),
                port: 2525,
            },
            sentry_dsn: None,
        }
    );

    // Lists in one variable.
    let config: Config =
        load_from(&sources(&dir, &[("APP_ADMINS", "linus, ken")])).expect("valid configuration");
    assert_eq!(config.admins, vec!["linus".to_owned(), "ken".to_owned()]);
}

#[test]
fn every_missing_or_malformed_key_is_named_in_one_error() {
    let dir = scratch("config-problems");
    std::fs::write(dir.join("klue.yaml"), "smtp:\n  port: 25\n").expect("yaml written");
    let err = load_from::<Config>(&sources(
        &dir,
        &[
            ("APP_POOL_SIZE", "many"),
            ("APP_DEBUG", "perhaps"),
            ("APP_ADMINS", "ada"),
            ("APP_MODE", "live"),
        ],
    ))
    .expect_err("invalid configuration");
    let message = err.to_string();
    for named in [
        "APP_DATABASE_URL (database_url in klue.yaml): missing",
        "APP_POOL_SIZE (pool_size in klue.yaml): 'many' is not valid",
        "APP_DEBUG (debug in klue.yaml): 'perhaps' is not valid",
        "APP_SMTP__HOST (smtp.host in klue.yaml): missing",
    ] {
        assert!(message.contains(named), "'{named}' not in:\n{message}");
    }
    assert_eq!(err.problems.len(), 4, "{message}");
}

#[test]
fn a_broken_yaml_file_is_named() {
    let dir = scratch("config-broken-yaml");
    std::fs::write(dir.join("klue.yaml"), "database_url: [unclosed\n").expect("yaml written");
    let err = load_from::<Config>(&sources(&dir, &[])).expect_err("invalid configuration");
    assert!(err.to_string().contains("klue.yaml"), "{err}");
}
