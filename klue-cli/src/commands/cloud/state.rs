//! The local cloud's state file (`cloud.json` in the state directory): which process serves it,
//! the processes it started, its endpoints and the variables that point klue at it.
//!
//! The file exists exactly while `klue cloud serve` has its services up: the server writes it
//! (atomically) once everything answers and removes it when it stops. A file whose server is gone
//! (killed, machine rebooted) is stale: `up`, `down` and `--local` check the process first.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use serde::{Deserialize, Serialize};

use crate::commands::UserError;

/// The state file's name in [`dir`].
const FILE: &str = "cloud.json";

/// The JWT secret the local cloud offers when KLUE_JWT_SECRET is not set: the acceptance tests
/// mint their token with it and the deploy passes it to the environment. Only ever used with
/// the local cloud.
pub const LOCAL_JWT_SECRET: &str = "klue-local-cloud-jwt-secret-for-trying-only";

/// What a running local cloud is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct State {
    /// The `klue cloud serve` process (its own process group).
    pub pid: u32,
    /// When it came up, seconds since 1970.
    pub started: u64,
    /// The services' processes it started, (program, pid), each the leader of its own group.
    pub processes: Vec<(String, u32)>,
    /// The Elastic Beanstalk emulator's endpoint URL.
    pub eb_endpoint: String,
    /// moto's endpoint URL (S3, ECR, STS, IAM).
    pub moto_endpoint: String,
    /// The registry's `127.0.0.1:PORT`.
    pub registry: String,
    /// Variables set for klue (and docker) while it uses the local cloud.
    pub env: Vec<(String, String)>,
}

/// Variables removed while klue uses the local cloud: real credentials and endpoints must never
/// reach it, nor its test credentials AWS.
pub const REMOVED: &[&str] = &[
    "AWS_PROFILE",
    "AWS_SESSION_TOKEN",
    "AWS_ENDPOINT_URL",
    "AWS_ENDPOINT_URL_ELASTIC_BEANSTALK",
    "AWS_ENDPOINT_URL_ECR",
    "AWS_ENDPOINT_URL_S3",
    "AWS_ENDPOINT_URL_STS",
    "AWS_ENDPOINT_URL_IAM",
];

/// Variables given a value only when they are not set: (name, value).
pub fn defaults() -> [(&'static str, &'static str); 2] {
    [
        // The emulator is quick: look at new environments every second, not every 10.
        ("KLUE_POLL_INTERVAL", "1"),
        ("KLUE_JWT_SECRET", LOCAL_JWT_SECRET),
    ]
}

/// The directory of the state file and the services' logs: `$XDG_STATE_HOME/klue/cloud`, or
/// `~/.local/state/klue/cloud` (the XDG default).
pub fn dir() -> Result<PathBuf, UserError> {
    let base = match std::env::var_os("XDG_STATE_HOME").filter(|v| !v.is_empty()) {
        Some(state) => PathBuf::from(state),
        None => match std::env::var_os("HOME").filter(|v| !v.is_empty()) {
            Some(home) => PathBuf::from(home).join(".local").join("state"),
            None => return Err(UserError::new(
                "neither XDG_STATE_HOME nor HOME is set: nowhere to keep the local cloud's state",
                "set XDG_STATE_HOME (or HOME)",
            )),
        },
    };
    Ok(base.join("klue").join("cloud"))
}

impl State {
    /// The state in `dir`, if the file exists.
    pub fn read(dir: &Path) -> Result<Option<State>, UserError> {
        let path = dir.join(FILE);
        let text = match std::fs::read_to_string(&path) {
            Ok(text) => text,
            Err(err) if err.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(err) => return Err(UserError::plain(format!("{}: {err}", path.display()))),
        };
        serde_json::from_str(&text).map(Some).map_err(|err| {
            UserError::new(
                format!("{}: not a local cloud state: {err}", path.display()),
                "stop what runs with `klue cloud down`, or remove the file",
            )
        })
    }

    /// Writes the state to `dir` (a temporary file renamed: readers never see half of it).
    pub fn write(&self, dir: &Path) -> Result<(), UserError> {
        let path = dir.join(FILE);
        let temporary = dir.join(format!("{FILE}.{}", std::process::id()));
        let text = serde_json::to_string_pretty(self).unwrap_or_default();
        std::fs::write(&temporary, text)
            .and_then(|()| std::fs::rename(&temporary, &path))
            .map_err(|err| UserError::plain(format!("writing {}: {err}", path.display())))
    }

