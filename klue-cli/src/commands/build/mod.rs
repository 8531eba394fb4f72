//! `klue build`: the service's Docker image, tagged `<repo>/<name>:<version>`.
//!
//! Default: a release binary linked statically (glibc, `+crt-static`) copied into a
//! `FROM scratch` image with the host's CA certificates and a passwd line for the non-root user
//! 65534; the version is a label and `KLUE_CONTAINER_VERSION` (what `/version` reports as
//! `container`). `--dockerfile multi-stage` renders a Dockerfile that compiles inside Docker.

mod cargo;
pub mod docker;
pub mod profile;
pub mod version;

use std::path::{Path, PathBuf};
use std::time::Instant;

use serde::Serialize;

use super::service::ServiceConfig;
use super::templates::render;
use super::UserError;
use crate::cli::{BuildArgs, BuildOptionArgs, DockerfileKind};
use profile::Profile;

const SCRATCH: &str = include_str!("../../../templates/build/Dockerfile.scratch.j2");
const MULTI_STAGE: &str = include_str!("../../../templates/build/Dockerfile.multi-stage.j2");

/// The host's CA bundle (Debian/Ubuntu/Alpine path), copied into the image.
const CA_BUNDLE: &str = "/etc/ssl/certs/ca-certificates.crt";

/// What a build made.
#[derive(Debug, Clone, Serialize)]
pub struct Built {
    /// `<repo>/<name>:<version>`.
    pub image: String,
    /// The version.
    pub version: String,
    /// The image's size in bytes.
    pub size_bytes: u64,
    /// Seconds the build took.
    pub seconds: f64,
}

/// How to build.
#[derive(Debug, Clone)]
pub struct BuildOptions {
    /// Which Dockerfile.
    pub dockerfile: DockerfileKind,
    /// The Rust target of the static binary.
    pub target: String,
    /// The cargo profile of the binary.
    pub profile: Profile,
}

impl BuildOptions {
    /// The options given on the command line.
    pub fn from_args(args: &BuildOptionArgs) -> Self {
        Self {
            dockerfile: args.dockerfile,
            target: args.target.clone(),
            profile: Profile::from_release_lto(args.release_lto),
        }
    }
}

/// `klue build`.
pub fn run(args: &BuildArgs) -> Result<(), UserError> {
    let options = &args.build;
    let dir = super::service::root(options.dir.as_deref());
    let config = ServiceConfig::load(&dir)?;
    let version = version::version(&dir, options.version_label.as_deref(), options.allow_dirty)?;
    let image = config.image(&version);
    let options = BuildOptions::from_args(options);
    let built = build(&dir, &config, &version, &image, &options)?;
    if args.json {
        println!("{}", serde_json::to_value(&built).unwrap_or_default());
    } else {
        println!("{}", built.image);
    }
    Ok(())
}

/// Builds `image` of the service in `dir` at `version`, and reports its size on stderr.
pub fn build(
    dir: &Path,
    config: &ServiceConfig,
    version: &str,
    image: &str,
    options: &BuildOptions,
) -> Result<Built, UserError> {
    let started = Instant::now();
    docker::check()?;
    let context = Context {
        name: config.name.clone(),
        binary: config.binary().to_owned(),
        version: version.to_owned(),
        port: config.port,
        target: options.target.clone(),
        rust_image_tag: "1-bookworm".to_owned(),
        cargo_profile: shell_words(&options.profile.cargo_args(dir)),
        profile_dir: options.profile.dir_name().to_owned(),
    };
    let workdir = BuildDir::new()?;
    match options.dockerfile {
        DockerfileKind::Scratch => {
            let binary =
                cargo::build_static(dir, config.binary(), &options.target, options.profile)?;
            workdir.copy(&binary, config.binary())?;
            workdir.copy(Path::new(CA_BUNDLE), "ca-certificates.crt")?;
            workdir.write("passwd", "nobody:x:65534:65534:nobody:/:/sbin/nologin\n")?;
            workdir.write("group", "nogroup:x:65534:\n")?;
            workdir.write(
                "Dockerfile",
                &render("Dockerfile.scratch", SCRATCH, &context)?,
            )?;
            let path = workdir.path.to_string_lossy().into_owned();
            docker::stream(&["build", "--tag", image, &path], "build the image")?;
        }
        DockerfileKind::MultiStage => {
            let text = render("Dockerfile.multi-stage", MULTI_STAGE, &context)?;
            workdir.write("Dockerfile", &text)?;
            let dockerfile = workdir
                .path
                .join("Dockerfile")
                .to_string_lossy()
                .into_owned();
            let context_dir = dir.to_string_lossy().into_owned();
            docker::stream(
                &["build", "--file", &dockerfile, "--tag", image, &context_dir],
                "build the image",
            )?;
        }
    }
    let size_bytes = docker::image_size(image)?;
    let seconds = started.elapsed().as_secs_f64();
    eprintln!(
        "built {image}: {} in {seconds:.1}s",
        docker::human_size(size_bytes)
    );
    Ok(Built {
        image: image.to_owned(),
        version: version.to_owned(),
        size_bytes,
        seconds,
    })
}

