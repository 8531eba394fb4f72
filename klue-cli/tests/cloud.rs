//! README's "Try a deploy on your machine", run as written: every line of its `sh` block, in
//! order, by bash, from an empty directory, with this build's `klue` first on PATH and nothing of
//! the outer environment's KLUE_* and AWS_* variables. Between the lines the test looks at what
//! each did:
//! - `klue cloud up`: `export` lines on stdout, a state file whose server runs, the services'
//!   ports open, no instance profile in moto's IAM (a new account); a second `up` says it is
//!   already up and prints the same lines, as does `klue cloud status`;
//! - `klue deploy --local --create-roles`: exit 0 (its acceptance tests passed against the image
//!   and the new environment), "using the local cloud" on stderr, the roles and the instance
//!   profile created (and in moto's IAM), the live URL serves the version; `klue logs --local`
//!   shows its events;
//!   `klue envs --local` lists it live, `klue deploy --local --diff` finds no change,
//!   `klue rollback --local` has nothing to roll back to, `klue cleanup --local` nothing to do;
//! - `klue cloud down`: the server, every service process and the private dockerd's containerd
//!   gone, their ports closed, the state file removed; then `down` again succeeds, `status`
//!   exits 1, and `klue envs --local` exits 2 (it never falls back to AWS).
//!
//! The commands run with AWS_PROFILE, AWS_SESSION_TOKEN and AWS credentials set to values that
//! do not work, as in a real-AWS user's shell: `--local` replaces them.
//!
//! Two concessions to running inside klue's repository: KLUE_PATH (klue's crates are not on
//! crates.io yet, so `klue new` patches them to this checkout) and CARGO_TARGET_DIR
//! `target/scaffold`, where the other deploy tests build the scaffold (its static release build
//! is shared). XDG_STATE_HOME is a temporary directory: the test's local cloud is its own. With
//! CI=true, a local cloud that cannot start is a failure, otherwise a loud skip.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use klue_testsupport::eb::cname_address;
use klue_testsupport::http::{blocking_request, get_text};
use klue_testsupport::process::{describe_run, port_open};
use klue_testsupport::{e2e_dir, is_ci};
use serde_json::Value;

const README: &str = include_str!("../../README.md");
const SECTION: &str = "## Try a deploy on your machine";

/// The commands of the section's first `sh` block (comments dropped).
fn readme_commands() -> Vec<String> {
    let section = README
        .split_once(SECTION)
        .unwrap_or_else(|| panic!("README has no section {SECTION:?}"))
        .1;
    let block = section
        .split_once("```sh\n")
        .and_then(|(_, rest)| rest.split_once("```"))
        .expect("the section has an sh block")
        .0;
    block
        .lines()
        .map(|line| line.split_once("  #").map_or(line, |(cmd, _)| cmd).trim())
        .filter(|line| !line.is_empty() && !line.starts_with('#'))
        .map(str::to_owned)
        .collect()
}

/// The test's world: a temporary directory, the variables every command gets.
struct World {
    root: PathBuf,
    cwd: PathBuf,
    env: Vec<(String, String)>,
}

/// What one command printed.
struct Run {
    code: Option<i32>,
    stdout: String,
    stderr: String,
    seconds: f64,
}

impl Run {
    fn describe(&self) -> String {
        describe_run(self.code, &self.stdout, &self.stderr)
    }
}

