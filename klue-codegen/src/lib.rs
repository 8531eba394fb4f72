#![doc = include_str!("../README.md")]
#![warn(missing_docs)]
//!
//! and in the service:
//!
//! ```ignore
//! mod api {
//!     klue_core::include_api!("helloworld");
//! }
//! ```
//!
//! For each spec `apis/NAME.yaml` it writes `NAME.rs` into `OUT_DIR`: serde types for the
//! schemas (with the validation rules the spec states), a request struct and a response enum
//! per operation, a trait `NameApi` with one async method per operation, and `router()`, which
//! binds an implementation of the trait to a `klue_core::ApiRouter`. The output is formatted
//! and deterministic. A spec with problems gives [`Error::Spec`], listing every problem with
//! its file, line, column and JSON pointer.

mod diagnostics;
mod emit;
mod keywords;
mod locate;
mod model;
mod naming;
mod read;

use std::fmt;
use std::path::{Path, PathBuf};

pub use diagnostics::{AsWarning, Diagnostic, Diagnostics, Severity};
pub use locate::Position;

/// Why code could not be generated.
#[derive(thiserror::Error)]
pub enum Error {
    /// A spec or the output could not be read or written.
    #[error("{}: {source}", .path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// The OS error.
        source: std::io::Error,
    },
    /// The spec has problems; every one found is listed.
    #[error("{0}")]
    Spec(Diagnostics),
    /// No output directory: not run from a build script and none configured.
    #[error("OUT_DIR is not set: call klue_codegen from build.rs, or set Builder::out_dir")]
    NoOutDir,
    /// Two specs would write the same output file.
    #[error("specs {} and {} both generate {name}.rs; rename one", .first.display(), .second.display())]
    NameClash {
        /// The shared stem.
        name: String,
        /// The first spec.
        first: PathBuf,
        /// The second spec.
        second: PathBuf,
    },
    /// A bug in klue-codegen: the generated tokens do not parse.
    #[error("internal error in klue-codegen while generating {}: {message}", .file.display())]
    Internal {
        /// The spec.
        file: PathBuf,
        /// What went wrong.
        message: String,
    },
}

// `fn main() -> Result<(), Box<dyn Error>>` in build.rs prints errors with Debug: show the
// readable form there too.
impl fmt::Debug for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

/// A builder with the defaults: output to `OUT_DIR`, `cargo:rerun-if-changed` lines emitted,
/// server and client both generated.
pub fn configure() -> Builder {
    Builder {
        out_dir: None,
        emit_rerun_if_changed: true,
        build_server: true,
        build_client: true,
        default_stubs: false,
        opaque_bearer: Vec::new(),
        typed_formats: true,
    }
}

/// Configures and runs code generation.
#[derive(Debug, Clone)]
pub struct Builder {
    out_dir: Option<PathBuf>,
    emit_rerun_if_changed: bool,
    build_server: bool,
    build_client: bool,
    default_stubs: bool,
    opaque_bearer: Vec<String>,
    typed_formats: bool,
}

impl Builder {
    /// Where to write the generated files. Default: the `OUT_DIR` cargo gives build scripts.
    pub fn out_dir(mut self, dir: impl Into<PathBuf>) -> Self {
        self.out_dir = Some(dir.into());
        self
    }

    /// Whether to print `cargo:rerun-if-changed=<spec>` for each spec. Default: true.
    pub fn emit_rerun_if_changed(mut self, emit: bool) -> Self {
        self.emit_rerun_if_changed = emit;
        self
    }

    /// Whether to generate the server side: the `{Api}Api` trait, the `{Op}Request` types and
    /// `router()`. Default: true.
    pub fn build_server(mut self, build: bool) -> Self {
        self.build_server = build;
        self
    }

    /// Whether to generate the client side: `{Api}Client` and the `{Op}Params` types.
    /// Default: true.
    pub fn build_client(mut self, build: bool) -> Self {
        self.build_client = build;
        self
    }

    /// Whether every method of the `{Api}Api` trait gets a default body answering 501
    /// `NOT_IMPLEMENTED` (the klue error envelope naming the operation), so that an
    /// implementation compiles with only the operations written so far: `impl PetsApi for
    /// Service {}` serves every route. Default: false (every method must be written, and the
    /// compiler lists the missing ones). The name is tonic-build's.
    pub fn generate_default_stubs(mut self, stubs: bool) -> Self {
        self.default_stubs = stubs;
        self
    }

