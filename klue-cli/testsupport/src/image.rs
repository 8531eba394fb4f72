//! Static builds and `FROM scratch` images for tests that need a real service image without
//! pulling anything from the internet.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::docker::DockerEngine;
use crate::process::run;
use crate::SetupError;

/// The target static builds are made for.
pub const STATIC_TARGET: &str = "x86_64-unknown-linux-gnu";

/// Builds `package` of the workspace as a statically linked release binary into
/// `target_dir` (a directory of its own, so the outer `cargo test` lock is not in the way).
pub fn build_static(package: &str, target_dir: &Path) -> Result<PathBuf, SetupError> {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
    eprintln!(
        "klue-testsupport: building {package} (static, release) into {} ...",
        target_dir.display()
    );
    run(
        &format!("static release build of {package}"),
        Command::new(cargo)
            .current_dir(crate::workspace_root())
            .args([
                "build",
                "--release",
                "--locked",
                "-p",
                package,
                "--target",
                STATIC_TARGET,
            ])
            .arg("--target-dir")
            .arg(target_dir)
            .env("RUSTFLAGS", "-C target-feature=+crt-static"),
    )?;
    Ok(target_dir.join(STATIC_TARGET).join("release").join(package))
}

/// Builds a `FROM scratch` image `tag` holding only `binary`, run as a non-root user, with the
/// given `ENV`s.
pub fn scratch_image(
    docker: &DockerEngine,
    binary: &Path,
    tag: &str,
    env: &[(&str, &str)],
    context_dir: &Path,
) -> Result<(), SetupError> {
    std::fs::create_dir_all(context_dir)
        .map_err(|err| SetupError::new(format!("{}: {err}", context_dir.display())))?;
    std::fs::copy(binary, context_dir.join("service"))
        .map_err(|err| SetupError::new(format!("copying {}: {err}", binary.display())))?;
    let mut dockerfile = String::from("FROM scratch\nCOPY service /service\n");
    for (name, value) in env {
        dockerfile.push_str(&format!("ENV {name}={value}\n"));
    }
    dockerfile.push_str("USER 65534:65534\nEXPOSE 8080\nENTRYPOINT [\"/service\"]\n");
    std::fs::write(context_dir.join("Dockerfile"), dockerfile)
        .map_err(|err| SetupError::new(format!("{}: {err}", context_dir.display())))?;
    run(
        &format!("docker build {tag}"),
        docker
            .command()
            .args(["build", "-q", "-t", tag])
            .arg(context_dir)
            .env("DOCKER_BUILDKIT", "0"),
    )?;
    Ok(())
}
