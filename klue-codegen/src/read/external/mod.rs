//! `$ref`s to other files (`common.yaml#/components/schemas/Error`, `../models/pet.json`),
//! resolved before the spec is read: the result is one self-contained document, which the
//! readers see exactly as if the user had written everything in one file.
//!
//! - Every file is read once, relative to the file that refers to it; YAML or JSON.
//! - A schema in another file is copied into the root's schemas (`components/schemas`, or
//!   `definitions` in Swagger 2.0) once, under the name of its last pointer segment (the file
//!   stem for a whole-file schema); on a clash the file stem is prefixed (`ErrorsError`), then
//!   a number added (`Error_2`). Every reference to it, from any file, becomes a local reference to that copy, so it is one
//!   Rust type. A root schema that is only a `$ref` to another file takes the referenced schema's
//!   place under the root's name. Chains of pure `$ref`s are followed to the schema they end at.
//! - Anything else reached in another file (a parameter, a response, a path item...) is copied
//!   in place of its `$ref`; a cycle among those is an error.
//! - References inside another file to its own `#/...` resolve in that file; a reference back
//!   into the root file becomes a plain local one.
//! - `http(s)://` references are errors, not fetches.
//!
//! Problems are reported in the file they are in: an unreadable file or a missing fragment at
//! the `$ref`, a parse error in the file that does not parse. Whatever the readers report later
//! inside copied nodes is moved back to the file and pointer the node came from.

mod files;
mod syntax;

use std::collections::{BTreeSet, HashMap};
use std::path::{Path, PathBuf};

use serde_json::{Map, Value};

use crate::diagnostics::{join, Diagnostic, Severity};
use crate::locate::SourceMap;

pub(crate) use files::parse;
use files::{Files, LoadError};
use syntax::{
    encode_fragment, identifier, in_schema, is_remote, percent_decode, split, under, with_ref,
    DATA_KEYS, NAME_MAPS, SCHEMA_MAPS,
};

/// The spec with every other file's content brought in.
pub(crate) struct Bundle {
    /// The self-contained document.
    pub(crate) document: Value,
    /// Every file read, the root first.
    pub(crate) files: Vec<PathBuf>,
    origins: Origins,
    /// Problems found while resolving.
    pub(crate) problems: Vec<Diagnostic>,
    /// Pointers (in the bundled document) of `$ref`s that could not be resolved: what the
    /// readers say under them repeats a reported problem.
    failed: Vec<String>,
}

/// Where the nodes copied from other files came from.
#[derive(Debug, Default)]
struct Origins {
    /// (pointer in the bundle, file index, pointer in that file).
    moved: Vec<(String, usize, String)>,
    files: Files,
}

impl Bundle {
    /// Moves a reader's diagnostic to the file and pointer its node came from; `None` for one
    /// that repeats a problem of an unresolved `$ref`.
    pub(crate) fn relocate(&self, mut diagnostic: Diagnostic) -> Option<Diagnostic> {
        if self.failed.iter().any(|f| under(&diagnostic.pointer, f)) {
            return None;
        }
        let best = self
            .origins
            .moved
            .iter()
            .filter(|(at, _, _)| under(&diagnostic.pointer, at))
            .max_by_key(|(at, _, _)| at.len());
        if let Some((at, file, original)) = best {
            let file = &self.origins.files.list[*file];
            diagnostic.pointer = format!("{original}{}", &diagnostic.pointer[at.len()..]);
            diagnostic.position = file.source.locate(&diagnostic.pointer);
            diagnostic.file = file.path.clone();
        }
        Some(diagnostic)
    }
}

/// Whether `document` has a `$ref` to another file (anything but `#...`).
fn has_external_refs(value: &Value) -> bool {
    match value {
        Value::Object(map) => map.iter().any(|(key, v)| {
            (key == "$ref" && v.as_str().is_some_and(|r| !r.starts_with('#')))
                || has_external_refs(v)
        }),
        Value::Array(items) => items.iter().any(has_external_refs),
        _ => false,
    }
}