/// What the Dockerfile templates see.
#[derive(Debug, Serialize)]
struct Context {
    name: String,
    binary: String,
    version: String,
    port: u16,
    target: String,
    rust_image_tag: String,
    /// cargo's profile arguments, quoted for a shell.
    cargo_profile: String,
    /// `target/<triple>/<profile_dir>/`.
    profile_dir: String,
}

/// `args` quoted for a POSIX shell (single quotes where needed).
fn shell_words(args: &[String]) -> String {
    args.iter()
        .map(|arg| {
            if arg
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "-_.=/".contains(c))
            {
                arg.clone()
            } else {
                format!("'{}'", arg.replace('\'', "'\\''"))
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// The docker build context of a scratch build, removed when dropped.
#[derive(Debug)]
struct BuildDir {
    path: PathBuf,
}

impl BuildDir {
    fn new() -> Result<Self, UserError> {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.subsec_nanos())
            .unwrap_or(0);
        let path = std::env::temp_dir().join(format!("klue-build-{}-{nanos}", std::process::id()));
        std::fs::create_dir_all(&path)
            .map_err(|err| UserError::plain(format!("cannot create {}: {err}", path.display())))?;
        Ok(BuildDir { path })
    }

    fn write(&self, name: &str, text: &str) -> Result<(), UserError> {
        let path = self.path.join(name);
        std::fs::write(&path, text)
            .map_err(|err| UserError::plain(format!("cannot write {}: {err}", path.display())))
    }

    fn copy(&self, from: &Path, name: &str) -> Result<(), UserError> {
        std::fs::copy(from, self.path.join(name))
            .map(drop)
            .map_err(|err| {
                let hint = if from == Path::new(CA_BUNDLE) {
                    "install the CA certificates (Debian: apt-get install ca-certificates)"
                } else {
                    "check that the file exists"
                };
                UserError::new(format!("cannot copy {}: {err}", from.display()), hint)
            })
    }
}

impl Drop for BuildDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.path);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn context() -> Context {
        Context {
            name: "hello".into(),
            binary: "hello".into(),
            version: "261123-0107-3-abc1234".into(),
            port: 8080,
            target: "x86_64-unknown-linux-gnu".into(),
            rust_image_tag: "1-bookworm".into(),
            cargo_profile: shell_words(&[
                "--profile".into(),
                "image".into(),
                "--config".into(),
                "profile.image.inherits=\"release\"".into(),
            ]),
            profile_dir: "image".into(),
        }
    }

    #[test]
    fn scratch_dockerfile_has_only_the_binary_certificates_and_user() {
        let text = render("scratch", SCRATCH, context()).unwrap();
        assert!(text.contains("FROM scratch\n"), "{text}");
        assert!(text.contains("USER 65534:65534\n"), "{text}");
        assert!(text.contains("EXPOSE 8080\n"), "{text}");
        assert!(
            text.contains("KLUE_CONTAINER_VERSION=261123-0107-3-abc1234"),
            "{text}"
        );
        assert!(text.contains("ENTRYPOINT [\"/hello\"]"), "{text}");
        assert_eq!(text.matches("COPY ").count(), 3, "{text}");
    }

    #[test]
    fn multi_stage_dockerfile_compiles_then_ships_scratch() {
        let text = render("multi", MULTI_STAGE, context()).unwrap();
        assert!(text.contains("FROM rust:1-bookworm AS build"), "{text}");
        assert!(
            text.contains("--target x86_64-unknown-linux-gnu --bin hello"),
            "{text}"
        );
        assert!(
            text.contains(
                "cargo build --locked --profile image --config 'profile.image.inherits=\"release\"' \\\n"
            ),
            "{text}"
        );
        assert!(
            text.contains("cp target/x86_64-unknown-linux-gnu/image/hello /hello"),
            "{text}"
        );
        assert!(text.contains("\nFROM scratch\n"), "{text}");
        assert!(text.contains("USER 65534:65534"), "{text}");
    }
}
