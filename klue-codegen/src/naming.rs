//! Rust names from spec names: deterministic, valid, and free of keyword clashes.

use heck::{ToShoutySnakeCase, ToSnakeCase, ToUpperCamelCase};

const KEYWORDS: &[&str] = &[
    "as", "async", "await", "break", "const", "continue", "crate", "dyn", "else", "enum", "extern",
    "false", "fn", "for", "gen", "if", "impl", "in", "let", "loop", "match", "mod", "move", "mut",
    "pub", "ref", "return", "self", "Self", "static", "struct", "super", "trait", "true", "type",
    "unsafe", "use", "where", "while", "abstract", "become", "box", "do", "final", "macro",
    "override", "priv", "try", "typeof", "unsized", "virtual", "yield",
];

/// Prelude types and traits generated code names without a path: no generated type may take
/// these names. (`Ok`, `Err`, `Some` and `None` are values: a struct, enum or alias of that
/// name lives in the type namespace and does not shadow them.)
pub const PRELUDE_NAMES: &[&str] = &[
    "AsRef",
    "Box",
    "Clone",
    "Copy",
    "Debug",
    "Default",
    "Drop",
    "Eq",
    "Fn",
    "FnMut",
    "FnOnce",
    "From",
    "Hash",
    "Into",
    "Iterator",
    "Option",
    "Ord",
    "Output",
    "PartialEq",
    "PartialOrd",
    "Result",
    "Self",
    "Send",
    "Sized",
    "String",
    "Sync",
    "ToOwned",
    "ToString",
    "Unpin",
    "Vec",
];

/// Keeps letters, digits and `_`; other characters separate words.
fn words(name: &str) -> String {
    name.chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { ' ' })
        .collect()
}

/// `snake_case` identifier text (without `r#`); empty when the name has no letter or digit.
pub fn snake(name: &str) -> String {
    let snake = words(name).to_snake_case();
    if snake.is_empty() {
        return snake;
    }
    if snake.starts_with(|c: char| c.is_ascii_digit()) {
        format!("_{snake}")
    } else {
        snake
    }
}

/// A field or method identifier: `snake`, with keywords made raw (`r#type`) or suffixed
/// where they cannot be raw (`self_`).
pub fn field(name: &str) -> String {
    let snake = snake(name);
    match snake.as_str() {
        "" => "field".to_owned(),
        "self" | "super" | "crate" | "Self" => format!("{snake}_"),
        s if KEYWORDS.contains(&s) => format!("r#{snake}"),
        _ => snake,
    }
}

/// `UpperCamelCase` type name; digits first get a `T` prefix.
pub fn camel(name: &str) -> String {
    let camel = words(name).to_upper_camel_case();
    if camel.starts_with(|c: char| c.is_ascii_digit()) {
        format!("T{camel}")
    } else if camel == "Self" {
        "Self_".to_owned()
    } else {
        camel
    }
}

/// `SHOUTY_SNAKE` name for statics.
pub fn shouty(name: &str) -> String {
    words(name).to_shouty_snake_case()
}

/// A variant name for an enum value: its words in `UpperCamelCase`, or a spelled-out name for
/// punctuation (`"!"` -> `Bang`), so every value gets a readable variant.
pub fn variant(value: &str) -> String {
    let camel = camel(value);
    if !camel.is_empty() {
        if camel.starts_with('T') && value.starts_with(|c: char| c.is_ascii_digit()) {
            return format!("V{}", &camel[1..]);
        }
        return camel;
    }
    if value.is_empty() {
        return "Empty".to_owned();
    }
    value
        .chars()
        .map(|c| match c {
            '.' => "Dot".to_owned(),
            '!' => "Bang".to_owned(),
            '?' => "Question".to_owned(),
            '-' => "Minus".to_owned(),
            '+' => "Plus".to_owned(),
            '*' => "Star".to_owned(),
            '/' => "Slash".to_owned(),
            '_' => "Underscore".to_owned(),
            ' ' => "Space".to_owned(),
            '=' => "Equals".to_owned(),
            '<' => "Less".to_owned(),
            '>' => "Greater".to_owned(),
            '@' => "At".to_owned(),
            '#' => "Hash".to_owned(),
            '$' => "Dollar".to_owned(),
            '%' => "Percent".to_owned(),
            '&' => "Amp".to_owned(),
            ',' => "Comma".to_owned(),
            ':' => "Colon".to_owned(),
            ';' => "Semicolon".to_owned(),
            c => format!("U{:04X}", c as u32),
        })
        .collect()
}

/// Makes `candidate` unique among `taken` by appending 2, 3, ...
pub fn unique(candidate: String, taken: &mut std::collections::BTreeSet<String>) -> String {
    if taken.insert(candidate.clone()) {
        return candidate;
    }
    (2..)
        .map(|n| format!("{candidate}{n}"))
        .find(|name| taken.insert(name.clone()))
        .unwrap_or(candidate)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_valid_rust() {
        assert_eq!(field("type"), "r#type");
        assert_eq!(field("self"), "self_");
        assert_eq!(field("X-Greeting-Punctuation"), "x_greeting_punctuation");
        assert_eq!(field("2fa"), "_2fa");
        assert_eq!(camel("new_item"), "NewItem");
        assert_eq!(camel("404"), "T404");
        assert_eq!(shouty("NewItem"), "NEW_ITEM");
        assert_eq!(variant("!"), "Bang");
        assert_eq!(variant("en-GB"), "EnGb");
        assert_eq!(variant("1st"), "V1st");
        assert_eq!(variant(""), "Empty");
    }
}