/// Brings the content of every file `document` (the spec at `root`, whose text `source` maps)
/// refers to into it. `swagger2` selects where schemas go (`definitions`).
pub(crate) fn bundle(root: &Path, document: Value, source: &SourceMap, swagger2: bool) -> Bundle {
    if !has_external_refs(&document) {
        return Bundle {
            document,
            files: vec![root.to_path_buf()],
            origins: Origins::default(),
            problems: Vec::new(),
            failed: Vec::new(),
        };
    }
    let section = if swagger2 {
        "/definitions"
    } else {
        "/components/schemas"
    };
    let mut bundler = Bundler {
        files: Files::new(root, document.clone()),
        root_source: source,
        section,
        names: HashMap::new(),
        taken: BTreeSet::new(),
        queue: Vec::new(),
        hoisted: Vec::new(),
        moved: Vec::new(),
        problems: Vec::new(),
        failed: Vec::new(),
        inlining: Vec::new(),
    };
    let mut document = document;
    bundler.bind_root_aliases(&document);
    bundler.walk(&mut document, 0, "", "");
    // Hoisted schemas may refer to more schemas: process until none is pending.
    let mut next = 0;
    while next < bundler.queue.len() {
        let (file, pointer, name) = bundler.queue[next].clone();
        next += 1;
        let mut value = bundler.target(file, &pointer).cloned().unwrap_or_default();
        strip_definitions(&mut value);
        let at = join(section, &name);
        bundler.moved.push((at.clone(), file, pointer.clone()));
        bundler.walk(&mut value, file, &at, &pointer);
        bundler.hoisted.push((name, value));
    }
    if !bundler.hoisted.is_empty() {
        insert_schemas(
            &mut document,
            swagger2,
            std::mem::take(&mut bundler.hoisted),
        );
    }
    for file in &bundler.files.list {
        if let Some((position, message)) = &file.unparsable {
            bundler.problems.push(Diagnostic {
                file: file.path.clone(),
                pointer: String::new(),
                position: *position,
                message: format!("the file is not valid YAML or JSON: {message}"),
                help: Some("a `$ref` of the spec refers to it".into()),
                severity: Severity::Error,
            });
        }
    }
    let files = bundler.files.paths();
    Bundle {
        document,
        files,
        origins: Origins {
            moved: bundler.moved,
            files: bundler.files,
        },
        problems: bundler.problems,
        failed: bundler.failed,
    }
}

/// Adds the hoisted schemas to the document's schema section, creating it when missing.
fn insert_schemas(document: &mut Value, swagger2: bool, schemas: Vec<(String, Value)>) {
    let Some(root) = document.as_object_mut() else {
        return;
    };
    let section = if swagger2 {
        root.entry("definitions")
    } else {
        let components = root
            .entry("components")
            .or_insert_with(|| Value::Object(Map::new()));
        if !components.is_object() {
            return;
        }
        match components.as_object_mut() {
            Some(components) => components.entry("schemas"),
            None => return,
        }
    };
    let section = section.or_insert_with(|| Value::Object(Map::new()));
    if let Some(section) = section.as_object_mut() {
        for (name, schema) in schemas {
            section.insert(name, schema);
        }
    }
}

/// `$defs` and `definitions` of a copied schema: what refers into them is resolved in the file.
fn strip_definitions(value: &mut Value) {
    if let Some(map) = value.as_object_mut() {
        map.remove("$defs");
        map.remove("definitions");
    }
}

struct Bundler<'s> {
    files: Files,
    root_source: &'s SourceMap,
    /// `/components/schemas` or `/definitions`.
    section: &'static str,
    /// (file, pointer) of a schema -> its name in the section.
    names: HashMap<(usize, String), String>,
    /// Names in the section, as Rust type names (`Pet` and `pet` clash).
    taken: BTreeSet<String>,
    /// Schemas named but not yet copied: (file, pointer, name).
    queue: Vec<(usize, String, String)>,
    /// Copied schemas, in naming order.
    hoisted: Vec<(String, Value)>,
    moved: Vec<(String, usize, String)>,
    problems: Vec<Diagnostic>,
    failed: Vec<String>,
    /// Non-schema nodes being copied, to catch cycles.
    inlining: Vec<(usize, String)>,
}

