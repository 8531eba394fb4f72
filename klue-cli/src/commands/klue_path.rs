//! `--klue-path DIR` (or `KLUE_PATH`) of `klue new` and `klue generate`: the crates written
//! depend on klue by version, as a user's do; people developing klue itself point them at a
//! checkout with a `[patch.crates-io]` section instead.

use std::path::{Component, Path, PathBuf};

use super::templates::quoted;
use super::UserError;

/// The version of klue's crates this klue was built with (they are versioned together).
pub const KLUE_VERSION: &str = env!("CARGO_PKG_VERSION");

/// klue's crates a service may depend on, directly or through another: (package, its directory
/// in a checkout). klue-route is here because klue-core and klue-codegen depend on it: a patch
/// that left it out would fetch it from crates.io next to the checkout's.
pub const SERVICE_CRATES: &[(&str, &str)] = &[
    ("klue-core", "klue-core"),
    ("klue-codegen", "klue-codegen"),
    ("klue-route", "klue-route"),
    ("klue-testaccept", "testaccept"),
];

/// `dir` checked to be a klue checkout, made absolute.
pub fn checkout(dir: &Path) -> Result<PathBuf, UserError> {
    let core = dir.join("klue-core").join("Cargo.toml");
    if !core.is_file() {
        return Err(UserError::new(
            format!(
                "--klue-path {} is not a klue checkout: there is no {}",
                dir.display(),
                core.display()
            ),
            "give the root of a klue checkout (the directory holding klue-core/), or leave \
             --klue-path and KLUE_PATH unset to use klue's released crates",
        ));
    }
    std::fs::canonicalize(dir)
        .map_err(|err| UserError::plain(format!("cannot resolve {}: {err}", dir.display())))
}

/// How the manifest in `from` (an absolute directory) names the absolute `checkout`: relative
/// when the two are near (they share a directory below the root and the path climbs at most
/// three levels), so that the path means the same on another machine with the same layout and
/// the machine's own directories are not written down; absolute otherwise.
pub fn written_path(checkout: &Path, from: &Path) -> String {
    let ups_allowed = 3;
    let checkout_parts: Vec<Component<'_>> = checkout.components().collect();
    let from_parts: Vec<Component<'_>> = from.components().collect();
    let common = checkout_parts
        .iter()
        .zip(&from_parts)
        .take_while(|(a, b)| a == b)
        .count();
    let ups = from_parts.len() - common;
    // Component 0 is the root: sharing only it is not near.
    if common <= 1 || ups > ups_allowed {
        return checkout.display().to_string();
    }
    let mut parts: Vec<String> = vec!["..".to_owned(); ups];
    parts.extend(
        checkout_parts[common..]
            .iter()
            .map(|part| part.as_os_str().to_string_lossy().into_owned()),
    );
    if parts.is_empty() {
        ".".to_owned()
    } else {
        parts.join("/")
    }
}

/// The `[patch.crates-io]` lines (without the header) pointing `crates` at the checkout, whose
/// path as the manifest writes it is `written` (see [`written_path`]).
pub fn patch_lines(written: &str, crates: &[(&str, &str)]) -> String {
    crates
        .iter()
        .map(|(package, dir)| {
            let path = if written == "." {
                (*dir).to_owned()
            } else {
                format!("{written}/{dir}")
            };
            format!("{package} = {{ path = {} }}\n", quoted(&path))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn near_checkouts_are_written_relative_far_ones_absolute() {
        let klue = Path::new("/home/ada/src/klue");
        for (from, expected) in [
            ("/home/ada/src/klue/tmp/svc", "../.."),
            ("/home/ada/src/svc", "../klue"),
            ("/home/ada/work/team/svc", "../../../src/klue"),
            ("/home/ada/src/klue", "."),
            ("/home/ada/a/b/c/svc", "/home/ada/src/klue"),
            ("/tmp/svc", "/home/ada/src/klue"),
        ] {
            assert_eq!(written_path(klue, Path::new(from)), expected, "{from}");
        }
    }

    #[test]
    fn patch_lines_point_every_crate_at_the_checkout() {
        assert_eq!(
            patch_lines("../..", &SERVICE_CRATES[..2]),
            "klue-core = { path = \"../../klue-core\" }\n\
             klue-codegen = { path = \"../../klue-codegen\" }\n"
        );
        assert_eq!(
            patch_lines(".", &SERVICE_CRATES[3..]),
            "klue-testaccept = { path = \"testaccept\" }\n"
        );
    }

    #[test]
    fn a_directory_without_klue_core_is_not_a_checkout() {
        let err = checkout(Path::new("/nonexistent")).unwrap_err();
        assert!(
            err.message.contains("not a klue checkout"),
            "{}",
            err.message
        );
        let here = Path::new(env!("CARGO_MANIFEST_DIR"));
        assert!(checkout(here).is_err(), "klue-cli alone is not a checkout");
    }
}