    /// Hands the bearer tokens of the security scheme `scheme` (`http: bearer`, `oauth2` or
    /// `openIdConnect`) to the handler as a `klue::BearerToken`, or to the verifier the service
    /// registers with `ApiRouter::bearer_verifier`, rather than verifying them as klue's JWTs:
    /// for API keys sent as `Authorization: Bearer sk_...`. A bearer scheme whose
    /// `bearerFormat` is not `JWT` is opaque without this. A name that is not such a scheme of
    /// the spec is an error. Repeat for several schemes.
    pub fn opaque_bearer(mut self, scheme: impl Into<String>) -> Self {
        self.opaque_bearer.push(scheme.into());
        self
    }

    /// Whether strings of format `date-time`, `date` and `uuid` are typed values:
    /// `klue::DateTime` (a `chrono::DateTime<FixedOffset>`, the offset as sent), `klue::Date`
    /// (a `chrono::NaiveDate`) and `klue::Uuid` (a `uuid::Uuid`), from `klue_core::formats`,
    /// rather than `String`. They are read by the same parser the validator checks with: a
    /// malformed value is still a 400 naming its JSON pointer or parameter. A string with a
    /// length or a `pattern` besides its format stays a `String` (those are checked on its
    /// text). Default: true: on GitHub's spec (1,119 such schemas) the generated code is 0.04%
    /// larger and builds within the noise of the untyped code (figures in the README).
    pub fn typed_formats(mut self, typed: bool) -> Self {
        self.typed_formats = typed;
        self
    }

    /// Generates `NAME.rs` for every spec `.../NAME.yaml`; files whose content did not change
    /// are not rewritten (so cargo does not rebuild for nothing). Every spec is checked before
    /// anything is written, and the problems of all of them are reported together.
    pub fn compile(&self, specs: &[impl AsRef<Path>]) -> Result<(), Error> {
        let out_dir = match &self.out_dir {
            Some(dir) => dir.clone(),
            None => std::env::var_os("OUT_DIR")
                .map(PathBuf::from)
                .ok_or(Error::NoOutDir)?,
        };
        let mut outputs: Vec<(String, PathBuf, GeneratedFiles)> = Vec::new();
        let mut problems = Vec::new();
        for spec in specs {
            let spec = spec.as_ref();
            if self.emit_rerun_if_changed {
                // Printed before reading, so that a failed read is retried when the file appears.
                println!("cargo:rerun-if-changed={}", spec.display());
            }
            let name = api_name(spec);
            if let Some((_, first, _)) = outputs.iter().find(|(n, _, _)| *n == name) {
                return Err(Error::NameClash {
                    name,
                    first: first.clone(),
                    second: spec.to_path_buf(),
                });
            }
            match generate_parts(spec, self.parts(), &self.opaque_bearer) {
                Ok(Generated {
                    code,
                    spec_json,
                    warnings,
                    files,
                }) => {
                    if self.emit_rerun_if_changed {
                        // The other files the spec's `$ref`s reach.
                        for file in files.iter().skip(1) {
                            println!("cargo:rerun-if-changed={}", file.display());
                        }
                        // Notes (how klue reads what the spec leaves open) would show on
                        // every build; `klue check` lists them.
                        for warning in warnings.iter().filter(|w| w.severity == Severity::Warning) {
                            println!("{}", cargo_warning(warning));
                        }
                    }
                    let generated = GeneratedFiles {
                        stem: name.clone(),
                        rust: code,
                        spec_json,
                        warnings: Vec::new(),
                    };
                    outputs.push((name, spec.to_path_buf(), generated))
                }
                Err(Error::Spec(diagnostics)) => problems.extend(diagnostics.0),
                Err(other) => return Err(other),
            }
        }
        if !problems.is_empty() {
            return Err(Error::Spec(Diagnostics(problems)));
        }
        for (_, _, generated) in outputs {
            generated.write(&out_dir)?;
        }
        Ok(())
    }
}

impl Builder {
    /// The code for one spec as this builder would write it, without writing anything.
    pub fn generate(&self, spec: &Path) -> Result<String, Error> {
        generate_parts(spec, self.parts(), &self.opaque_bearer).map(|g| g.code)
    }

    /// The files for one spec as [`Builder::compile`] writes them: the Rust source and the spec
    /// as JSON, which the source `include_str!`s from beside it.
    pub fn generate_files(&self, spec: &Path) -> Result<GeneratedFiles, Error> {
        let generated = generate_parts(spec, self.parts(), &self.opaque_bearer)?;
        Ok(GeneratedFiles {
            stem: api_name(spec),
            rust: generated.code,
            spec_json: generated.spec_json,
            warnings: generated.warnings,
        })
    }

