//! Source positions for JSON pointers into a YAML or JSON document.
//!
//! [`SourceMap::new`] reads the text once, with a fast reader for plain JSON and the event parser
//! of `yaml-rust2` for anything else, and records where every node of the first document starts.
//! Nodes are kept as a tree of `(parent, segment)` links, so time and memory stay linear in the
//! size of the text whatever its depth or the length of its keys.

use std::collections::HashMap;

use yaml_rust2::parser::{Event, Parser};

/// Maps JSON pointers of a YAML or JSON document to line and column in its text.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SourceMap {
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

/// Start of a node: an offset that grows along the text, and its position.
#[derive(Clone, Copy)]
struct Mark {
    offset: usize,
    pos: Position,
}

/// One open collection while reading the document.
struct Frame {
    /// Node of this collection, `None` when ignored (inside a non-scalar key).
    node: Option<usize>,
    /// A mapping, else a sequence.
    map: bool,
    /// Mapping: the next node is a key.
    expect_key: bool,
    /// Mapping: node made for the last key, to which the next value belongs.
    pending: Option<usize>,
    /// Mapping: offset of its own mark while its first key may still move it earlier
    /// (yaml-rust2 marks a block mapping just after the start of its first key).
    fix: Option<usize>,
    /// Sequence: index of the next item.
    next: usize,
}

/// Turns the nodes read by either reader into a [`SourceMap`].
#[derive(Default)]
struct Builder {
    map: SourceMap,
    stack: Vec<Frame>,
}

impl Builder {
    /// Records a scalar or alias (`key`: its text if it may be a key); true when that completes
    /// the document.
    fn leaf(&mut self, mark: Mark, key: Option<String>) -> bool {
        self.node(mark, key);
        self.stack.is_empty()
    }

    /// Records a node; `key` is its text when it is a scalar. Returns the node (if kept) and
    /// whether its position is its own mark (not the mark of its key).
    fn node(&mut self, mark: Mark, key: Option<String>) -> (Option<usize>, bool) {
        let Some(frame) = self.stack.last_mut() else {
            if !self.map.nodes.is_empty() {
                return (None, false);
            }
            self.map.nodes.push(mark.pos);
            return (Some(0), true);
        };
        if !frame.map {
            let index = frame.next;
            frame.next += 1;
            let node = frame
                .node
                .map(|parent| self.map.child(parent, index.to_string(), mark));
            return (node, true);
        }
        if !frame.expect_key {
            frame.expect_key = true;
            return (frame.pending.take(), false);
        }
        frame.expect_key = false;
        if let (Some(start), Some(node)) = (frame.fix.take(), frame.node) {
            if let Some(pos) = self.map.nodes.get_mut(node).filter(|_| mark.offset < start) {
                *pos = mark.pos;
            }
        }
        frame.pending = match (frame.node, key) {
            // RFC 6901 escaping, so that segments compare as written in pointers.
            (Some(parent), Some(key)) if key.contains(['~', '/']) => {
                let segment = key.replace('~', "~0").replace('/', "~1");
                Some(self.map.child(parent, segment, mark))
            }
            (Some(parent), Some(key)) => Some(self.map.child(parent, key, mark)),
            _ => None, // keys that are not scalars, and all inside them, are left out
        };
        (None, false)
    }

    /// Opens a mapping or a sequence (never completes the document).
    fn start(&mut self, mark: Mark, map: bool) -> bool {
        let (node, own) = self.node(mark, None);
        let fix = own.then_some(mark.offset).filter(|_| map);
        let frame = Frame {
            node,
            map,
            expect_key: true,
            pending: None,
            fix,
            next: 0,
        };
        self.stack.push(frame);
        false
    }

    /// Closes the innermost collection; true when that completes the document.
    fn end(&mut self) -> bool {
        self.stack.pop();
        self.stack.is_empty()
    }
}

/// Decodes the body of a JSON string; `None` for what is left to yaml-rust2 (`\u`, controls).
fn unescape(body: &str) -> Option<String> {
    let mut out = String::with_capacity(body.len());
    let mut chars = body.chars();
    while let Some(c) = chars.next() {
        out.push(match c {
            '\\' => match chars.next()? {
                'b' => '\u{8}',
                'f' => '\u{c}',
                'n' => '\n',
                'r' => '\r',
                't' => '\t',
                c @ ('"' | '\\' | '/') => c,
                _ => return None,
            },
            c if c < ' ' => return None,
            c => c,
        });
    }
    Some(out)
}

impl SourceMap {
    /// Builds the map from the document text. Never fails: a text that does not parse gives a map
    /// with what was read before the error (possibly empty). Only the first document is read.
    pub fn new(text: &str) -> SourceMap {
        Self::from_json(text).unwrap_or_else(|| Self::from_yaml(text))
    }

