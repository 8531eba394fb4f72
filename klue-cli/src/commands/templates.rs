//! Rendering the files klue writes (the `klue new` scaffold, Dockerfiles, `.ebextensions`) from
//! minijinja templates kept under `klue-cli/templates/`.

use minijinja::{AutoEscape, Environment, UndefinedBehavior};
use serde::Serialize;

use super::UserError;

/// Renders `source` (the template `name`) with `context`. Strict: a variable the template uses
/// and the context lacks is an error, not an empty string.
pub fn render(name: &str, source: &str, context: impl Serialize) -> Result<String, UserError> {
    let mut env = Environment::new();
    env.set_keep_trailing_newline(true);
    env.set_undefined_behavior(UndefinedBehavior::Strict);
    env.set_auto_escape_callback(|_| AutoEscape::None);
    let broken = |err: minijinja::Error| {
        UserError::plain(format!(
            "template {name} (a bug in klue, please report it): {err:#}"
        ))
    };
    env.add_template(name, source).map_err(broken)?;
    env.get_template(name)
        .and_then(|template| template.render(context))
        .map_err(broken)
}

/// `text` as a TOML (or YAML) double-quoted string: JSON's escapes are valid in both.
pub fn quoted(text: &str) -> String {
    serde_json::Value::String(text.to_owned()).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn missing_variables_are_errors() {
        let err = render("t", "{{ missing }}", serde_json::json!({})).unwrap_err();
        assert!(err.message.contains("template t"), "{}", err.message);
        assert_eq!(
            render("t", "a {{ x }}\n", serde_json::json!({"x": "<b>"})).unwrap(),
            "a <b>\n"
        );
    }

    #[test]
    fn quoting_escapes() {
        assert_eq!(quoted(r#"C:\a "b""#), r#""C:\\a \"b\"""#);
    }
}
