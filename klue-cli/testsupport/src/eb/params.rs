//! Reading a query-protocol form: scalars, `X.member.N` lists, `OptionSettings.member.N.*`.

use super::ApiError;

/// The decoded form of one request.
#[derive(Debug)]
pub struct Params(Vec<(String, String)>);

/// One `OptionSettings` entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OptionSetting {
    pub namespace: String,
    pub name: String,
    pub value: String,
}

impl Params {
    #[cfg(test)]
    pub fn from_pairs(pairs: &[(&str, &str)]) -> Self {
        Self(
            pairs
                .iter()
                .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
                .collect(),
        )
    }

    pub fn parse(body: &[u8]) -> Self {
        Self(
            form_urlencoded::parse(body)
                .map(|(k, v)| (k.into_owned(), v.into_owned()))
                .collect(),
        )
    }

    pub fn get(&self, name: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
            .filter(|v| !v.is_empty())
    }

    pub fn required(&self, name: &str) -> Result<&str, ApiError> {
        self.get(name).ok_or_else(|| {
            ApiError::new(
                "MissingParameter",
                format!("The request must contain the parameter {name}"),
            )
        })
    }

    pub fn flag(&self, name: &str) -> Option<bool> {
        self.get(name).map(|v| v.eq_ignore_ascii_case("true"))
    }

    /// `NAME.member.1`, `NAME.member.2`, ... in index order.
    pub fn list(&self, name: &str) -> Vec<String> {
        let prefix = format!("{name}.member.");
        let mut items: Vec<(u32, String)> = self
            .0
            .iter()
            .filter_map(|(k, v)| {
                let index = k.strip_prefix(&prefix)?.parse().ok()?;
                Some((index, v.clone()))
            })
            .collect();
        items.sort();
        items.into_iter().map(|(_, v)| v).collect()
    }

    /// `OptionSettings.member.N.{Namespace,OptionName,Value}` in index order.
    pub fn option_settings(&self) -> Vec<OptionSetting> {
        let mut indexes: Vec<u32> = self
            .0
            .iter()
            .filter_map(|(k, _)| {
                let rest = k.strip_prefix("OptionSettings.member.")?;
                rest.split('.').next()?.parse().ok()
            })
            .collect();
        indexes.sort();
        indexes.dedup();
        indexes
            .into_iter()
            .map(|i| {
                let field = |f: &str| {
                    self.get(&format!("OptionSettings.member.{i}.{f}"))
                        .unwrap_or_default()
                        .to_owned()
                };
                OptionSetting {
                    namespace: field("Namespace"),
                    name: field("OptionName"),
                    value: field("Value"),
                }
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_and_option_settings_are_read_in_index_order() {
        let params = Params::parse(
            b"Action=X&EnvironmentNames.member.2=b&EnvironmentNames.member.1=a\
              &OptionSettings.member.10.Namespace=n2&OptionSettings.member.10.OptionName=o2\
              &OptionSettings.member.10.Value=v%3D2\
              &OptionSettings.member.2.Namespace=n1&OptionSettings.member.2.OptionName=o1\
              &OptionSettings.member.2.Value=v1&Empty=",
        );
        assert_eq!(params.list("EnvironmentNames"), ["a", "b"]);
        let settings = params.option_settings();
        assert_eq!(settings.len(), 2);
        assert_eq!(settings[0].name, "o1");
        assert_eq!(settings[1].value, "v=2");
        assert_eq!(params.get("Empty"), None);
        assert!(params.required("Missing").is_err());
    }
}