impl World {
    fn new() -> Self {
        let root = std::env::temp_dir().join(format!("klue-cloud-test-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&root);
        std::fs::create_dir_all(root.join("work")).unwrap();
        let bin = Path::new(env!("CARGO_BIN_EXE_klue")).parent().unwrap();
        let path = format!(
            "{}:{}",
            bin.display(),
            std::env::var("PATH").unwrap_or_default()
        );
        let mut env = vec![
            ("PATH".to_owned(), path),
            (
                "XDG_STATE_HOME".to_owned(),
                root.join("state").display().to_string(),
            ),
            (
                "KLUE_PATH".to_owned(),
                concat!(env!("CARGO_MANIFEST_DIR"), "/..").to_owned(),
            ),
            (
                "CARGO_TARGET_DIR".to_owned(),
                e2e_dir().join("../scaffold").display().to_string(),
            ),
        ];
        // A real-AWS user's shell: --local must not use (nor be disturbed by) any of it.
        for (name, value) in [
            ("AWS_PROFILE", "klue-cloud-test-no-such-profile"),
            ("AWS_SESSION_TOKEN", "not-a-session-token"),
            ("AWS_ACCESS_KEY_ID", "AKIAKLUECLOUDTEST000"),
            ("AWS_SECRET_ACCESS_KEY", "not-a-secret-access-key"),
        ] {
            env.push((name.to_owned(), value.to_owned()));
        }
        for name in ["GIT_AUTHOR", "GIT_COMMITTER"] {
            env.push((format!("{name}_NAME"), "klue".to_owned()));
            env.push((format!("{name}_EMAIL"), "klue@example.invalid".to_owned()));
        }
        World {
            cwd: root.join("work"),
            root,
            env,
        }
    }

    /// `line` run by bash in the current directory; a trailing `&& cd DIR` moves it.
    fn sh(&mut self, line: &str) -> Run {
        let mut command = Command::new("bash");
        command
            .args(["-euo", "pipefail", "-c", line])
            .current_dir(&self.cwd)
            .stdin(Stdio::null());
        for (name, _) in std::env::vars() {
            if name.starts_with("KLUE_") || name.starts_with("AWS_") || name.starts_with("DOCKER_")
            {
                command.env_remove(name);
            }
        }
        command.envs(self.env.iter().map(|(k, v)| (k, v)));
        let started = Instant::now();
        let out = command.output().expect("bash runs");
        let run = Run {
            code: out.status.code(),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
            seconds: started.elapsed().as_secs_f64(),
        };
        eprintln!("$ {line}: exit {:?} in {:.1} s", run.code, run.seconds);
        if run.code == Some(0) {
            if let Some((_, dir)) = line.rsplit_once("&& cd ") {
                self.cwd = self.cwd.join(dir.trim());
            }
        }
        run
    }

    fn state(&self) -> Option<Value> {
        let path = self.root.join("state/klue/cloud/cloud.json");
        let text = std::fs::read_to_string(path).ok()?;
        Some(serde_json::from_str(&text).expect("the state file is JSON"))
    }
}

/// Stops the test's local cloud whatever happens.
struct Down<'a>(&'a Path, Vec<(String, String)>);

impl Drop for Down<'_> {
    fn drop(&mut self) {
        let _ = Command::new(env!("CARGO_BIN_EXE_klue"))
            .args(["cloud", "down"])
            .envs(self.1.iter().map(|(k, v)| (k, v)))
            .stdin(Stdio::null())
            .output();
        let _ = std::fs::remove_dir_all(self.0);
    }
}

/// Every pid of the state (the server and its services) and the services' ports.
fn processes_and_ports(state: &Value) -> (Vec<(String, u32)>, Vec<u16>) {
    let mut pids = vec![("serve".to_owned(), state["pid"].as_u64().unwrap() as u32)];
    for process in state["processes"].as_array().unwrap() {
        pids.push((
            process[0].as_str().unwrap().to_owned(),
            process[1].as_u64().unwrap() as u32,
        ));
    }
    let ports = ["eb_endpoint", "moto_endpoint", "registry"]
        .iter()
        .map(|key| {
            let address = state[key].as_str().unwrap();
            address.rsplit_once(':').unwrap().1.parse().unwrap()
        })
        .collect();
    (pids, ports)
}

/// True when `pid` runs (not a zombie).
fn running(pid: u32) -> bool {
    std::fs::read_to_string(format!("/proc/{pid}/stat"))
        .ok()
        .and_then(|stat| Some(stat.rsplit_once(')')?.1.trim_start().chars().next()? != 'Z'))
        .unwrap_or(false)
}

