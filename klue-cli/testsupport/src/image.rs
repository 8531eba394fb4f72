//! Static builds and `FROM scratch` images for tests that need a real service image without
//! pulling anything from the internet.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::docker::DockerEngine;
use crate::process::run;
use crate::SetupError;

/// The target static builds are made for.
pub const STATIC_TARGET: &str = "x86_64-unknown-linux-gnu";

/// The std-only test service of `fixtures/ping_service.rs` (answers `/ping` and `/version`
/// with `$KLUE_CONTAINER_VERSION`), compiled with `rustc` as a static binary into `out_dir`:
/// seconds, where a klue service's static release build takes minutes.
pub fn ping_service(out_dir: &Path) -> Result<PathBuf, SetupError> {
    std::fs::create_dir_all(out_dir)
        .map_err(|err| SetupError::new(format!("{}: {err}", out_dir.display())))?;
    let source = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/ping_service.rs");
    let binary = out_dir.join("ping-service");
    let rustc = std::env::var("RUSTC").unwrap_or_else(|_| "rustc".to_owned());
    run(
        "rustc (static ping-service)",
        Command::new(rustc)
            .args([
                "--edition",
                "2021",
                "-O",
                "-C",
                "target-feature=+crt-static",
            ])
            .args(["--target", STATIC_TARGET, "-o"])
            .arg(&binary)
            .arg(&source),
    )?;
    Ok(binary)
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
