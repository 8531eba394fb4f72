//! Installing a missing tool with the machine's package clients (apt-get, pip), once.

use std::process::Command;
use std::sync::Mutex;

use crate::process::{on_path, run};
use crate::SetupError;

/// One `apt-get update` per test process is enough.
static APT_UPDATED: Mutex<bool> = Mutex::new(false);

/// Makes sure `program` is on PATH, installing Debian's `package` when it is not.
pub fn ensure_apt(program: &str, package: &str) -> Result<(), SetupError> {
    if on_path(program) {
        return Ok(());
    }
    eprintln!("klue-testsupport: {program} is missing, installing the Debian package {package}");
    let mut updated = APT_UPDATED
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    // Another apt-get on the machine holds the dpkg lock for a while at most: wait for it.
    let lock_wait = "DPkg::Lock::Timeout=300";
    if !*updated {
        run(
            "apt-get update",
            Command::new("apt-get").args(["-o", lock_wait, "update", "-q"]),
        )?;
        *updated = true;
    }
    run(
        &format!("apt-get install {package}"),
        Command::new("apt-get")
            .args([
                "-o",
                lock_wait,
                "install",
                "-y",
                "-q",
                "--no-install-recommends",
                package,
            ])
            .env("DEBIAN_FRONTEND", "noninteractive"),
    )?;
    if on_path(program) {
        Ok(())
    } else {
        Err(SetupError::new(format!(
            "installed {package} but {program} is still not on PATH"
        )))
    }
}

/// Makes sure `program` is on PATH, installing the Python `requirement` with pip when it is not.
pub fn ensure_pip(program: &str, requirement: &str) -> Result<(), SetupError> {
    if on_path(program) {
        return Ok(());
    }
    eprintln!("klue-testsupport: {program} is missing, installing {requirement} with pip");
    run(
        &format!("pip install {requirement}"),
        Command::new("python3").args(["-m", "pip", "install", "-q", requirement]),
    )?;
    if on_path(program) {
        Ok(())
    } else {
        Err(SetupError::new(format!(
            "installed {requirement} but {program} is still not on PATH"
        )))
    }
}
