//! The version of a build, `YYMMDD-HHMM-<commit count>-<short sha>` (UTC), from the service's git
//! repository; a dirty tree is refused unless allowed.

use std::path::Path;
use std::process::Command;
use std::time::{SystemTime, UNIX_EPOCH};

use crate::commands::UserError;

/// What git says about the service's tree.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GitState {
    /// Commits reachable from HEAD.
    pub commit_count: u64,
    /// HEAD's abbreviated sha (7 characters).
    pub short_sha: String,
    /// The paths `git status --porcelain` lists (changed or untracked).
    pub dirty: Vec<String>,
}

/// Reads the git state of `dir`.
pub fn git_state(dir: &Path) -> Result<GitState, UserError> {
    let git = |args: &[&str]| -> Result<String, UserError> {
        let output = Command::new("git")
            .args(args)
            .current_dir(dir)
            .output()
            .map_err(|err| UserError::new(format!("cannot run git: {err}"), "install git"))?;
        if output.status.success() {
            Ok(String::from_utf8_lossy(&output.stdout).into_owned())
        } else {
            Err(UserError::new(
                format!(
                    "git {} failed in {}: {}",
                    args.join(" "),
                    dir.display(),
                    String::from_utf8_lossy(&output.stderr).trim()
                ),
                "klue versions builds by their commit: run in a git repository with at least one \
                 commit (`git init && git add -A && git commit -m init`)",
            ))
        }
    };
    let commit_count = git(&["rev-list", "--count", "HEAD"])?
        .trim()
        .parse()
        .map_err(|_| UserError::plain("git rev-list --count HEAD did not print a number"))?;
    let short_sha = git(&["rev-parse", "--short=7", "HEAD"])?.trim().to_owned();
    let dirty = git(&["status", "--porcelain"])?
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| l.get(3..).unwrap_or(l).to_owned())
        .collect();
    Ok(GitState {
        commit_count,
        short_sha,
        dirty,
    })
}

/// The version to build: `label` when given, else computed from git and the clock. A dirty tree
/// is an error unless `allow_dirty`, and then the version ends in `-dirty`.
pub fn version(dir: &Path, label: Option<&str>, allow_dirty: bool) -> Result<String, UserError> {
    let state = git_state(dir)?;
    if !state.dirty.is_empty() && !allow_dirty {
        let shown: Vec<&str> = state.dirty.iter().take(5).map(String::as_str).collect();
        let more = state.dirty.len().saturating_sub(shown.len());
        return Err(UserError::new(
            format!(
                "the git tree in {} is dirty ({}{}): a build must be reproducible from its commit",
                dir.display(),
                shown.join(", "),
                if more > 0 {
                    format!(", and {more} more")
                } else {
                    String::new()
                }
            ),
            "commit (or stash) the changes, or pass --allow-dirty to build anyway",
        ));
    }
    if let Some(label) = label {
        return check_label(label).map(|()| label.to_owned());
    }
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    let mut version = format_version(now, state.commit_count, &state.short_sha);
    if !state.dirty.is_empty() {
        version.push_str("-dirty");
    }
    Ok(version)
}

/// A version given by hand must be a valid docker tag and EB label.
fn check_label(label: &str) -> Result<(), UserError> {
    let ok = !label.is_empty()
        && label.len() <= 100
        && label.starts_with(|c: char| c.is_ascii_alphanumeric())
        && label
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'));
    if ok {
        Ok(())
    } else {
        Err(UserError::new(
            format!("version '{label}' is not usable as an image tag"),
            "use letters, digits, '-', '_' and '.', starting with a letter or digit",
        ))
    }
}

/// `YYMMDD-HHMM-<count>-<sha>` for `unix_secs` (UTC).
pub fn format_version(unix_secs: u64, commit_count: u64, short_sha: &str) -> String {
    let days = unix_secs / 86_400;
    let secs_of_day = unix_secs % 86_400;
    let (year, month, day) = civil_from_days(days);
    format!(
        "{:02}{:02}{:02}-{:02}{:02}-{commit_count}-{short_sha}",
        year % 100,
        month,
        day,
        secs_of_day / 3600,
        (secs_of_day % 3600) / 60
    )
}

/// The (year, month, day) of a count of days since 1970-01-01, in the proleptic Gregorian
/// calendar (Howard Hinnant's algorithm).
fn civil_from_days(days: u64) -> (u64, u64, u64) {
    let z = days + 719_468;
    let era = z / 146_097;
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + u64::from(month <= 2);
    (year, month, day)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_read_as_utc_dates() {
        // 2026-11-23 01:07:31 UTC.
        assert_eq!(
            format_version(1_795_396_051, 42, "4ee22ba"),
            "261123-0107-42-4ee22ba"
        );
        assert_eq!(format_version(0, 1, "abc1234"), "700101-0000-1-abc1234");
        // A leap day.
        assert_eq!(format_version(951_782_400, 7, "x"), "000229-0000-7-x");
    }

    #[test]
    fn labels_must_be_tags() {
        assert!(check_label("A-1.2_3").is_ok());
        assert!(check_label("-a").is_err());
        assert!(check_label("a b").is_err());
        assert!(check_label("").is_err());
    }
}