#[test]
fn the_readme_local_cloud_section_deploys_and_stops_cleanly() {
    let commands = readme_commands();
    assert!(
        commands.len() <= 5 && commands[0].starts_with("klue new "),
        "{commands:?}"
    );
    let mut world = World::new();
    let _down = Down(&world.root.clone(), world.env.clone());
    let mut state = None;
    let mut timings = Vec::new();
    for line in &commands {
        let run = world.sh(line);
        timings.push(format!("{line}: {:.0} s", run.seconds));
        if line.starts_with("klue cloud up") && run.code != Some(0) && !is_ci() {
            eprintln!(
                "\n==================== SKIPPED: the local cloud test ====================\n\
                 `klue cloud up` failed (with CI=true this is a failure):\n{}\n",
                run.describe()
            );
            return;
        }
        assert_eq!(run.code, Some(0), "{line}:\n{}", run.describe());
        if line.starts_with("klue cloud up") {
            state = Some(after_up(&mut world, &run));
        } else if line.starts_with("klue deploy") {
            let up = state
                .as_ref()
                .expect("`klue cloud up` comes before the deploy");
            after_deploy(&mut world, &run, up);
        } else if line.starts_with("klue cloud down") {
            let state = state.take().expect("`klue cloud up` comes before `down`");
            after_down(&mut world, &state);
        }
    }
    assert!(state.is_none(), "the section ends with `klue cloud down`");
    eprintln!("the README's local cloud section: {}", timings.join(", "));
}

/// The cloud is up: its state, processes and ports; `up` again changes nothing.
fn after_up(world: &mut World, run: &Run) -> Value {
    let state = world.state().expect("a state file while up");
    let (pids, ports) = processes_and_ports(&state);
    assert!(pids.iter().all(|(_, pid)| running(*pid)), "{state}");
    assert!(ports.iter().all(|port| port_open(*port)), "{state}");
    for variable in ["KLUE_EB_ENDPOINT", "KLUE_REGISTRY", "AWS_ACCESS_KEY_ID"] {
        assert!(
            run.stdout.contains(&format!("export {variable}=")),
            "{}",
            run.describe()
        );
    }
    // moto's IAM starts empty, as a new account's: the deploy's --create-roles makes them.
    let profile = instance_profile(&state);
    assert_eq!(profile.status, 404, "{}", profile.text());
    let again = world.sh("klue cloud up");
    assert_eq!(again.code, Some(0), "{}", again.describe());
    assert!(again.stderr.contains("already up"), "{}", again.describe());
    assert_eq!(again.stdout, run.stdout, "the same variables");
    let status = world.sh("klue cloud status");
    assert_eq!(status.code, Some(0), "{}", status.describe());
    assert_eq!(status.stdout, run.stdout, "the same variables");
    assert_eq!(world.state().as_ref(), Some(&state));
    eprintln!(
        "klue cloud up: {:.1} s, again: {:.1} s",
        run.seconds, again.seconds
    );
    state
}

/// `GetInstanceProfile` of klue.yaml's default instance profile, in the local cloud's IAM.
fn instance_profile(state: &Value) -> klue_testsupport::http::HttpResponse {
    blocking_request(
        "POST",
        &format!("{}/", state["moto_endpoint"].as_str().unwrap()),
        &[
            ("Content-Type", "application/x-www-form-urlencoded"),
            (
                "Authorization",
                "AWS4-HMAC-SHA256 Credential=testing/20260101/us-east-1/iam/aws4_request, \
                 SignedHeaders=host, Signature=0",
            ),
        ],
        "Action=GetInstanceProfile&InstanceProfileName=aws-elasticbeanstalk-ec2-role\
         &Version=2010-05-08",
    )
    .unwrap()
}

