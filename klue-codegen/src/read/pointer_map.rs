//! Where the nodes of a converted document came from. Swagger 2.0 and OpenAPI 3.1 specs are
//! converted to 3.0 before they are read; diagnostics name pointers of the converted document,
//! and this map turns them back into pointers of the file the user wrote.

/// Pairs (pointer in the converted document, pointer in the original), recorded as nodes move.
#[derive(Debug, Default)]
pub(crate) struct PointerMap(Vec<(String, String)>);

impl PointerMap {
    /// Records that the node at `converted` came from `original` (nothing when they are equal).
    pub(crate) fn record(&mut self, converted: impl Into<String>, original: impl Into<String>) {
        let (converted, original) = (converted.into(), original.into());
        if converted != original {
            self.0.push((converted, original));
        }
    }

    /// The original pointer of a converted one: the longest recorded prefix (at a segment
    /// boundary) is replaced; a pointer under no recorded prefix is the same in both documents.
    pub(crate) fn original(&self, pointer: &str) -> String {
        let best = self
            .0
            .iter()
            .filter(|(new, _)| {
                pointer == new
                    || (pointer.starts_with(new.as_str())
                        && pointer.as_bytes().get(new.len()) == Some(&b'/'))
            })
            .max_by_key(|(new, _)| new.len());
        match best {
            Some((new, original)) => format!("{original}{}", &pointer[new.len()..]),
            None => pointer.to_owned(),
        }
    }

    /// Where the node put at exactly `converted` came from, if it was moved there.
    pub(crate) fn exact(&self, converted: &str) -> Option<&str> {
        self.0
            .iter()
            .rev()
            .find(|(new, _)| new == converted)
            .map(|(_, original)| original.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::PointerMap;

    #[test]
    fn the_longest_recorded_prefix_wins_at_segment_boundaries() {
        let mut map = PointerMap::default();
        map.record("/components/schemas", "/definitions");
        map.record(
            "/components/schemas/A/properties/x",
            "/definitions/A/x-moved",
        );
        map.record("/same", "/same");
        assert_eq!(
            map.original("/components/schemas/B/type"),
            "/definitions/B/type"
        );
        assert_eq!(
            map.original("/components/schemas/A/properties/x/type"),
            "/definitions/A/x-moved/type"
        );
        assert_eq!(map.original("/components/schemasX"), "/components/schemasX");
        assert_eq!(map.original("/paths"), "/paths");
        assert_eq!(map.exact("/components/schemas"), Some("/definitions"));
        assert_eq!(map.exact("/same"), None);
    }
}
