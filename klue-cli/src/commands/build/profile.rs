//! The cargo profile an image's binary is built with.
//!
//! By default `[profile.image]`: release optimisation without LTO, 16 codegen units and
//! incremental compilation, symbols stripped. A deploy after a one-line change then recompiles
//! only what changed and links (seconds, where a thin-LTO, one-codegen-unit release build
//! redoes the whole service crate and the LTO pass: about a minute for a new service on 2
//! cores). A manifest that defines `[profile.image]` (a `klue new` scaffold does) is used as it
//! is; otherwise klue passes the defaults below with `--config`. `--release-lto` builds with
//! `[profile.release]` instead (the scaffold's: thin LTO, one codegen unit).

use std::path::Path;

/// The profile's name: `target/<triple>/image/`.
pub const IMAGE: &str = "image";

/// `[profile.image]` when the manifest does not define it (TOML values, as `--config` takes).
/// `klue new`'s Cargo.toml writes the same table (a test keeps them equal).
pub const IMAGE_DEFAULTS: [(&str, &str); 5] = [
    ("inherits", "\"release\""),
    ("lto", "false"),
    ("codegen-units", "16"),
    ("incremental", "true"),
    ("strip", "true"),
];

/// Which profile.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Profile {
    /// `[profile.image]` (defined by klue when the manifest does not).
    Image,
    /// `[profile.release]`: `klue build --release-lto`.
    Release,
}

impl Profile {
    /// `--release-lto` or not.
    pub fn from_release_lto(release_lto: bool) -> Self {
        if release_lto {
            Self::Release
        } else {
            Self::Image
        }
    }

    /// The directory under `target/<triple>/` the binary is written to.
    pub fn dir_name(self) -> &'static str {
        match self {
            Self::Image => IMAGE,
            Self::Release => "release",
        }
    }

    /// cargo's arguments selecting the profile for the service in `dir` (the `--config`
    /// defaults only when neither its manifest nor its workspace's defines `[profile.image]`).
    pub fn cargo_args(self, dir: &Path) -> Vec<String> {
        match self {
            Self::Release => vec!["--release".to_owned()],
            Self::Image if defines_image_profile(dir) => {
                vec!["--profile".to_owned(), IMAGE.to_owned()]
            }
            Self::Image => {
                let mut args = vec!["--profile".to_owned(), IMAGE.to_owned()];
                for (key, value) in IMAGE_DEFAULTS {
                    args.push("--config".to_owned());
                    args.push(format!("profile.{IMAGE}.{key}={value}"));
                }
                args
            }
        }
    }
}

/// Whether the manifest cargo reads profiles from (the workspace root's: the nearest
/// `Cargo.toml` from `dir` up that has `[workspace]`, else `dir`'s own) defines
/// `[profile.image]`.
fn defines_image_profile(dir: &Path) -> bool {
    let read = |d: &Path| std::fs::read_to_string(d.join("Cargo.toml")).ok();
    let root = dir
        .ancestors()
        .filter_map(&read)
        .find(|text| has_table(text, "workspace"))
        .or_else(|| read(dir));
    root.is_some_and(|text| has_table(&text, &format!("profile.{IMAGE}")))
}

/// Whether `toml` has the table header `[<dotted>]` (spaces and quoted keys allowed).
fn has_table(toml: &str, dotted: &str) -> bool {
    toml.lines().any(|line| {
        let line = line.trim();
        let Some(inner) = line
            .strip_prefix('[')
            .and_then(|rest| rest.split(']').next())
            .filter(|_| !line.starts_with("[["))
        else {
            return false;
        };
        let keys: Vec<String> = inner
            .split('.')
            .map(|key| key.trim().trim_matches('"').to_owned())
            .collect();
        keys.join(".") == dotted
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_headers_are_recognised() {
        assert!(has_table("[profile.image]\nlto = false\n", "profile.image"));
        assert!(has_table(
            "  [ profile . \"image\" ] # ours\n",
            "profile.image"
        ));
        assert!(!has_table("[profile.release]\n", "profile.image"));
        assert!(!has_table("[profile.image-x]\n", "profile.image"));
        assert!(!has_table("# [profile.image]\n", "profile.image"));
        assert!(!has_table("[[profile.image]]\n", "profile.image"));
        assert!(has_table("[workspace]\nmembers = []\n", "workspace"));
    }

    #[test]
    fn defaults_are_passed_only_when_no_manifest_defines_the_profile() {
        let dir = std::env::temp_dir().join(format!("klue-profile-{}", std::process::id()));
        let service = dir.join("svc");
        std::fs::create_dir_all(&service).unwrap();
        std::fs::write(service.join("Cargo.toml"), "[package]\nname = \"svc\"\n").unwrap();
        let args = Profile::Image.cargo_args(&service);
        assert_eq!(&args[..2], ["--profile", "image"]);
        assert!(
            args.contains(&"profile.image.lto=false".to_owned()),
            "{args:?}"
        );
        assert_eq!(args.len(), 2 + 2 * IMAGE_DEFAULTS.len());

        // The workspace root's manifest is the one cargo reads profiles from.
        std::fs::write(
            dir.join("Cargo.toml"),
            "[workspace]\nmembers = [\"svc\"]\n\n[profile.image]\ninherits = \"release\"\n",
        )
        .unwrap();
        assert_eq!(Profile::Image.cargo_args(&service), ["--profile", "image"]);
        std::fs::write(dir.join("Cargo.toml"), "[workspace]\nmembers = [\"svc\"]\n").unwrap();
        std::fs::write(
            service.join("Cargo.toml"),
            "[package]\nname = \"svc\"\n[profile.image]\ninherits = \"release\"\n",
        )
        .unwrap();
        assert_eq!(
            Profile::Image.cargo_args(&service).len(),
            2 + 2 * IMAGE_DEFAULTS.len(),
            "a member's [profile.image] is not read by cargo"
        );
        assert_eq!(Profile::Release.cargo_args(&service), ["--release"]);
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn the_new_scaffold_defines_the_same_profile() {
        let template = include_str!("../../../templates/new/Cargo.toml.j2");
        let table = template
            .split("[profile.image]\n")
            .nth(1)
            .expect("the scaffold's Cargo.toml defines [profile.image]");
        let lines: Vec<&str> = table
            .lines()
            .take_while(|line| !line.trim().is_empty() && !line.starts_with("{%"))
            .filter(|line| !line.starts_with('#'))
            .collect();
        let expected: Vec<String> = IMAGE_DEFAULTS
            .iter()
            .map(|(key, value)| format!("{key} = {value}"))
            .collect();
        assert_eq!(lines, expected);
    }
}