/// The deploy went live: said where it went, the live URL serves it, `klue envs` agrees.
fn after_deploy(world: &mut World, run: &Run, state: &Value) {
    // --create-roles made the instance profile (with its role) and the service role.
    assert!(
        run.stderr.contains(
            "(created: role aws-elasticbeanstalk-ec2-role, instance profile \
             aws-elasticbeanstalk-ec2-role, role aws-elasticbeanstalk-service-role)"
        ),
        "{}",
        run.describe()
    );
    let profile = instance_profile(state);
    assert_eq!(profile.status, 200, "{}", profile.text());
    assert!(
        profile
            .text()
            .contains("<RoleName>aws-elasticbeanstalk-ec2-role</RoleName>"),
        "{}",
        profile.text()
    );
    assert!(
        run.stderr
            .contains("using the local cloud at http://127.0.0.1:"),
        "{}",
        run.describe()
    );
    let line = run
        .stderr
        .lines()
        .find(|l| l.starts_with("deployed ") && l.contains(" is live at "))
        .unwrap_or_else(|| panic!("no `deployed ... is live at` line:\n{}", run.describe()));
    let url = line.split(" is live at ").nth(1).unwrap();
    let url = url.split([';', ' ']).next().unwrap();
    let host = url.trim_start_matches("http://").trim_end_matches('/');
    let version = line
        .split_whitespace()
        .nth(2)
        .unwrap()
        .trim_end_matches(':');
    let body = get_text(&format!("http://{}/version", cname_address(host))).unwrap();
    assert!(body.contains(version), "{url}/version: {body} ({version})");
    let envs = world.sh("klue envs --local --json");
    assert_eq!(envs.code, Some(0), "{}", envs.describe());
    let listed: Value = serde_json::from_str(envs.stdout.trim()).expect("envs JSON");
    let live: Vec<&Value> = listed
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["live"] == true)
        .collect();
    assert_eq!(live.len(), 1, "{listed}");
    assert_eq!(live[0]["version"], version, "{listed}");
    // The other commands reach the local cloud too: nothing changed since the deploy, no
    // previous environment to roll back to, nothing to clean up.
    let logs = world.sh("klue logs --local");
    assert_eq!(logs.code, Some(0), "{}", logs.describe());
    assert!(
        logs.stdout.contains("Successfully launched environment"),
        "{}",
        logs.describe()
    );
    let diff = world.sh("klue deploy --local --diff");
    assert_eq!(diff.code, Some(0), "{}", diff.describe());
    let rollback = world.sh("klue rollback --local");
    assert_eq!(rollback.code, Some(2), "{}", rollback.describe());
    assert!(
        rollback.stderr.contains("no previous environment"),
        "{}",
        rollback.describe()
    );
    let cleanup = world.sh("klue cleanup --local --json");
    assert_eq!(cleanup.code, Some(0), "{}", cleanup.describe());
    let cleaned: Value = serde_json::from_str(cleanup.stdout.trim()).expect("cleanup JSON");
    assert_eq!(cleaned["environments"], serde_json::json!([]), "{cleaned}");
}

/// Everything of the cloud is gone; `down` again and `--local` say so.
fn after_down(world: &mut World, state: &Value) {
    let (pids, ports) = processes_and_ports(state);
    // The server exits after `down` returns at the latest; its services before it.
    let deadline = Instant::now() + Duration::from_secs(10);
    while pids.iter().any(|(_, pid)| running(*pid)) && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(100));
    }
    for (name, pid) in &pids {
        assert!(!running(*pid), "{name} (pid {pid}) still runs after down");
    }
    for port in &ports {
        assert!(!port_open(*port), "port {port} still open after down");
    }
    // dockerd starts containerd (and its shims) in sessions of their own: they are found by the
    // private engine's directory in their command lines.
    let engine = format!("/klue-dockerd-{}/", pids[0].1);
    let left: Vec<String> = std::fs::read_dir("/proc")
        .unwrap()
        .filter_map(|entry| entry.ok()?.file_name().to_str()?.parse::<u32>().ok())
        .filter(|pid| running(*pid))
        .filter_map(|pid| std::fs::read(format!("/proc/{pid}/cmdline")).ok())
        .map(|cmdline| String::from_utf8_lossy(&cmdline).replace('\0', " "))
        .filter(|cmdline| cmdline.contains(&engine))
        .collect();
    assert!(left.is_empty(), "the private engine left {left:?}");
    assert!(world.state().is_none(), "the state file is removed");
    let again = world.sh("klue cloud down");
    assert_eq!(again.code, Some(0), "{}", again.describe());
    assert!(again.stderr.contains("not up"), "{}", again.describe());
    let status = world.sh("klue cloud status");
    assert_eq!(status.code, Some(1), "{}", status.describe());
    let envs = world.sh("klue envs --local");
    assert_eq!(envs.code, Some(2), "{}", envs.describe());
    assert!(envs.stderr.contains("klue cloud up"), "{}", envs.describe());
}
