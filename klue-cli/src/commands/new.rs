//! `klue new NAME`: a service crate that builds and passes its acceptance tests right away.

use std::path::{Path, PathBuf};

use serde::Serialize;

use super::service::valid_name;
use super::templates::{quoted, render};
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
    klue_path: String,
    klue_path_toml: String,
    klue_path_shell: String,
    klue_core_toml: String,
    klue_codegen_toml: String,
    testaccept_toml: String,
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
    let klue = klue_checkout(args.klue_path.as_deref())?;
    let written = scaffold(&args.name, &dir, &klue)?;
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

/// The klue checkout the service's path dependencies point at: `--klue-path`, else the source
/// tree this klue was built from.
fn klue_checkout(given: Option<&Path>) -> Result<PathBuf, UserError> {
    let (path, how) = match given {
        Some(path) => (path.to_path_buf(), "--klue-path"),
        None => (
            Path::new(env!("CARGO_MANIFEST_DIR")).join(".."),
            "the source tree klue was built from",
        ),
    };
    let core = path.join("klue-core").join("Cargo.toml");
    if !core.is_file() {
        return Err(UserError::new(
            format!(
                "{} ({how}) is not a klue checkout: there is no {}",
                path.display(),
                core.display()
            ),
            "klue's crates are not on crates.io yet: pass --klue-path DIR, DIR a checkout of klue",
        ));
    }
    std::fs::canonicalize(&path)
        .map_err(|err| UserError::plain(format!("cannot resolve {}: {err}", path.display())))
}

/// Writes the scaffold of `name` into `dir` (which must not exist, or be empty), with path
/// dependencies on the klue checkout `klue`. Returns the files written.
pub fn scaffold(name: &str, dir: &Path, klue: &Path) -> Result<Vec<PathBuf>, UserError> {
    if let Ok(mut entries) = std::fs::read_dir(dir) {
        if entries.next().is_some() {
            return Err(UserError::new(
                format!("{} exists and is not empty", dir.display()),
                "choose another --path, or remove it",
            ));
        }
    }
    let klue_text = klue.display().to_string();
    let context = Context {
        name: name.to_owned(),
        trait_name: format!("{}Api", upper_camel(name)),
        port: 8080,
        klue_path_toml: quoted(&klue_text),
        klue_path_shell: quoted(&klue_text),
        klue_core_toml: quoted(&klue.join("klue-core").display().to_string()),
        klue_codegen_toml: quoted(&klue.join("klue-codegen").display().to_string()),
        testaccept_toml: quoted(&klue.join("testaccept").display().to_string()),
        klue_path: klue_text,
    };
    let mut written = Vec::new();
    for (path, template, source) in FILES {
        let text = render(template, source, &context)?;
        let path = dir.join(path.replace("{name}", name));
        write(&path, &text)?;
        written.push(path);
    }
    // The versions klue itself is built and tested with, rather than whatever is newest today;
    // cargo drops the entries the service does not use on its first build.
    let lock = klue.join("Cargo.lock");
    if lock.is_file() {
        let target = dir.join("Cargo.lock");
        std::fs::copy(&lock, &target)
            .map_err(|err| UserError::plain(format!("cannot copy {}: {err}", lock.display())))?;
        written.push(target);
    }
    Ok(written)
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
        let klue = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
        let err = scaffold("hello", &dir, &klue).unwrap_err();
        assert!(err.message.contains("not empty"), "{}", err.message);
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