/// What a `$ref` found.
enum Resolved {
    /// A node of a file: (file, pointer).
    Node(usize, String),
    /// Nothing; the problem is reported.
    Failed,
}

impl Bundler<'_> {
    fn source(&self, file: usize) -> &SourceMap {
        if file == 0 {
            self.root_source
        } else {
            &self.files.list[file].source
        }
    }

    fn report(&mut self, file: usize, pointer: &str, message: String, help: Option<String>) {
        let position = self.source(file).locate(pointer);
        self.problems.push(Diagnostic {
            file: self.files.list[file].path.clone(),
            pointer: pointer.to_owned(),
            position,
            message,
            help,
            severity: Severity::Error,
        });
    }

    /// The node at `pointer` of loaded file `file`.
    fn target(&self, file: usize, pointer: &str) -> Option<&Value> {
        self.files.list[file].document.as_ref()?.pointer(pointer)
    }

    /// Names of the root's schemas are taken; a root schema that is only a `$ref` to another
    /// file names what it refers to.
    fn bind_root_aliases(&mut self, document: &Value) {
        let schemas = document.pointer(self.section).and_then(Value::as_object);
        let Some(schemas) = schemas else { return };
        for name in schemas.keys() {
            self.taken.insert(crate::naming::camel(name));
        }
        for (name, schema) in schemas {
            let reference = schema.get("$ref").and_then(Value::as_str);
            let Some(reference) = reference.filter(|r| !r.starts_with('#')) else {
                continue;
            };
            if let Resolved::Node(file, pointer) = self.resolve_quiet(0, reference) {
                if file != 0 {
                    self.names
                        .entry((file, pointer))
                        .or_insert_with(|| name.clone());
                }
            }
        }
    }

    /// Resolves without reporting (used to bind names before the walk reports problems).
    fn resolve_quiet(&mut self, file: usize, reference: &str) -> Resolved {
        let (path, fragment) = split(reference);
        if is_remote(path) || !(fragment.is_empty() || fragment.starts_with('/')) {
            return Resolved::Failed;
        }
        let file = if path.is_empty() {
            file
        } else {
            match self.files.load(file, &percent_decode(path)) {
                Ok(index) => index,
                Err(_) => return Resolved::Failed,
            }
        };
        self.follow(file, &fragment)
            .map_or(Resolved::Failed, |(f, p)| Resolved::Node(f, p))
    }

    /// Follows pure `$ref` objects from (file, pointer) to the node they end at.
    fn follow(&mut self, mut file: usize, pointer: &str) -> Option<(usize, String)> {
        let mut pointer = pointer.to_owned();
        for _ in 0..16 {
            let node = self.target(file, &pointer)?;
            let next = match node.as_object() {
                Some(map) if map.len() == 1 => map.get("$ref").and_then(Value::as_str),
                _ => None,
            };
            let Some(next) = next.map(str::to_owned) else {
                return Some((file, pointer));
            };
            let (path, fragment) = split(&next);
            if is_remote(path) || !(fragment.is_empty() || fragment.starts_with('/')) {
                return Some((file, pointer));
            }
            if !path.is_empty() {
                file = self.files.load(file, &percent_decode(path)).ok()?;
            }
            if self.target(file, &fragment).is_none() {
                // The broken link is reported where it is written, when walked.
                return Some((file, pointer));
            }
            pointer = fragment;
        }
        Some((file, pointer))
    }

    /// Resolves `reference`, written in `file` at `site` (the pointer of its `$ref` key),
    /// reporting what fails.
    fn resolve(&mut self, file: usize, reference: &str, site: &str) -> Resolved {
        let (path, fragment) = split(reference);
        if is_remote(path) {
            self.report(
                file,
                site,
                format!("remote $ref '{reference}' is not supported"),
                Some("save the file next to the spec and refer to it by a relative path".into()),
            );
            return Resolved::Failed;
        }
        if !(fragment.is_empty() || fragment.starts_with('/')) {
            self.report(
                file,
                site,
                format!("$ref '{reference}': only JSON pointer fragments (`#/a/b`) are supported"),
                None,
            );
            return Resolved::Failed;
        }
        let target_file = if path.is_empty() {
            file
        } else {
            match self.files.load(file, &percent_decode(path)) {
                Ok(index) => index,
                Err(LoadError::Unparsable) => return Resolved::Failed,
                Err(LoadError::Unreadable(message)) => {
                    self.report(file, site, format!("$ref '{reference}': {message}"), None);
                    return Resolved::Failed;
                }
            }
        };
        if self.target(target_file, &fragment).is_none() {
            let other = self.files.list[target_file].path.display().to_string();
            let help = self.source(target_file).locate(&fragment).map(|p| {
                format!(
                    "the nearest existing node is at {other}:{}:{}",
                    p.line, p.column
                )
            });
            self.report(
                file,
                site,
                format!("$ref '{reference}': no node at '{fragment}' in {other}"),
                help,
            );
            return Resolved::Failed;
        }
        match self.follow(target_file, &fragment) {
            Some((f, p)) => Resolved::Node(f, p),
            None => Resolved::Failed,
        }
    }

    /// The section name for the schema at (file, pointer), naming (and queueing) it on first use.
    fn schema_name(&mut self, file: usize, pointer: &str) -> String {
        if let Some(name) = self.names.get(&(file, pointer.to_owned())) {
            return name.clone();
        }
        let stem = self.files.list[file]
            .path
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default();
        let last = pointer
            .rsplit('/')
            .next()
            .filter(|s| !s.is_empty() && !pointer.is_empty())
            .map(|s| s.replace("~1", "/").replace("~0", "~"))
            .unwrap_or_else(|| crate::naming::camel(&stem));
        let base = identifier(&last);
        let prefix = crate::naming::camel(&identifier(&stem));
        let candidates = [base.clone(), format!("{prefix}{base}")];
        let name = candidates
            .into_iter()
            .chain((2..).map(|n| format!("{base}_{n}")))
            .find(|name| !self.taken.contains(&crate::naming::camel(name)))
            .unwrap_or(base);
        self.taken.insert(crate::naming::camel(&name));
        self.names.insert((file, pointer.to_owned()), name.clone());
        self.queue.push((file, pointer.to_owned(), name.clone()));
        name
    }

    /// Rewrites the references in `value`, a node of `file` at `original`, placed at `at` in the
    /// bundle.
    fn walk(&mut self, value: &mut Value, file: usize, at: &str, original: &str) {
        match value {
            Value::Object(map) => {
                let reference = map.get("$ref").and_then(Value::as_str).map(str::to_owned);
                if let Some(reference) = reference.filter(|r| file != 0 || !r.starts_with('#')) {
                    let object = std::mem::take(map);
                    *value = self.reference(&reference, object, file, at, original);
                    return;
                }
                let schema = in_schema(at, self.section);
                let last = at.rsplit('/').next().unwrap_or_default();
                let names = if schema {
                    SCHEMA_MAPS.contains(&last)
                } else {
                    NAME_MAPS.contains(&last)
                };
                if schema && !names {
                    self.discriminator(map, file, at, original);
                }
                // An Example object's `value` is data too.
                let example = at.rsplit('/').nth(1) == Some("examples") && !schema;
                for (key, child) in map.iter_mut() {
                    let data = match key.as_str() {
                        "examples" => schema,
                        "value" => example,
                        key => DATA_KEYS.contains(&key),
                    };
                    if data && !names {
                        continue;
                    }
                    self.walk(child, file, &join(at, key), &join(original, key));
                }
            }
            Value::Array(items) => {
                for (i, item) in items.iter_mut().enumerate() {
                    let key = i.to_string();
                    self.walk(item, file, &join(at, &key), &join(original, &key));
                }
            }
            _ => {}
        }
    }

    /// What replaces `object`, which holds `$ref: reference`: a local reference, a copy of the
    /// referenced node, or (when it cannot be resolved) `{}` for a schema and `object` itself
    /// otherwise.
    fn reference(
        &mut self,
        reference: &str,
        mut object: Map<String, Value>,
        file: usize,
        at: &str,
        original: &str,
    ) -> Value {
        let site = join(original, "$ref");
        let schema = in_schema(at, self.section);
        let (target_file, pointer) = match self.resolve(file, reference, &site) {
            Resolved::Node(f, p) => (f, p),
            Resolved::Failed => {
                self.failed.push(at.to_owned());
                // A schema reads as any value; anything else keeps its `$ref`, which the reader
                // will not resolve (and what it says about it is dropped).
                return if schema {
                    Value::Object(Map::new())
                } else {
                    Value::Object(object)
                };
            }
        };
        let local = |pointer: &str| Value::String(format!("#{}", encode_fragment(pointer)));
        if target_file == 0 {
            object.insert("$ref".to_owned(), local(&pointer));
            return Value::Object(object);
        }
        if schema {
            // A root schema bound to this target is the target itself.
            let bound = self.names.get(&(target_file, pointer.clone()));
            if bound.is_some_and(|name| join(self.section, name) == at) {
                let mut copy = self
                    .target(target_file, &pointer)
                    .cloned()
                    .unwrap_or_default();
                strip_definitions(&mut copy);
                self.moved
                    .push((at.to_owned(), target_file, pointer.clone()));
                self.walk(&mut copy, target_file, at, &pointer);
                return copy;
            }
            let name = self.schema_name(target_file, &pointer);
            let target = join(self.section, &name);
            // Siblings of the `$ref` (3.1) are kept and walked.
            object.remove("$ref");
            for (key, child) in object.iter_mut() {
                if !DATA_KEYS.contains(&key.as_str()) && key != "examples" {
                    self.walk(child, file, &join(at, key), &join(original, key));
                }
            }
            return with_ref(object, local(&target));
        }
        if self.inlining.contains(&(target_file, pointer.clone())) {
            self.report(
                file,
                &site,
                format!("$ref '{reference}' is circular"),
                Some("only schemas may refer to themselves".into()),
            );
            self.failed.push(at.to_owned());
            return Value::Object(object);
        }
        let mut copy = self
            .target(target_file, &pointer)
            .cloned()
            .unwrap_or_default();
        self.moved
            .push((at.to_owned(), target_file, pointer.clone()));
        self.inlining.push((target_file, pointer.clone()));
        self.walk(&mut copy, target_file, at, &pointer);
        self.inlining.pop();
        copy
    }

    /// `discriminator.mapping` values that name schemas in other files.
    fn discriminator(
        &mut self,
        map: &mut Map<String, Value>,
        file: usize,
        at: &str,
        original: &str,
    ) {
        let mapping = map
            .get_mut("discriminator")
            .and_then(|d| d.get_mut("mapping"))
            .and_then(Value::as_object_mut);
        let Some(mapping) = mapping else { return };
        let mut entries: Vec<(String, String)> = Vec::new();
        for (key, value) in mapping.iter() {
            if let Some(reference) = value.as_str() {
                let external = !reference.starts_with('#') && reference.contains(['#', '.', '/']);
                if external || (file != 0 && reference.starts_with('#')) {
                    entries.push((key.clone(), reference.to_owned()));
                }
            }
        }
        for (key, reference) in entries {
            let site = join(&join(&join(original, "discriminator"), "mapping"), &key);
            let rewritten = match self.resolve(file, &reference, &site) {
                Resolved::Node(0, pointer) => format!("#{}", encode_fragment(&pointer)),
                Resolved::Node(f, pointer) => {
                    let name = self.schema_name(f, &pointer);
                    format!("#{}", encode_fragment(&join(self.section, &name)))
                }
                Resolved::Failed => {
                    self.failed
                        .push(join(&join(&join(at, "discriminator"), "mapping"), &key));
                    continue;
                }
            };
            if let Some(mapping) = map
                .get_mut("discriminator")
                .and_then(|d| d.get_mut("mapping"))
                .and_then(Value::as_object_mut)
            {
                mapping.insert(key, Value::String(rewritten));
            }
        }
    }
}
