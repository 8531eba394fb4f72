//! JSON pointers of the places serde failed at, so that a decoding error names its field like a
//! validation one does.

use std::borrow::Cow;

/// The JSON pointer of `path` (`/items/0/name`).
pub(crate) fn pointer_of(path: &serde_path_to_error::Path) -> String {
    use serde_path_to_error::Segment;
    let mut pointer = String::new();
    for segment in path.iter() {
        let key: Cow<'_, str> = match segment {
            Segment::Seq { index } => index.to_string().into(),
            Segment::Map { key } => key.as_str().into(),
            Segment::Enum { variant } => variant.as_str().into(),
            Segment::Unknown => continue,
        };
        pointer.push('/');
        pointer.push_str(&key.replace('~', "~0").replace('/', "~1"));
    }
    pointer
}
