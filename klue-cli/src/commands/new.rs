//! `klue new NAME`: a service crate that builds and passes its acceptance tests right away.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use serde::Serialize;

use super::klue_path;
use super::service::valid_name;
use super::templates::render;
use super::UserError;
use crate::cli::NewArgs;

/// The scaffold: (path in the service, template name, template text).
const FILES: &[(&str, &str, &str)] = &[
    (
        "Cargo.toml",
        "Cargo.toml.j2",
        include_str!("../../templates/new/Cargo.toml.j2"),
    ),
    (
        "build.rs",
        "build.rs.j2",
        include_str!("../../templates/new/build.rs.j2"),
    ),
    (
        "apis/{name}.yaml",
        "api.yaml.j2",
        include_str!("../../templates/new/api.yaml.j2"),
    ),
    (
        "src/main.rs",
        "main.rs.j2",
        include_str!("../../templates/new/main.rs.j2"),
    ),
    (
        "testaccept/Cargo.toml",
        "testaccept_Cargo.toml.j2",
        include_str!("../../templates/new/testaccept_Cargo.toml.j2"),
    ),
    (
        "testaccept/src/lib.rs",
        "testaccept_lib.rs.j2",
        include_str!("../../templates/new/testaccept_lib.rs.j2"),
    ),
    (
        "testaccept/tests/{name}.rs",
        "testaccept_tests.rs.j2",
        include_str!("../../templates/new/testaccept_tests.rs.j2"),
    ),
    (
        "env.secrets",
        "env.secrets.j2",
        include_str!("../../templates/new/env.secrets.j2"),
    ),
    (
        "klue.yaml",
        "klue.yaml.j2",
        include_str!("../../templates/new/klue.yaml.j2"),
    ),
    (
        ".dockerignore",
        "dockerignore.j2",
        include_str!("../../templates/new/dockerignore.j2"),
    ),
    (
        ".gitignore",
        "gitignore.j2",
        include_str!("../../templates/new/gitignore.j2"),
    ),
    (
        "docker-compose.yml",
        "docker-compose.yml.j2",
        include_str!("../../templates/new/docker-compose.yml.j2"),
    ),
    (
        ".github/workflows/ci.yml",
        "ci.yml.j2",
        include_str!("../../templates/new/ci.yml.j2"),
    ),
    (
        "README.md",
        "README.md.j2",
        include_str!("../../templates/new/README.md.j2"),
    ),
];

/// What the templates see.
#[derive(Debug, Serialize)]
struct Context {
    name: String,
    trait_name: String,
    port: u16,
    /// The version of klue's crates the service depends on.
    klue_version: String,
    /// `--klue-path`: the checkout as the manifest writes it, and the `[patch.crates-io]`
    /// lines; both empty without it.
    klue_path: String,
    klue_patch: String,
}

/// Writes the new service and says what to do next.
pub fn run(args: &NewArgs) -> Result<(), UserError> {
    if !valid_name(&args.name) {
        return Err(UserError::new(
            format!("'{}' is not a service name", args.name),
            "use lowercase letters, digits and single hyphens, starting with a letter, at most \
             40 characters (it names the crate, the image and the Elastic Beanstalk application)",
        ));
    }
    let dir = args
        .path
        .clone()
        .unwrap_or_else(|| PathBuf::from(&args.name));
    let klue = args
        .klue_path
        .as_deref()
        .map(klue_path::checkout)
        .transpose()?;
    let written = scaffold(&args.name, &dir, klue.as_deref())?;
    for path in &written {
        eprintln!("  created {}", path.display());
    }
    println!("{}", dir.display());
    eprintln!(
        "\nnext:\n  cd {}\n  git init && git add -A && git commit -m '{} from klue new'\n  \
         export KLUE_JWT_SECRET=a-long-random-secret-for-local-use\n  cargo run -- --port 8080 &\n  \
         klue test --port 8080",
        dir.display(),
        args.name
    );
    Ok(())
}

