//! Source positions for JSON pointers into a YAML or JSON document, from one pass over the text
//! (plain JSON by a fast reader, the rest by yaml-rust2's parser), linear in time and memory.

use std::cmp::min_by_key;
use std::collections::HashMap;

use yaml_rust2::parser::{Event, Parser};
use yaml_rust2::scanner::Marker;

/// Maps JSON pointers of a YAML or JSON document to line and column in its text.
///
/// The map is built when first needed: most specs have no diagnostic. A large text's map (GitHub's
/// spec: 8 MB, a quarter of a second) is built on another thread meanwhile, in case one comes.
#[derive(Debug, Default)]
pub struct SourceMap {
    text: std::sync::Arc<str>,
    nodes: std::sync::OnceLock<Nodes>,
    building: std::sync::Mutex<Option<std::thread::JoinHandle<Nodes>>>,
}

/// Texts from this size on have their map built on another thread ahead of need.
const BUILD_AHEAD_BYTES: usize = 1 << 20;

/// The positions of a document's nodes.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
struct Nodes {
    /// Position of each node; index 0 is the root when the document has one.
    nodes: Vec<Position>,
    /// `(parent node, RFC 6901-escaped segment)` -> child node.
    children: HashMap<(usize, String), usize>,
}

/// A place in the text; `line` and `column` are both 1-based, the column counts characters.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Position {
    /// Line number, starting at 1.
    pub line: usize,
    /// Column number in characters, starting at 1.
    pub column: usize,
}

/// What an open collection takes next.
enum Slot {
    /// Mapping: `None` for a key; after a key, the node its value belongs to (if kept).
    Map(Option<Option<usize>>),
    /// Sequence: the index of the next item.
    Seq(usize),
}

/// Turns the nodes read by either reader into a [`SourceMap`].
#[derive(Default)]
struct Builder {
    map: Nodes,
    /// Open collections: their node (`None` if left out, as inside a non-scalar key), and slot.
    stack: Vec<(Option<usize>, Slot)>,
}

impl Builder {
    /// Records a node at `pos`: `key` is its text if it is a scalar, `open` is `Some(true)` if it
    /// opens a mapping, `Some(false)` a sequence.
    fn node(&mut self, pos: Position, key: Option<String>, open: Option<bool>) {
        let node = match self.stack.last_mut() {
            None => Some(self.map.child(None, pos)), // the root (only one document is read)
            Some((parent, Slot::Seq(next))) => {
                let segment = next.to_string();
                *next += 1;
                parent.map(|parent| self.map.child(Some((parent, segment)), pos))
            }
            Some((_, Slot::Map(value @ Some(_)))) => value.take().flatten(), // a value: at its key
            Some((parent, Slot::Map(value))) => {
                let segment = key.map(|key| match key.contains(['~', '/']) {
                    true => key.replace('~', "~0").replace('/', "~1"),
                    false => key,
                });
                let link = parent.zip(segment);
                *value = Some(link.map(|link| self.map.child(Some(link), pos)));
                None // a key is not a node: all inside a key that is not a scalar is left out
            }
        };
        if let Some(map) = open {
            let slot = if map { Slot::Map(None) } else { Slot::Seq(0) };
            self.stack.push((node, slot));
        }
    }
}

impl SourceMap {
    /// A map of the document text. Never fails: a text that does not parse gives a map with what
    /// was read before the error (possibly empty). Only the first document is read.
    pub fn new(text: &str) -> SourceMap {
        let text: std::sync::Arc<str> = text.into();
        let building = (text.len() >= BUILD_AHEAD_BYTES)
            .then(|| {
                let text = text.clone();
                std::thread::Builder::new()
                    .name("klue-source-map".to_owned())
                    .spawn(move || Nodes::build(&text))
                    .ok()
            })
            .flatten();
        SourceMap {
            text,
            nodes: std::sync::OnceLock::new(),
            building: std::sync::Mutex::new(building),
        }
    }

    fn nodes(&self) -> &Nodes {
        self.nodes.get_or_init(|| {
            let ahead = self.building.lock().ok().and_then(|mut slot| slot.take());
            ahead
                .and_then(|thread| thread.join().ok())
                .unwrap_or_else(|| Nodes::build(&self.text))
        })
    }

    /// Walks `pointer` as far as it exists: the deepest node reached and whether it is exact.
    fn walk(&self, pointer: &str) -> Option<(Position, bool)> {
        let nodes = self.nodes();
        let (mut node, mut exact) = (0, pointer.is_empty());
        if let Some(rest) = pointer.strip_prefix('/') {
            exact = rest.split('/').all(|segment| {
                let child = nodes.children.get(&(node, segment.to_owned()));
                child.map(|&child| node = child).is_some()
            });
        }
        nodes.nodes.get(node).map(|&pos| (pos, exact))
    }
}

impl Nodes {
    fn build(text: &str) -> Nodes {
        Self::from_json(text).unwrap_or_else(|| Self::from_yaml(text))
    }