    /// Like [`Builder::generate_files`], for the spec `text`, reported as file `file`, naming
    /// the API `name`.
    pub fn generate_files_from_str(
        &self,
        file: &Path,
        name: &str,
        text: &str,
    ) -> Result<GeneratedFiles, Error> {
        let generated = generate_str_parts(file, name, text, self.parts(), &self.opaque_bearer)?;
        Ok(GeneratedFiles {
            stem: name.to_owned(),
            rust: generated.code,
            spec_json: generated.spec_json,
            warnings: generated.warnings,
        })
    }

    /// Like [`Builder::generate`], also returning the warnings (unknown keywords, what klue
    /// works around).
    pub fn generate_with_warnings(&self, spec: &Path) -> Result<(String, Vec<Diagnostic>), Error> {
        generate_parts(spec, self.parts(), &self.opaque_bearer).map(|g| (g.code, g.warnings))
    }

    /// Like [`Builder::generate`], for the spec `text`, reported as file `file`, naming the
    /// API `name` (a spec that is not a file: a corpus, a test).
    pub fn generate_from_str(&self, file: &Path, name: &str, text: &str) -> Result<String, Error> {
        generate_str_parts(file, name, text, self.parts(), &self.opaque_bearer).map(|g| g.code)
    }

    fn parts(&self) -> emit::Parts {
        emit::Parts {
            server: self.build_server,
            client: self.build_client,
            default_stubs: self.default_stubs,
            typed_formats: self.typed_formats,
        }
    }
}

/// The two files generated for a spec: `<stem>.rs` and the spec as JSON, `<stem>.json`, which
/// the source reads with `include_str!` (a large spec's JSON is megabytes: as a file it costs
/// the compiler nothing to lex, and the source stays readable).
#[derive(Debug, Clone)]
pub struct GeneratedFiles {
    stem: String,
    rust: String,
    spec_json: String,
    warnings: Vec<Diagnostic>,
}

impl GeneratedFiles {
    /// The Rust source.
    pub fn rust(&self) -> &str {
        &self.rust
    }

    /// The spec, as the served `/openapi.json` starts from.
    pub fn spec_json(&self) -> &str {
        &self.spec_json
    }

    /// What the spec leaves open or klue works around (unknown keywords, ...).
    pub fn warnings(&self) -> &[Diagnostic] {
        &self.warnings
    }

    /// The same files under another stem (`swagger2_ping`): the source then reads
    /// `<stem>.json`.
    pub fn with_stem(mut self, stem: &str) -> Self {
        // The file name's literal after `SPEC_JSON` (the formatter breaks a long
        // `include_str!(...)` over lines, so the literal is what is looked for).
        let old = format!("{:?}", emit::spec_file_name(&self.stem));
        let new = format!("{:?}", emit::spec_file_name(stem));
        if let Some(at) = self.rust.find("pub const SPEC_JSON") {
            let tail = self.rust[at..].replacen(&old, &new, 1);
            self.rust.truncate(at);
            self.rust.push_str(&tail);
        }
        self.stem = stem.to_owned();
        self
    }

    /// Writes `<stem>.rs` and `<stem>.json` into `dir`, each only if its content changed.
    pub fn write(&self, dir: &Path) -> Result<(), Error> {
        write_file_if_changed(
            &dir.join(emit::spec_file_name(&self.stem)),
            self.spec_json.as_bytes(),
        )?;
        write_file_if_changed(&dir.join(format!("{}.rs", self.stem)), self.rust.as_bytes())
    }
}

/// The API name of a spec: its file stem (`apis/helloworld.yaml` -> `helloworld`).
pub fn api_name(spec: &Path) -> String {
    spec.file_stem()
        .map(|stem| stem.to_string_lossy().into_owned())
        .unwrap_or_else(|| "api".to_owned())
}

/// The name of the server trait generated for the API `api_name` (`pet-store` -> `PetStoreApi`).
pub fn trait_name(api_name: &str) -> String {
    format!("{}Api", naming::camel(api_name))
}

/// Reads the spec at `path` and returns the generated code (server and client).
pub fn generate(path: &Path) -> Result<String, Error> {
    generate_parts(path, configure().parts(), &[]).map(|g| g.code)
}

/// Like [`generate`], also returning the warnings: what klue worked around in the spec (a
/// pattern the `regex` crate cannot read, an undeclared path parameter, ...).
pub fn generate_with_warnings(path: &Path) -> Result<(String, Vec<Diagnostic>), Error> {
    generate_parts(path, configure().parts(), &[]).map(|g| (g.code, g.warnings))
}