/// Writes the scaffold of `name` into `dir` (which must not exist, or be empty), depending on
/// klue's crates by version, patched to the checkout `klue` when given. Returns the files
/// written.
pub fn scaffold(name: &str, dir: &Path, klue: Option<&Path>) -> Result<Vec<PathBuf>, UserError> {
    if let Ok(mut entries) = std::fs::read_dir(dir) {
        if entries.next().is_some() {
            return Err(UserError::new(
                format!("{} exists and is not empty", dir.display()),
                "choose another --path, or remove it",
            ));
        }
    }
    std::fs::create_dir_all(dir).map_err(|err| {
        UserError::new(
            format!("cannot create {}: {err}", dir.display()),
            "check the directory's permissions",
        )
    })?;
    let (klue_path, klue_patch) = match klue {
        Some(klue) => {
            let absolute = std::fs::canonicalize(dir).map_err(|err| {
                UserError::plain(format!("cannot resolve {}: {err}", dir.display()))
            })?;
            let written = klue_path::written_path(klue, &absolute);
            let patch = klue_path::patch_lines(&written, klue_path::SERVICE_CRATES);
            (written, patch)
        }
        None => (String::new(), String::new()),
    };
    let context = Context {
        name: name.to_owned(),
        trait_name: format!("{}Api", upper_camel(name)),
        port: 8080,
        klue_version: klue_path::KLUE_VERSION.to_owned(),
        klue_path,
        klue_patch,
    };
    let mut written = Vec::new();
    for (path, template, source) in FILES {
        let text = render(template, source, &context)?;
        let path = dir.join(path.replace("{name}", name));
        write(&path, &text)?;
        written.push(path);
    }
    written.extend(lock_file(dir));
    Ok(written)
}

/// The service's own Cargo.lock, so that its first build changes nothing git tracks (and
/// `klue build` accepts the first commit). Offline: the registry index cached by installing klue
/// has what a new service needs; when it does not, the user is told what to run.
fn lock_file(dir: &Path) -> Option<PathBuf> {
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    // In `dir`, so that cargo reads the configuration (.cargo/config.toml) of where the service
    // lives, as its builds will.
    let out = Command::new(&cargo)
        .args(["generate-lockfile", "--offline", "--quiet"])
        .current_dir(dir)
        .stdin(Stdio::null())
        .output();
    match out {
        Ok(out) if out.status.success() => Some(dir.join("Cargo.lock")),
        failed => {
            let why = match failed {
                Ok(out) => String::from_utf8_lossy(&out.stderr)
                    .lines()
                    .find(|line| !line.trim().is_empty())
                    .unwrap_or("cargo failed")
                    .to_owned(),
                Err(err) => format!("cannot run cargo: {err}"),
            };
            eprintln!(
                "note: no Cargo.lock written (cargo generate-lockfile --offline: {why})\n\
                 hint: run `cargo generate-lockfile` in {} before the first commit, so that the \
                 first build leaves the git tree clean",
                dir.display()
            );
            None
        }
    }
}

fn write(path: &Path, text: &str) -> Result<(), UserError> {
    let failed = |err: std::io::Error| {
        UserError::new(
            format!("cannot write {}: {err}", path.display()),
            "check the directory's permissions",
        )
    };
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).map_err(failed)?;
    }
    std::fs::write(path, text).map_err(failed)
}

/// `my-service` -> `MyService`, as klue-codegen names the trait (`MyServiceApi`).
fn upper_camel(name: &str) -> String {
    name.split('-')
        .map(|word| {
            let mut chars = word.chars();
            chars
                .next()
                .map(|first| first.to_ascii_uppercase().to_string() + chars.as_str())
                .unwrap_or_default()
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trait_names_follow_codegen() {
        assert_eq!(upper_camel("hello"), "Hello");
        assert_eq!(upper_camel("my-service2"), "MyService2");
    }

    #[test]
    fn scaffolds_refuse_a_non_empty_directory() {
        let dir = std::env::temp_dir().join(format!("klue-new-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("x"), "").unwrap();
        let err = scaffold("hello", &dir, None).unwrap_err();
        assert!(err.message.contains("not empty"), "{}", err.message);
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