    /// Adds a node, linked to its parent (if not the root); of duplicate keys, the last one wins.
    fn child(&mut self, link: Option<(usize, String)>, pos: Position) -> usize {
        self.nodes.push(pos);
        let id = self.nodes.len() - 1;
        link.map(|link| self.children.insert(link, id));
        id
    }

    fn from_yaml(text: &str) -> Nodes {
        let mut builder = Builder::default();
        let mut parser = Parser::new_from_str(text);
        // yaml-rust2 markers have a 1-based line and a 0-based column.
        let at = |m: Marker| Position {
            line: m.line(),
            column: m.col() + 1,
        };
        while let Ok((event, mark)) = parser.next_token() {
            match event {
                Event::Scalar(value, ..) => builder.node(at(mark), Some(value), None),
                Event::Alias(_) => builder.node(at(mark), None, None),
                Event::MappingStart(..) => {
                    // A block mapping is marked after the start of its first key: take the key's.
                    let key = parser.peek().map_or(mark, |next| next.1);
                    builder.node(at(min_by_key(mark, key, Marker::index)), None, Some(true));
                }
                Event::SequenceStart(..) => builder.node(at(mark), None, Some(false)),
                Event::MappingEnd | Event::SequenceEnd => drop(builder.stack.pop()),
                Event::StreamEnd | Event::DocumentEnd => break,
                _ => {}
            }
        }
        builder.map
    }

    /// Fast reader for plain JSON, giving the same map as `from_yaml` (which a test checks);
    /// `None` when the text is not plain JSON, to let yaml-rust2 read it.
    fn from_json(text: &str) -> Option<Nodes> {
        let bytes = text.as_bytes();
        let mut builder = Builder::default();
        let (mut i, mut seen, mut pos) = (0, 0, Position { line: 1, column: 1 });
        // `after`: just after a key or a value; `open`: just after `{` or `[`.
        let (mut after, mut open) = (false, false);
        let bare = |b: &u8| matches!(b, b'-' | b'+' | b'.' | b'0'..=b'9' | b'E' | b'a'..=b'z');
        loop {
            while matches!(bytes.get(i), Some(b' ' | b'\t' | b'\n' | b'\r')) {
                i += 1;
            }
            for &b in bytes.get(seen..i)? {
                if b == b'\n' {
                    (pos.line, pos.column) = (pos.line + 1, 1);
                } else if b & 0xC0 != 0x80 {
                    pos.column += 1; // UTF-8 continuation bytes do not start a character
                }
            }
            let (c, start) = (*bytes.get(i)?, i);
            (seen, i) = (i, i + 1);
            let top = builder.stack.last().map(|(_, s)| matches!(s, Slot::Map(_))); // in a mapping?
            let want_key = matches!(builder.stack.last(), Some((_, Slot::Map(None))));
            let want_value = matches!(builder.stack.last(), Some((_, Slot::Map(Some(_)))));
            let closes = (after || open) && !want_value && top == Some(c == b'}');
            match c {
                b'{' | b'[' if !after && !want_key => builder.node(pos, None, Some(c == b'{')),
                b'}' | b']' if closes => drop(builder.stack.pop()),
                b':' if after && want_value => {}
                b',' if after && !want_value && top.is_some() => {}
                b'"' if !after => {
                    while *bytes.get(i)? != b'"' {
                        i += if bytes.get(i) == Some(&b'\\') { 2 } else { 1 };
                    }
                    i += 1;
                    let key =
                        want_key.then(|| serde_json::from_str(text.get(start..i).unwrap_or("")));
                    builder.node(pos, key.transpose().ok()?, None); // bad key: left to yaml-rust2
                }
                _ if bare(&c) && !after && !want_key => {
                    while bytes.get(i).is_some_and(bare) {
                        i += 1;
                    }
                    builder.node(pos, None, None);
                }
                _ => return None,
            }
            open = matches!(c, b'{' | b'[');
            after = !open && !matches!(c, b':' | b',');
            if builder.stack.is_empty() {
                let rest = bytes.get(i..)?.trim_ascii();
                return rest.is_empty().then_some(builder.map);
            }
        }
    }
}

impl SourceMap {
    /// Position of the node at `pointer` (RFC 6901, e.g. "/paths/~1v1~1items/post/responses/200";
    /// "" is the root).
    ///
    /// For a mapping entry, the position of its key; for a sequence item, the item's start.
    /// When the exact pointer does not exist (e.g. a missing required property "/info/title"),
    /// the position of the nearest existing ancestor (the root for a malformed pointer); `None`
    /// only when the text has no document (empty, or unreadable from its start).
    pub fn locate(&self, pointer: &str) -> Option<Position> {
        self.walk(pointer).map(|(pos, _)| pos)
    }