    fn child(&mut self, parent: usize, segment: String, mark: Mark) -> usize {
        let id = self.nodes.len();
        self.nodes.push(mark.pos);
        self.children.insert((parent, segment), id); // of duplicate keys, the last one wins
        id
    }

    fn from_yaml(text: &str) -> SourceMap {
        let mut builder = Builder::default();
        let mut parser = Parser::new_from_str(text);
        while let Ok((event, m)) = parser.next_token() {
            // yaml-rust2 markers: line is 1-based, column is 0-based.
            let pos = Position {
                line: m.line(),
                column: m.col() + 1,
            };
            let mark = Mark {
                offset: m.index(),
                pos,
            };
            let done = match event {
                Event::Scalar(value, ..) => builder.leaf(mark, Some(value)),
                Event::Alias(_) => builder.leaf(mark, None),
                Event::MappingStart(..) => builder.start(mark, true),
                Event::SequenceStart(..) => builder.start(mark, false),
                Event::MappingEnd | Event::SequenceEnd => builder.end(),
                Event::StreamEnd | Event::DocumentEnd => true,
                _ => false,
            };
            if done {
                break;
            }
        }
        builder.map
    }

    /// Fast reader for plain JSON, giving the same map as `from_yaml`; `None` when the text is
    /// not plain JSON, to let yaml-rust2 read it.
    fn from_json(text: &str) -> Option<SourceMap> {
        let bytes = text.as_bytes();
        let mut builder = Builder::default();
        let (mut i, mut offset, mut line, mut column) = (0, 0, 1, 1);
        let (mut after_value, mut opened) = (false, false);
        loop {
            while matches!(bytes.get(i), Some(b' ' | b'\t' | b'\n' | b'\r')) {
                i += 1;
            }
            let c = *bytes.get(i)?;
            let top = builder.stack.last().map(|f| (f.map, f.map && f.expect_key));
            let (in_map, want_key) = top.unwrap_or((false, false));
            let want_value = in_map && !want_key; // a key was read
            for &b in bytes.get(offset..i)? {
                if b == b'\n' {
                    (line, column) = (line + 1, 1);
                } else if b & 0xC0 != 0x80 {
                    column += 1; // one per character: UTF-8 continuation bytes do not count
                }
            }
            offset = i;
            let mark = Mark {
                offset,
                pos: Position { line, column },
            };
            let start = i;
            i += 1;
            let done = match c {
                b'{' | b'[' if !after_value && !want_key => {
                    builder.start(mark, c == b'{');
                    opened = true;
                    continue;
                }
                b'}' | b']' if (after_value || opened) && !want_value && top.is_some() => {
                    if in_map != (c == b'}') {
                        return None;
                    }
                    builder.end()
                }
                b':' if after_value && want_value => false,
                b',' if after_value && !want_value && top.is_some() => false,
                b'"' if !after_value => {
                    while *bytes.get(i)? != b'"' {
                        i += if bytes.get(i) == Some(&b'\\') { 2 } else { 1 };
                    }
                    i += 1;
                    let key = match want_key {
                        true => Some(unescape(text.get(start + 1..i - 1)?)?),
                        false => None,
                    };
                    builder.leaf(mark, key)
                }
                b'-' | b'0'..=b'9' | b'a'..=b'z' if !after_value && !want_key => {
                    while matches!(
                        bytes.get(i),
                        Some(b'-' | b'+' | b'.' | b'E' | b'0'..=b'9' | b'a'..=b'z')
                    ) {
                        i += 1;
                    }
                    builder.leaf(mark, None)
                }
                _ => return None,
            };
            after_value = !matches!(c, b':' | b',');
            opened = false;
            if done {
                let rest = bytes.get(i..)?;
                return rest
                    .iter()
                    .all(u8::is_ascii_whitespace)
                    .then_some(builder.map);
            }
        }
    }

    /// Walks `pointer` as far as it exists: the deepest node reached and whether it is exact.
    fn walk(&self, pointer: &str) -> Option<(Position, bool)> {
        let (mut node, mut exact) = (0, pointer.is_empty());
        if let Some(rest) = pointer.strip_prefix('/') {
            exact = true;
            for segment in rest.split('/') {
                match self.children.get(&(node, segment.to_owned())) {
                    Some(&child) => node = child,
                    None => {
                        exact = false;
                        break;
                    }
                }
            }
        }
        self.nodes.get(node).map(|&pos| (pos, exact))
    }

    /// Position of the node at `pointer` (RFC 6901, e.g. "/paths/~1v1~1items/post/responses/200";
    /// "" is the root).
    ///
    /// For a mapping entry, the position of its key; for a sequence item, the item's start.
    /// When the exact pointer does not exist (e.g. a missing required property "/info/title"),
    /// the position of the nearest existing ancestor (the root for a malformed pointer).
    /// `None` only when the text has no document (empty, or unreadable from its start).
    pub fn locate(&self, pointer: &str) -> Option<Position> {
        self.walk(pointer).map(|(pos, _)| pos)
    }

