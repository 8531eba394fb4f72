//! The files a spec's `$ref`s reach: read once each, parsed as YAML or JSON, with a source map
//! to locate pointers in them.

use std::collections::HashMap;
use std::path::{Component, Path, PathBuf};

use serde_json::Value;

use crate::locate::{Position, SourceMap};

/// A file read for the spec: the root (index 0) or one reached by a `$ref`.
#[derive(Debug)]
pub(super) struct File {
    /// The path as the user would write it: the root's path, or the referring file's
    /// directory joined with the reference, `.` and `..` folded.
    pub(super) path: PathBuf,
    /// The parsed document; `None` when it could not be read or parsed.
    pub(super) document: Option<Value>,
    /// Why it could not be read, for every `$ref` to it.
    unreadable: Option<String>,
    /// Where and why it did not parse (reported once, in this file).
    pub(super) unparsable: Option<(Option<Position>, String)>,
    /// Positions of its nodes; empty for the root, whose map the caller holds.
    pub(super) source: SourceMap,
}

/// Why a file could not be loaded.
pub(super) enum LoadError {
    /// It could not be read: the problem belongs at each `$ref` to it.
    Unreadable(String),
    /// It is not YAML or JSON: the problem is reported once, in that file.
    Unparsable,
}

/// Every file read so far, by identity.
#[derive(Debug, Default)]
pub(super) struct Files {
    pub(super) list: Vec<File>,
    by_key: HashMap<PathBuf, usize>,
}

impl Files {
    /// A set holding only the root spec, already parsed.
    pub(super) fn new(root: &Path, document: Value) -> Self {
        let mut files = Files::default();
        files.by_key.insert(key(root), 0);
        files.list.push(File {
            path: root.to_path_buf(),
            document: Some(document),
            unreadable: None,
            unparsable: None,
            source: SourceMap::default(),
        });
        files
    }

    /// The index of the file at `path` (relative to file `from`'s directory), reading it on first
    /// use.
    pub(super) fn load(&mut self, from: usize, relative: &str) -> Result<usize, LoadError> {
        let base = self.list[from].path.parent().unwrap_or(Path::new(""));
        let path = fold(&base.join(relative));
        let key = key(&path);
        let index = match self.by_key.get(&key) {
            Some(&index) => index,
            None => {
                self.by_key.insert(key, self.list.len());
                self.list.push(read(path));
                self.list.len() - 1
            }
        };
        let file = &self.list[index];
        match (&file.document, &file.unreadable) {
            (Some(_), _) => Ok(index),
            (None, Some(message)) => Err(LoadError::Unreadable(message.clone())),
            (None, None) => Err(LoadError::Unparsable),
        }
    }

    /// Every file read, the root first.
    pub(super) fn paths(&self) -> Vec<PathBuf> {
        self.list.iter().map(|f| f.path.clone()).collect()
    }
}

/// Reads and parses the file at `path`.
fn read(path: PathBuf) -> File {
    let mut file = File {
        path,
        document: None,
        unreadable: None,
        unparsable: None,
        source: SourceMap::default(),
    };
    match std::fs::read_to_string(&file.path) {
        Err(err) => file.unreadable = Some(format!("cannot read {}: {err}", file.path.display())),
        Ok(text) => {
            file.source = SourceMap::new(&text);
            match parse(&text) {
                Ok(document) => file.document = Some(document),
                Err((message, position)) => file.unparsable = Some((position, message)),
            }
        }
    }
    file
}

/// Parses a spec text: JSON by serde_json's fast path when it looks like JSON, else YAML.
pub(crate) fn parse(text: &str) -> Result<Value, (String, Option<Position>)> {
    let json = text
        .trim_start()
        .starts_with('{')
        .then(|| serde_json::from_str::<Value>(text).ok())
        .flatten();
    match json {
        Some(document) => Ok(document),
        None => super::super::yaml::parse(text),
    }
}

/// The identity of a file: its canonical path when it exists.
fn key(path: &Path) -> PathBuf {
    std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf())
}

/// `a/b/../c/./d` -> `a/c/d`, without touching the file system (a `..` above the start stays).
fn fold(path: &Path) -> PathBuf {
    let mut out: Vec<Component<'_>> = Vec::new();
    for part in path.components() {
        match part {
            Component::CurDir => {}
            Component::ParentDir if matches!(out.last(), Some(Component::Normal(_))) => {
                out.pop();
            }
            other => out.push(other),
        }
    }
    out.iter().collect()
}

#[cfg(test)]
mod tests {
    use super::fold;
    use std::path::Path;

    #[test]
    fn paths_are_folded_lexically() {
        assert_eq!(
            fold(Path::new("apis/x/../common.yaml")),
            Path::new("apis/common.yaml")
        );
        assert_eq!(fold(Path::new("./a/./b.yaml")), Path::new("a/b.yaml"));
        assert_eq!(fold(Path::new("../up.yaml")), Path::new("../up.yaml"));
        assert_eq!(fold(Path::new("/r/a/../../b")), Path::new("/b"));
    }
}