    /// Like [`SourceMap::locate`] but only for the exact pointer: `None` when that node does not
    /// exist, instead of the position of an ancestor.
    #[allow(dead_code)] // API for callers that word "at" and "near" differently; tests use it
    pub fn locate_exact(&self, pointer: &str) -> Option<Position> {
        let (pos, exact) = self.walk(pointer)?;
        exact.then_some(pos)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Checks `pointer@line:column` items split by `;` (`-`: `None`; `?pointer`: use `locate`).
    fn check(text: &str, expected: &str) {
        let map = SourceMap::new(text);
        for item in expected.split(';') {
            let (ptr, want) = item.trim_start().rsplit_once('@').unwrap();
            let got = ptr
                .strip_prefix('?')
                .map_or_else(|| map.locate_exact(ptr), |p| map.locate(p));
            let got = got.map_or("-".into(), |p| format!("{}:{}", p.line, p.column));
            assert_eq!(got, want, "{ptr:?} in {text:?}");
        }
    }

    #[test]
    fn block_yaml_nested_maps_and_sequences() {
        check(
            "openapi: 3.0.0\ninfo:\n  version: '1'\npaths:\n  /v1/items:\n    post:\n      \
             responses:\n        200:\n          description: ok\ntags:\n  - name: a\n    \
             x: 1\n  - plain\n  - - nested\n",
            "@1:1; /info@2:1; /info/version@3:3; /paths/~1v1~1items/post/responses/200@8:9; \
             /paths/~1v1~1items/post/responses/200/description@9:11; /tags/0@11:5; \
             /tags/0/x@12:5; /tags/1@13:5; /tags/2@14:5; /tags/2/0@14:7; /tags/3@-",
        );
    }

    #[test]
    fn flow_style_and_root_kinds() {
        let text = "a: {b: [1, {c: 2}], d: x}\n";
        check(text, "/a/b@1:5; /a/b/1@1:12; /a/b/1/c@1:13; /a/d@1:21");
        check("{a: 1, b: [x]}", "@1:1; /a@1:2; /b/0@1:12");
        check("- a\n- b: 1\n", "@1:1; /1@2:3; /1/b@2:3");
        check("  hello\n", "@1:3; ?/a@1:3");
    }

    #[test]
    fn json_text() {
        let text =
            "{\n  \"openapi\": \"3.0.0\",\n  \"paths\": {\n    \"/x\": {\"get\": {}}\n  },\n  \
                    \"list\": [\n    {\"k\": 1},\n    2, [], \"s\"\n  ]\n}\n";
        check(
            text,
            "@1:1; /openapi@2:3; /paths/~1x/get@4:12; /list/0@7:5; /list/0/k@7:6; /list/1@8:5; \
             /list/2@8:8; /list/3@8:12; ?/list/2/0@8:8",
        );
        check("{\"a\\/b\": {\"\\u00e9\": 1}}", "/a~1b@1:2; /a~1b/é@1:11");
        let other = "{\"é\\n\":{\"a\\/b\":[-1.5e3,true,null,{}]},\r\n \"\\u00e9\": \"\\\"\"}";
        for text in [text, "[1]", "\"s\"", other] {
            let yaml = Nodes::from_yaml(text);
            assert_eq!(Nodes::from_json(text), Some(yaml), "{text}");
        }
        for yaml in "{a: 1}|{\"a\": 1} # c|[1,]|[1] x|- a|1: 2|{\"a\": 1|".split('|') {
            assert_eq!(Nodes::from_json(yaml), None, "{yaml}");
        }
    }

    #[test]
    fn keys_with_slash_tilde_and_quotes() {
        let text = "\"a/b\": 1\n'c~d': 2\n\"~/\": {\"e f\": 3}\nplain/key: 4\n";
        check(text, "/a~1b@1:1; /c~0d@2:1; /~0~1/e f@3:8; /plain~1key@4:1");
        check(text, "/a/b@-; ?/a/b@1:1");
    }

    #[test]
    fn missing_pointer_falls_back_to_ancestor() {
        let text = "info:\n  version: 1\nlist: [a]\n";
        check(text, "/info/title@-; ?/info/title@1:1; ?/info/title/x@1:1");
        check(text, "?/list/5@3:1; ?/nothing@1:1; ?not-a-pointer@1:1");
    }

    #[test]
    fn invalid_yaml_keeps_what_was_read() {
        check("a: 1\nb: [1, 2\nc: {\n", "/a@1:1; ?/b/9@2:1");
        check("", "?@-; ?/a@-");
        for text in "]|{|a: b: c|- a\nb: c|\t\"|&a *a|!!x|? [a]\n|{\"a\":|[[[|: :".split('|') {
            let _ = SourceMap::new(text).locate("/a/0");
        }
    }

    #[test]
    fn multi_line_strings() {
        let text = "a: |\n  one\n  two\nb: >-\n  folded\n  text\nc: \"quoted\n  on two\"\nd: [x]\n";
        check(text, "/a@1:1; /b@4:1; /c@7:1; /d/0@9:5");
    }

    #[test]
    fn anchors_aliases_and_complex_keys() {
        let text = "base: &b {x: 1}\nuse: *b\nlist:\n  - *b\n? [k]\n: {y: 2}\nafter: 1\n";
        check(
            text,
            "/base/x@1:11; /use@2:1; /use/x@-; /list/0@4:5; /after@7:1",
        );
    }
}