    /// Like [`SourceMap::locate`] but only for the exact pointer: `None` when that node does not
    /// exist, instead of the position of an ancestor.
    pub fn locate_exact(&self, pointer: &str) -> Option<Position> {
        self.walk(pointer)
            .and_then(|(pos, exact)| exact.then_some(pos))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `expected`: `pointer@line:column` items split by `;`, with `-` for `None`;
    /// a `?` before the pointer uses `locate` instead of `locate_exact`.
    fn check(text: &str, expected: &str) {
        let map = SourceMap::new(text);
        for item in expected.split(';') {
            let (pointer, want) = item.trim_start().rsplit_once('@').unwrap();
            let got = match pointer.strip_prefix('?') {
                Some(pointer) => map.locate(pointer),
                None => map.locate_exact(pointer),
            };
            let got = got.map_or("-".into(), |p| format!("{}:{}", p.line, p.column));
            assert_eq!(got, want, "{pointer:?} in {text:?}");
        }
    }

    #[test]
    fn block_yaml_nested_maps_and_sequences() {
        let text = "openapi: 3.0.0\ninfo:\n  version: '1'\npaths:\n  /v1/items:\n    post:\n      \
                    responses:\n        200:\n          description: ok\ntags:\n  - name: a\n    \
                    x: 1\n  - plain\n  - - nested\n";
        check(
            text,
            "@1:1; /info@2:1; /info/version@3:3; /paths/~1v1~1items/post/responses/200@8:9",
        );
        check(
            text,
            "/paths/~1v1~1items/post/responses/200/description@9:11; /tags/0@11:5",
        );
        check(
            text,
            "/tags/0/x@12:5; /tags/1@13:5; /tags/2@14:5; /tags/2/0@14:7; /tags/3@-",
        );
    }

    #[test]
    fn flow_style_and_root_kinds() {
        check(
            "a: {b: [1, {c: 2}], d: x}\n",
            "/a/b@1:5; /a/b/1@1:12; /a/b/1/c@1:13; /a/d@1:21",
        );
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
            "@1:1; /openapi@2:3; /paths/~1x/get@4:12; /list/0@7:5; /list/0/k@7:6",
        );
        check(
            text,
            "/list/1@8:5; /list/2@8:8; /list/3@8:12; ?/list/2/0@8:8",
        );
        let texts = [
            text,
            "[1]",
            "{\"é\\n\":{\"a\\/b\":[-1.5e3,true,null,{}]},\r\n \"ü\": \"\\\"\"}",
        ];
        for text in texts {
            assert_eq!(
                SourceMap::from_json(text),
                Some(SourceMap::from_yaml(text)),
                "{text}"
            );
        }
        for yaml in [
            "{a: 1}",
            "{\"a\": 1} # c",
            "[1,]",
            "[1] x",
            "{\"\\u0041\": 1}",
            "- a",
            "1: 2",
        ] {
            assert_eq!(SourceMap::from_json(yaml), None, "{yaml}");
        }
        check("{\"a\\/b\": {\"\\u0041\": 1}}", "/a~1b@1:2; /a~1b/A@1:11");
    }

    #[test]
    fn keys_with_slash_tilde_and_quotes() {
        let text = "\"a/b\": 1\n'c~d': 2\n\"~/\": {\"e f\": 3}\nplain/key: 4\n";
        check(
            text,
            "/a~1b@1:1; /c~0d@2:1; /~0~1/e f@3:8; /plain~1key@4:1; /a/b@-; ?/a/b@1:1",
        );
    }

    #[test]
    fn missing_pointer_falls_back_to_ancestor() {
        let text = "info:\n  version: 1\nlist: [a]\n";
        check(
            text,
            "/info/title@-; ?/info/title@1:1; ?/info/title/x@1:1; ?/list/5@3:1",
        );
        check(text, "?/nothing@1:1; ?not-a-pointer@1:1; not-a-pointer@-");
    }

    #[test]
    fn invalid_yaml_keeps_what_was_read() {
        check("a: 1\nb: [1, 2\nc: {\n", "/a@1:1; ?/b/9@2:1");
        check("", "?@-; ?/a@-");
        let texts = [
            "]",
            "{",
            "a: b: c",
            "- a\nb: c",
            "\t\"",
            "&a *a",
            "!!x",
            "? [a]\n",
            "{\"a\":",
        ];
        for text in texts {
            let map = SourceMap::new(text);
            let _ = (map.locate(""), map.locate("/a/0"), map.locate_exact("/"));
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
