//! `klue build`: the image of a new service runs and reports its version in /version.
//!
//! Needs a Docker engine: the one DOCKER_HOST (or the default socket) names, else a `dockerd`
//! started for this test on its own socket (`--iptables=false --bridge=none`: containers use the
//! host network). With CI=true, no docker at all is a failure, never a skip.

use std::io::{Read, Write};
use std::net::{Ipv4Addr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

fn scaffold_target_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../target/scaffold")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// A docker engine for the test: DOCKER_HOST's value to use, and the dockerd to stop.
struct Docker {
    host: Option<String>,
    daemon: Option<Child>,
    root: Option<PathBuf>,
}

impl Drop for Docker {
    fn drop(&mut self) {
        if let Some(daemon) = &mut self.daemon {
            let _ = Command::new("kill").arg(daemon.id().to_string()).status();
            let _ = daemon.wait();
        }
        if let Some(root) = &self.root {
            let _ = std::fs::remove_dir_all(root);
        }
    }
}

fn docker_works(host: Option<&str>) -> bool {
    let mut command = Command::new("docker");
    command.args(["version", "--format", "{{.Server.Version}}"]);
    if let Some(host) = host {
        command.env("DOCKER_HOST", host);
    }
    command
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

/// The running engine, or one started here; None (a skip) only outside CI.
fn docker() -> Option<Docker> {
    if docker_works(None) {
        return Some(Docker {
            host: None,
            daemon: None,
            root: None,
        });
    }
    let ci = std::env::var("CI").is_ok_and(|v| v == "true");
    // A fresh machine may lack the engine: install Debian's, as the deploy test's setup does.
    let installed = klue_testsupport::install::ensure_apt("dockerd", "docker.io");
    let has_dockerd = Command::new("dockerd")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    if !has_dockerd {
        assert!(
            !ci,
            "CI=true and no docker engine nor dockerd (installing docker.io: {installed:?})"
        );
        eprintln!("SKIPPED: no docker engine and no dockerd");
        return None;
    }
    let root = std::env::temp_dir().join(format!("klue-dockerd-{}", std::process::id()));
    std::fs::create_dir_all(&root).unwrap();
    let socket = root.join("docker.sock");
    let host = format!("unix://{}", socket.display());
    let log = std::fs::File::create(root.join("dockerd.log")).unwrap();
    let daemon = Command::new("dockerd")
        .args([
            "--iptables=false",
            "--ip6tables=false",
            "--bridge=none",
            "--host",
            &host,
        ])
        .arg("--data-root")
        .arg(root.join("data"))
        .arg("--exec-root")
        .arg(root.join("exec"))
        .arg("--pidfile")
        .arg(root.join("dockerd.pid"))
        .stdout(Stdio::null())
        .stderr(log)
        .spawn()
        .expect("dockerd starts");
    let docker = Docker {
        host: Some(host.clone()),
        daemon: Some(daemon),
        root: Some(root.clone()),
    };
    let deadline = Instant::now() + Duration::from_secs(60);
    while !docker_works(Some(&host)) {
        assert!(
            Instant::now() < deadline,
            "dockerd did not answer in 60s: {}",
            std::fs::read_to_string(root.join("dockerd.log")).unwrap_or_default()
        );
        std::thread::sleep(Duration::from_millis(300));
    }
    Some(docker)
}

fn run(dir: &Path, program: &str, args: &[&str], docker: &Docker) -> Output {
    let mut command = Command::new(program);
    command.args(args).current_dir(dir).stdin(Stdio::null());
    command.env("CARGO_TARGET_DIR", scaffold_target_dir());
    if let Some(host) = &docker.host {
        command.env("DOCKER_HOST", host);
    }
    command.output().expect("runs")
}

fn git(dir: &Path, args: &[&str]) {
    let status = Command::new("git")
        .args([
            "-c",
            "user.name=klue",
            "-c",
            "user.email=klue@example.invalid",
        ])
        .args(args)
        .current_dir(dir)
        .status()
        .expect("git runs");
    assert!(status.success(), "git {args:?}");
}

fn http_get(port: u16, path: &str, wait: Duration) -> String {
    let deadline = Instant::now() + wait;
    loop {
        let attempt = (|| -> std::io::Result<String> {
            let mut stream = TcpStream::connect((Ipv4Addr::LOCALHOST, port))?;
            stream.set_read_timeout(Some(Duration::from_secs(5)))?;
            write!(
                stream,
                "GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"
            )?;
            let mut response = String::new();
            stream.read_to_string(&mut response)?;
            Ok(response)
        })();
        match attempt {
            Ok(response) if response.starts_with("HTTP/1.1 200") => {
                return response.split("\r\n\r\n").nth(1).unwrap_or("").to_owned();
            }
            other => {
                assert!(
                    Instant::now() < deadline,
                    "GET {path} on port {port}: {other:?}"
                );
                std::thread::sleep(Duration::from_millis(200));
            }
        }
    }
}

#[test]
fn the_image_of_a_new_service_runs_and_reports_its_version() {
    let Some(docker) = docker() else { return };
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .subsec_nanos();
    let temp = std::env::temp_dir().join(format!("klue-image-{}-{nanos}", std::process::id()));
    std::fs::create_dir_all(&temp).unwrap();
    let dir = temp.join("imaged");
    let klue = env!("CARGO_BIN_EXE_klue");
    let out = run(
        &temp,
        klue,
        &[
            "new",
            "imaged",
            "--path",
            dir.to_str().unwrap(),
            // klue's crates are not on crates.io yet: this checkout's.
            "--klue-path",
            concat!(env!("CARGO_MANIFEST_DIR"), "/.."),
        ],
        &docker,
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    std::fs::write(
        dir.join("klue.yaml"),
        "name: imaged\nport: 8080\ndocker:\n  repo: klue-test.invalid/team\n",
    )
    .unwrap();
    git(&dir, &["init", "-q"]);
    git(&dir, &["add", "-A"]);
    git(&dir, &["commit", "-q", "-m", "imaged"]);

    let started = Instant::now();
    let out = run(&dir, klue, &["build", "--json"], &docker);
    let seconds = started.elapsed().as_secs_f64();
    let stderr = text(&out.stderr);
    assert!(out.status.success(), "klue build: {stderr}");
    let built: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
    let version = built["version"].as_str().unwrap().to_owned();
    let image = built["image"].as_str().unwrap().to_owned();
    assert_eq!(image, format!("klue-test.invalid/team/imaged:{version}"));
    let parts: Vec<&str> = version.split('-').collect();
    assert_eq!(parts.len(), 4, "{version}");
    assert_eq!(
        (parts[0].len(), parts[1].len(), parts[2]),
        (6, 4, "1"),
        "{version}"
    );
    assert!(stderr.contains(&format!("built {image}: ")), "{stderr}");
    let size = built["size_bytes"].as_u64().unwrap();
    eprintln!("image {image}: {size} bytes, built in {seconds:.1}s");
    assert!(
        size < 40_000_000,
        "a FROM scratch image of one binary: {size} bytes"
    );

    let inspect = run(
        &dir,
        "docker",
        &[
            "image", "inspect", "--format",
            "{{.Config.User}}|{{json .Config.ExposedPorts}}|{{index .Config.Labels \"io.klue.version\"}}|{{len .RootFS.Layers}}",
            &image,
        ],
        &docker,
    );
    assert_eq!(
        text(&inspect.stdout).trim(),
        format!("65534:65534|{{\"8080/tcp\":{{}}}}|{version}|3"),
        "{}",
        text(&inspect.stderr)
    );

    let port = TcpListener::bind((Ipv4Addr::LOCALHOST, 0))
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let name = format!("klue-image-test-{}", std::process::id());
    let out = run(
        &dir,
        "docker",
        &[
            "run",
            "-d",
            "--rm",
            "--name",
            &name,
            "--network",
            "host",
            "-e",
            &format!("PORT={port}"),
            &image,
        ],
        &docker,
    );
    assert!(out.status.success(), "docker run: {}", text(&out.stderr));
    let body = http_get(port, "/version", Duration::from_secs(30));
    let _ = run(&dir, "docker", &["rm", "--force", &name], &docker);
    let _ = run(&dir, "docker", &["rmi", &image], &docker);
    let _ = std::fs::remove_dir_all(&temp);
    let version_json: serde_json::Value = serde_json::from_str(&body).expect("JSON /version");
    assert_eq!(version_json["container"], version.as_str(), "{body}");
    assert_eq!(version_json["name"], "imaged", "{body}");
}