/// Every file the spec at `path` reads: the spec itself, then the files its `$ref`s reach (what
/// a build script reruns on). Errors as [`check`].
pub fn spec_files(path: &Path) -> Result<Vec<PathBuf>, Error> {
    generate_parts(path, configure().parts(), &[]).map(|g| g.files)
}

/// What generating one spec gives.
struct Generated {
    code: String,
    spec_json: String,
    warnings: Vec<Diagnostic>,
    /// Every file read: the spec, then the files its `$ref`s reach.
    files: Vec<PathBuf>,
}

fn generate_parts(
    path: &Path,
    parts: emit::Parts,
    opaque_bearer: &[String],
) -> Result<Generated, Error> {
    let text = std::fs::read_to_string(path).map_err(|source| Error::Io {
        path: path.to_path_buf(),
        source,
    })?;
    generate_str_parts(path, &api_name(path), &text, parts, opaque_bearer)
}

/// Generates code (server and client) for the spec `text`, reported as file `file`, naming the
/// API `name`.
pub fn generate_from_str(file: &Path, name: &str, text: &str) -> Result<String, Error> {
    generate_str_parts(file, name, text, configure().parts(), &[]).map(|g| g.code)
}

fn generate_str_parts(
    file: &Path,
    name: &str,
    text: &str,
    parts: emit::Parts,
    opaque_bearer: &[String],
) -> Result<Generated, Error> {
    let (api, files) = read::read_spec(file, name, text, opaque_bearer)
        .map_err(|d| Error::Spec(Diagnostics(d)))?;
    let source = file
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let code = emit::emit(&api, &source, parts).map_err(|err| Error::Internal {
        file: file.to_path_buf(),
        message: err.to_string(),
    })?;
    let warnings = api.warnings.clone();
    let mut api = api;
    let spec_json = std::mem::take(&mut api.spec_json);
    // A large model is freed on another thread: nothing waits for it.
    std::thread::spawn(move || drop(api));
    Ok(Generated {
        code,
        spec_json,
        warnings,
        files,
    })
}

/// Like [`generate_from_str`], also returning the warnings.
pub fn generate_from_str_with_warnings(
    file: &Path,
    name: &str,
    text: &str,
) -> Result<(String, Vec<Diagnostic>), Error> {
    generate_str_parts(file, name, text, configure().parts(), &[]).map(|g| (g.code, g.warnings))
}

/// Checks the spec at `path` without generating code: `Ok` when clean, else every problem.
pub fn check(path: &Path) -> Result<(), Error> {
    generate(path).map(|_| ())
}

/// Checks the spec at `path` without writing code: its warnings (unknown keywords, what klue
/// works around) when it has no error, else every problem.
pub fn check_with_warnings(path: &Path) -> Result<Vec<Diagnostic>, Error> {
    generate_with_warnings(path).map(|(_, warnings)| warnings)
}

/// The build script line that makes cargo show `warning` located: one line (cargo shows
/// `warning: <line>`), the message first.
fn cargo_warning(warning: &Diagnostic) -> String {
    let text = warning.as_warning().to_string().replace('\n', " ");
    format!("cargo:warning={}", text.trim_start_matches("warning: "))
}

/// Writes `contents` to `path` unless the file already holds exactly that.
pub fn write_file_if_changed(path: &Path, contents: &[u8]) -> Result<(), Error> {
    if std::fs::read(path).is_ok_and(|old| old == contents) {
        return Ok(());
    }
    std::fs::write(path, contents).map_err(|source| Error::Io {
        path: path.to_path_buf(),
        source,
    })
}

#[cfg(test)]
mod tests {
    #[test]
    fn an_unknown_keyword_is_one_located_cargo_warning_line() {
        let text = "openapi: 3.0.3\ninfo: {title: t, version: '1'}\npaths: {}\ncomponents:\n  \
                    schemas:\n    A: {type: string, minLenght: 2}\n";
        let (_, warnings) =
            super::generate_from_str_with_warnings(std::path::Path::new("apis/t.yaml"), "t", text)
                .expect("generates");
        let lines: Vec<String> = warnings.iter().map(super::cargo_warning).collect();
        assert_eq!(
            lines,
            [
                "cargo:warning=unknown keyword `minLenght` in a schema (OpenAPI 3.0 ignores it)   \
              --> apis/t.yaml:6:23    = at /components/schemas/A/minLenght    = help: did you \
              mean `minLength`?"
            ]
        );
    }
}
