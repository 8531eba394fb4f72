//! The claims of a verified token.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// The registered claims other than `sub`, kept out of the map: a map insert per claim is
/// measurable on the request path, and ordinary tokens carry only these.
const REGISTERED: [&str; 6] = ["iss", "aud", "exp", "nbf", "iat", "jti"];

/// The claims of a verified token.
///
/// (De)serialized by hand rather than with `#[serde(flatten)]`, which buffers every claim
/// through serde's intermediate representation: this runs on every authenticated request.
#[derive(Debug, Clone, PartialEq)]
pub struct Claims {
    /// The subject: the user the token was issued to.
    pub sub: String,
    /// `iss`, `aud`, `exp`, `nbf`, `iat`, `jti`, in the order of [`REGISTERED`].
    registered: [Option<Value>; 6],
    /// Every other claim (custom ones: `role`, `scope`...).
    pub extra: Map<String, Value>,
}

impl Serialize for Claims {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let mut map = serializer.serialize_map(None)?;
        map.serialize_entry("sub", &self.sub)?;
        for (name, value) in REGISTERED.iter().zip(&self.registered) {
            if let Some(value) = value {
                map.serialize_entry(name, value)?;
            }
        }
        for (name, value) in &self.extra {
            map.serialize_entry(name, value)?;
        }
        map.end()
    }
}

impl<'de> Deserialize<'de> for Claims {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct ClaimsVisitor;

        impl<'de> serde::de::Visitor<'de> for ClaimsVisitor {
            type Value = Claims;

            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a JWT claims object with a string `sub`")
            }

            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                mut map: A,
            ) -> Result<Claims, A::Error> {
                let mut sub = None;
                let mut registered: [Option<Value>; 6] = Default::default();
                let mut extra = Map::new();
                while let Some(ClaimName(name)) = map.next_key::<ClaimName<'de>>()? {
                    if name == "sub" {
                        if sub.is_some() {
                            return Err(serde::de::Error::duplicate_field("sub"));
                        }
                        sub = Some(map.next_value::<String>()?);
                    } else if let Some(i) = REGISTERED.iter().position(|r| *r == name) {
                        registered[i] = Some(map.next_value::<Value>()?);
                    } else {
                        let value = map.next_value::<Value>()?;
                        extra.insert(name.into_owned(), value);
                    }
                }
                let sub = sub.ok_or_else(|| serde::de::Error::missing_field("sub"))?;
                Ok(Claims {
                    sub,
                    registered,
                    extra,
                })
            }
        }

        deserializer.deserialize_map(ClaimsVisitor)
    }
}

/// A claim name, borrowed from the token's JSON when it has no escapes (serde's own `Cow`
/// always allocates).
struct ClaimName<'de>(std::borrow::Cow<'de, str>);

impl<'de> Deserialize<'de> for ClaimName<'de> {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct NameVisitor;

        impl<'de> serde::de::Visitor<'de> for NameVisitor {
            type Value = ClaimName<'de>;

            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a claim name")
            }

            fn visit_borrowed_str<E>(self, name: &'de str) -> Result<Self::Value, E> {
                Ok(ClaimName(std::borrow::Cow::Borrowed(name)))
            }

            fn visit_str<E>(self, name: &str) -> Result<Self::Value, E> {
                Ok(ClaimName(std::borrow::Cow::Owned(name.to_owned())))
            }

            fn visit_string<E>(self, name: String) -> Result<Self::Value, E> {
                Ok(ClaimName(std::borrow::Cow::Owned(name)))
            }
        }

        deserializer.deserialize_str(NameVisitor)
    }
}

impl Claims {
    /// Claims for `sub` with `others`; registered names (`exp`, `aud`...) among them are
    /// recognised as such.
    pub fn new(sub: impl Into<String>, others: Map<String, Value>) -> Self {
        let mut claims = Claims {
            sub: sub.into(),
            registered: Default::default(),
            extra: Map::new(),
        };
        for (name, value) in others {
            match REGISTERED.iter().position(|r| *r == name) {
                Some(i) => claims.registered[i] = Some(value),
                None if name == "sub" => {}
                None => {
                    claims.extra.insert(name, value);
                }
            }
        }
        claims
    }

    /// The user id (`sub`).
    pub fn user_id(&self) -> &str {
        &self.sub
    }

    /// Any claim other than `sub` by name (`exp`, `aud`, or a custom one).
    pub fn get(&self, name: &str) -> Option<&Value> {
        match REGISTERED.iter().position(|r| *r == name) {
            Some(i) => self.registered[i].as_ref(),
            None => self.extra.get(name),
        }
    }
}
