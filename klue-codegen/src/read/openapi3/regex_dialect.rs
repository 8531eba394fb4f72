//! Patterns written for other regex engines (Java, ECMAScript, PCRE) in the `regex` crate's
//! syntax, where a plain rewrite exists: possessive quantifiers become greedy ones (same
//! matches for the patterns specs write), Java's `\p{Alpha}`-style classes become their
//! Unicode or ASCII equivalents, and `\Z` becomes `\z`. One look-ahead idiom, AWS' "not
//! blank" `^(?!\s*$).+` (in most of its specs), is rewritten without the look-ahead.

/// The pattern with the known foreign constructs rewritten.
pub(crate) fn translate(pattern: &str) -> String {
    // A first character that is not a line break (`.+`), and a non-space somewhere (`(?!\s*$)`):
    // either the first character is not a space, or a non-space follows a first space.
    if pattern == r"^(?!\s*$).+" {
        return r"^(?:\S|[^\S\n][\s\S]*\S)".to_owned();
    }
    let mut out = String::with_capacity(pattern.len());
    let chars: Vec<char> = pattern.chars().collect();
    let mut i = 0;
    let mut in_class = false;
    // Whether the last thing written is a quantifier (so a `+` after it makes it possessive).
    let mut after_quantifier = false;
    while i < chars.len() {
        let c = chars[i];
        if c == '\\' && i + 1 < chars.len() {
            after_quantifier = false;
            let next = chars[i + 1];
            match next {
                'p' | 'P' if chars.get(i + 2) == Some(&'{') => {
                    let close = chars[i + 2..].iter().position(|&c| c == '}');
                    if let Some(close) = close {
                        let name: String = chars[i + 3..i + 2 + close].iter().collect();
                        out.push_str(&property_class(next, &name));
                        i += 3 + close;
                        continue;
                    }
                }
                'Z' => {
                    out.push_str("\\z");
                    i += 2;
                    continue;
                }
                _ => {}
            }
            out.push(c);
            out.push(next);
            i += 2;
            continue;
        }
        match c {
            '[' if !in_class => in_class = true,
            ']' if in_class => in_class = false,
            // A possessive quantifier (`a*+`, `a++`, `a?+`, `a{2}+`): read as greedy.
            '+' if !in_class && after_quantifier => {
                after_quantifier = false;
                i += 1;
                continue;
            }
            _ => {}
        }
        after_quantifier = !in_class && matches!(c, '*' | '+' | '?' | '}');
        out.push(c);
        i += 1;
    }
    out
}

/// Java's POSIX-style and `java*` property classes in `regex` syntax.
fn property_class(negate: char, name: &str) -> String {
    let class = match name {
        "Lower" | "javaLowerCase" => "a-z",
        "Upper" | "javaUpperCase" => "A-Z",
        "Alpha" => "a-zA-Z",
        "Digit" => "0-9",
        "Alnum" => "a-zA-Z0-9",
        "Punct" => "!-/:-@\\[-`{-~",
        "Graph" => "!-~",
        "Print" => " -~",
        "Blank" => " \\t",
        "Space" | "javaWhitespace" => "\\s",
        "XDigit" => "0-9a-fA-F",
        "Cntrl" => "\\x00-\\x1F\\x7F",
        "ASCII" => "\\x00-\\x7F",
        "IsAlphabetic" | "javaLetter" => return format!("\\{negate}{{Alphabetic}}"),
        "IsDigit" | "javaDigit" => return format!("\\{negate}{{Nd}}"),
        "IsLetter" => return format!("\\{negate}{{L}}"),
        "javaLetterOrDigit" => {
            return if negate == 'p' {
                "[\\p{L}\\p{Nd}]".to_owned()
            } else {
                "[^\\p{L}\\p{Nd}]".to_owned()
            }
        }
        other => {
            let other = other.strip_prefix("Is").unwrap_or(other);
            return format!("\\{negate}{{{other}}}");
        }
    };
    if negate == 'p' {
        format!("[{class}]")
    } else {
        format!("[^{class}]")
    }
}

#[cfg(test)]
mod tests {
    use super::translate;

    #[test]
    fn foreign_constructs_are_rewritten() {
        assert_eq!(translate(r"^[a-z]++$"), r"^[a-z]+$");
        assert_eq!(translate(r"^\p{Alpha}*+\Z"), r"^[a-zA-Z]*\z");
        assert_eq!(translate(r"^\*+$"), r"^\*+$");
        assert_eq!(translate(r"^\P{Digit}+$"), r"^[^0-9]+$");
        assert_eq!(translate(r"^a+$"), r"^a+$");
        let not_blank = regex::Regex::new(&translate(r"^(?!\s*$).+")).unwrap();
        for (text, matches) in [
            ("a", true),
            ("  a ", true),
            (" \n a", true),
            ("", false),
            ("   ", false),
            (" \n ", false),
            ("\na", false),
        ] {
            assert_eq!(not_blank.is_match(text), matches, "{text:?}");
        }
        for translated in [
            translate(r"^[\p{L}\p{Z}]*+$"),
            translate(r"^\p{IsAlphabetic}+$"),
        ] {
            assert!(regex::Regex::new(&translated).is_ok(), "{translated}");
        }
    }
}
