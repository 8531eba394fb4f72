//! Problems found in a spec, each located by file, line, column and JSON pointer.

use std::fmt;
use std::path::PathBuf;

use crate::locate::{Position, SourceMap};

/// How much a [`Diagnostic`] weighs.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Severity {
    /// The spec cannot be served: no code is generated.
    #[default]
    Error,
    /// klue works around something in the spec (a documented fallback, an unknown
    /// keyword): code is generated; `--deny-warnings` refuses it.
    Warning,
    /// How klue reads something the spec leaves open (a plain `type: integer` is 64-bit):
    /// said once per spec, never refused, since the spec is fine as written.
    Note,
}

/// One problem in a spec.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    /// The spec file.
    pub file: PathBuf,
    /// JSON pointer of the offending node (`""` is the document).
    pub pointer: String,
    /// 1-based line and column of that node (or of its nearest ancestor), when known.
    pub position: Option<Position>,
    /// What is wrong.
    pub message: String,
    /// How to fix it, when there is something to say.
    pub help: Option<String>,
    /// An error, a warning or a note.
    pub severity: Severity,
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.write(f, "error")
    }
}

/// A [`Diagnostic`] shown as a warning (or a note): what [`Diagnostic::as_warning`] gives.
#[derive(Debug)]
pub struct AsWarning<'a>(&'a Diagnostic);

impl fmt::Display for AsWarning<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let label = match self.0.severity {
            Severity::Note => "note",
            _ => "warning",
        };
        self.0.write(f, label)
    }
}

impl Diagnostic {
    /// Displays as `warning: ...` (`note: ...` for a note) instead of `error: ...`: for the
    /// warnings and notes code generation returns beside the code.
    pub fn as_warning(&self) -> AsWarning<'_> {
        AsWarning(self)
    }

    fn write(&self, f: &mut fmt::Formatter<'_>, severity: &str) -> fmt::Result {
        writeln!(f, "{severity}: {}", self.message)?;
        let pointer = if self.pointer.is_empty() {
            "(document root)"
        } else {
            &self.pointer
        };
        match self.position {
            Some(p) => writeln!(f, "  --> {}:{}:{}", self.file.display(), p.line, p.column)?,
            None => writeln!(f, "  --> {}", self.file.display())?,
        }
        write!(f, "   = at {pointer}")?;
        if let Some(help) = &self.help {
            write!(f, "\n   = help: {help}")?;
        }
        Ok(())
    }
}

/// Every problem found in one or more specs.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Diagnostics(pub Vec<Diagnostic>);

impl Diagnostics {
    /// Whether no problem was found.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The problems.
    pub fn iter(&self) -> impl Iterator<Item = &Diagnostic> {
        self.0.iter()
    }
}

impl fmt::Display for Diagnostics {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, diagnostic) in self.0.iter().enumerate() {
            if i > 0 {
                writeln!(f)?;
            }
            writeln!(f, "{diagnostic}")?;
        }
        let n = self.0.len();
        write!(f, "{n} error{} in the spec", if n == 1 { "" } else { "s" })
    }
}

impl std::error::Error for Diagnostics {}

/// Collects problems while reading one spec file.
#[derive(Debug)]
pub(crate) struct Collector<'a> {
    file: PathBuf,
    source: &'a SourceMap,
    found: Vec<Diagnostic>,
    warnings: Vec<Diagnostic>,
    /// Notes said once per spec: message, help, the first place and how many places.
    notes: Vec<(&'static str, &'static str, String, usize)>,
}

impl<'a> Collector<'a> {
    pub(crate) fn new(file: PathBuf, source: &'a SourceMap) -> Self {
        Collector {
            file,
            source,
            found: Vec::new(),
            warnings: Vec::new(),
            notes: Vec::new(),
        }
    }

    /// Something klue works around (documented fallback): reported, but code is generated.
    pub(crate) fn warn(&mut self, pointer: &str, message: impl Into<String>) {
        self.warnings.push(Diagnostic {
            file: self.file.clone(),
            pointer: pointer.to_owned(),
            position: self.source.locate(pointer),
            message: message.into(),
            help: None,
            severity: Severity::Warning,
        });
    }

    /// A warning with a hint of how to fix it.
    pub(crate) fn warn_help(
        &mut self,
        pointer: &str,
        message: impl Into<String>,
        help: impl Into<String>,
    ) {
        self.warnings.push(Diagnostic {
            file: self.file.clone(),
            pointer: pointer.to_owned(),
            position: self.source.locate(pointer),
            message: message.into(),
            help: Some(help.into()),
            severity: Severity::Warning,
        });
    }

    /// A note of how klue reads a construct many schemas of a spec may share: one note per
    /// spec and `message`, located at the first place, counting the others.
    pub(crate) fn note_once(&mut self, pointer: &str, message: &'static str, help: &'static str) {
        match self.notes.iter_mut().find(|note| note.0 == message) {
            Some(note) => note.3 += 1,
            None => self.notes.push((message, help, pointer.to_owned(), 1)),
        }
    }

    /// How many diagnostics and notes there are so far, to [`Collector::rewind`] to.
    pub(crate) fn mark(&self) -> (usize, usize, Vec<usize>) {
        let counts = self.notes.iter().map(|note| note.3).collect();
        (self.found.len(), self.warnings.len(), counts)
    }

    /// Forgets what was reported since `mark` (a schema read a second time, quietly).
    pub(crate) fn rewind(&mut self, mark: (usize, usize, Vec<usize>)) {
        let (found, warnings, counts) = mark;
        self.found.truncate(found);
        self.warnings.truncate(warnings);
        self.notes.truncate(counts.len());
        for (note, count) in self.notes.iter_mut().zip(counts) {
            note.3 = count;
        }
    }

    /// The warnings so far, then the notes, leaving none behind.
    pub(crate) fn take_warnings(&mut self) -> Vec<Diagnostic> {
        let mut warnings = std::mem::take(&mut self.warnings);
        for (message, help, pointer, count) in std::mem::take(&mut self.notes) {
            let message = match count {
                1 => message.to_owned(),
                n => format!("{message} ({n} places in this spec; the first is here)"),
            };
            warnings.push(Diagnostic {
                file: self.file.clone(),
                position: self.source.locate(&pointer),
                pointer,
                message,
                help: Some(help.to_owned()),
                severity: Severity::Note,
            });
        }
        warnings
    }

    pub(crate) fn error(&mut self, pointer: &str, message: impl Into<String>) {
        self.push(pointer, message.into(), None);
    }

    pub(crate) fn error_help(
        &mut self,
        pointer: &str,
        message: impl Into<String>,
        help: impl Into<String>,
    ) {
        self.push(pointer, message.into(), Some(help.into()));
    }

    fn push(&mut self, pointer: &str, message: String, help: Option<String>) {
        self.found.push(Diagnostic {
            file: self.file.clone(),
            pointer: pointer.to_owned(),
            position: self.source.locate(pointer),
            message,
            help,
            severity: Severity::Error,
        });
    }

    pub(crate) fn has_errors(&self) -> bool {
        !self.found.is_empty()
    }

    pub(crate) fn finish(self) -> Vec<Diagnostic> {
        self.found
    }
}

/// Appends `key` to a JSON pointer, escaping it (RFC 6901).
pub(crate) fn join(pointer: &str, key: &str) -> String {
    let mut out = String::with_capacity(pointer.len() + key.len() + 1);
    out.push_str(pointer);
    out.push('/');
    for c in key.chars() {
        match c {
            '~' => out.push_str("~0"),
            '/' => out.push_str("~1"),
            c => out.push(c),
        }
    }
    out
}
