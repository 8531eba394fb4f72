//! Media types: matching a request's `Content-Type` against the types an operation declares.

/// Whether a request's media type `essence` (without parameters) is the declared type
/// `accepted`: case-insensitive, ignoring the declared type's parameters, and with `*/*` and
/// `type/*` matching any type and any subtype.
pub(crate) fn media_matches(accepted: &str, essence: &str) -> bool {
    let accepted = accepted.split(';').next().unwrap_or("").trim();
    if accepted == "*/*" || accepted == "*" {
        return true;
    }
    match accepted.strip_suffix("/*") {
        Some(kind) => essence
            .split_once('/')
            .is_some_and(|(k, _)| k.eq_ignore_ascii_case(kind)),
        None => accepted.eq_ignore_ascii_case(essence),
    }
}

#[cfg(test)]
mod tests {
    use super::media_matches;

    #[test]
    fn media_types_match_exactly_or_by_wildcard() {
        assert!(media_matches("application/json", "Application/JSON"));
        assert!(media_matches(
            "application/json; charset=utf-8",
            "application/json"
        ));
        assert!(media_matches("*/*", "image/png"));
        assert!(media_matches("image/*", "image/png"));
        assert!(!media_matches("image/*", "text/plain"));
        assert!(!media_matches("application/json", "text/plain"));
    }
}