    /// Removes the state file of `dir` (none is fine).
    pub fn remove(dir: &Path) {
        let _ = std::fs::remove_file(dir.join(FILE));
    }

    /// True when its `klue cloud serve` still runs.
    pub fn serving(&self) -> bool {
        alive(self.pid, "serve")
    }

    /// The ports its services listen on (EB, moto, registry).
    pub fn ports(&self) -> Vec<u16> {
        [&self.eb_endpoint, &self.moto_endpoint, &self.registry]
            .iter()
            .filter_map(|address| address.rsplit_once(':')?.1.parse().ok())
            .collect()
    }

    /// The variables as shell lines for `eval "$(klue cloud up)"`: the removed ones unset, the
    /// defaults kept when set.
    pub fn exports(&self) -> String {
        let mut text = format!(
            "# the local cloud of `klue cloud up` (pid {}); `klue cloud down` stops it\n\
             unset {}\n",
            self.pid,
            REMOVED.join(" ")
        );
        for (name, value) in &self.env {
            text.push_str(&format!("export {name}={}\n", quote(value)));
        }
        for (name, value) in defaults() {
            text.push_str(&format!("export {name}=\"${{{name}:-{value}}}\"\n"));
        }
        text
    }

    /// The value of one of its variables.
    pub fn var(&self, name: &str) -> Option<&str> {
        self.env
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }
}

/// `value` in single quotes for a POSIX shell.
fn quote(value: &str) -> String {
    format!("'{}'", value.replace('\'', r"'\''"))
}

/// True when process `pid` runs (not a zombie) and its command line contains `word`: a pid the
/// system gave to another program since is not ours to signal.
pub fn alive(pid: u32, word: &str) -> bool {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
    // `pid (comm) S ...`: the state follows the last `)`.
    let running = stat
        .rsplit_once(')')
        .is_some_and(|(_, rest)| !rest.trim_start().starts_with(['Z', 'X']));
    let cmdline = std::fs::read(format!("/proc/{pid}/cmdline")).unwrap_or_default();
    running && String::from_utf8_lossy(&cmdline).contains(word)
}

/// Sends `signal` to process `pid` (`group`: to its whole process group), through the kill
/// command: the workspace forbids `unsafe` (libc::kill).
pub fn signal(signal: &str, pid: u32, group: bool) {
    let target = if group {
        format!("-{pid}")
    } else {
        pid.to_string()
    };
    let _ = Command::new("kill")
        .args([&format!("-{signal}"), "--", &target])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status();
}

#[cfg(test)]
mod tests {
    use super::*;

    fn state() -> State {
        State {
            pid: 42,
            started: 0,
            processes: vec![("moto_server".into(), 43)],
            eb_endpoint: "http://127.0.0.1:4001".into(),
            moto_endpoint: "http://127.0.0.1:4002".into(),
            registry: "127.0.0.1:4003".into(),
            env: vec![("DOCKER_CONFIG".into(), "/a b/it's".into())],
        }
    }

    #[test]
    fn exports_quote_values_and_keep_set_defaults() {
        let text = state().exports();
        assert!(
            text.contains("export DOCKER_CONFIG='/a b/it'\\''s'\n"),
            "{text}"
        );
        assert!(
            text.contains("unset AWS_PROFILE AWS_SESSION_TOKEN"),
            "{text}"
        );
        assert!(
            text.contains("export KLUE_POLL_INTERVAL=\"${KLUE_POLL_INTERVAL:-1}\"\n"),
            "{text}"
        );
    }

    #[test]
    fn ports_come_from_the_endpoints() {
        assert_eq!(state().ports(), [4001, 4002, 4003]);
    }

    #[test]
    fn written_state_reads_back_and_goes() {
        let dir = std::env::temp_dir().join(format!("klue-cloud-state-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        assert_eq!(State::read(&dir).unwrap(), None);
        state().write(&dir).unwrap();
        assert_eq!(State::read(&dir).unwrap(), Some(state()));
        State::remove(&dir);
        assert_eq!(State::read(&dir).unwrap(), None);
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn only_a_running_process_with_the_word_is_alive() {
        let me = std::process::id();
        assert!(alive(me, ""));
        assert!(!alive(me, "no-such-word-in-a-test-command-line"));
        assert!(!alive(u32::MAX, ""));
    }
}
