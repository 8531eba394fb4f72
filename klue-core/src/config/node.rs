//! The merged configuration tree and a serde deserializer over it. Values from environment
//! variables and `.env` are text, parsed on demand into what the target field wants (a
//! number, a bool, a comma-separated list); values from `klue.yaml` keep their YAML type.

use std::collections::BTreeMap;
use std::fmt;

use serde::de::{self, Deserializer, IntoDeserializer, Unexpected, Visitor};

/// One configuration value.
#[derive(Debug, Clone)]
pub(super) enum Node {
    /// From an environment variable or `.env`: parsed as the field needs.
    Text(String),
    /// From `klue.yaml`: typed.
    Typed(serde_json::Value),
    /// A table: fields of a nested struct.
    Table(BTreeMap<String, Node>),
    /// Stands in for a value already reported as missing or malformed, so that the other
    /// problems can be found too: deserializes as an empty or zero value of any type.
    Placeholder,
}

/// A problem as serde reports it.
#[derive(Debug)]
pub(super) struct NodeError(pub(super) String);

impl fmt::Display for NodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for NodeError {}

impl de::Error for NodeError {
    fn custom<T: fmt::Display>(msg: T) -> Self {
        NodeError(msg.to_string())
    }
}

impl Node {
    /// Inserts `value` at `path`, making tables on the way (a value in the way is replaced).
    pub(super) fn insert(&mut self, path: &[String], value: Node) {
        let Some((first, rest)) = path.split_first() else {
            *self = value;
            return;
        };
        if !matches!(self, Node::Table(_)) {
            *self = Node::Table(BTreeMap::new());
        }
        if let Node::Table(table) = self {
            let child = table
                .entry(first.clone())
                .or_insert_with(|| Node::Table(BTreeMap::new()));
            if rest.is_empty() {
                *child = value;
            } else {
                child.insert(rest, value);
            }
        }
    }

    /// The node at `path`, if any.
    pub(super) fn get(&self, path: &[String]) -> Option<&Node> {
        match path.split_first() {
            None => Some(self),
            Some((first, rest)) => match self {
                Node::Table(table) => table.get(first)?.get(rest),
                _ => None,
            },
        }
    }

    /// A short rendering of a value, for error messages (never for secrets' sake: a malformed
    /// value is shown so the operator sees what was read).
    pub(super) fn shown(&self) -> String {
        match self {
            Node::Text(text) => format!("'{text}'"),
            Node::Typed(value) => value.to_string(),
            Node::Table(_) => "a table".to_owned(),
            Node::Placeholder => "nothing".to_owned(),
        }
    }

    /// Converts YAML (as JSON) into a tree whose tables are [`Node::Table`]s.
    pub(super) fn from_typed(value: serde_json::Value) -> Node {
        match value {
            serde_json::Value::Object(map) => Node::Table(
                map.into_iter()
                    .map(|(key, value)| (key.to_ascii_lowercase(), Node::from_typed(value)))
                    .collect(),
            ),
            other => Node::Typed(other),
        }
    }
}

macro_rules! parse_text {
    ($($method:ident => $visit:ident: $ty:ty,)*) => {$(
        fn $method<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, NodeError> {
            match self {
                Node::Text(text) => match text.trim().parse::<$ty>() {
                    Ok(value) => visitor.$visit(value),
                    Err(_) => Err(de::Error::invalid_value(Unexpected::Str(&text), &visitor)),
                },
                Node::Placeholder => visitor.$visit(<$ty>::default()),
                other => other.deserialize_any(visitor),
            }
        }
    )*};
}

impl<'de> Deserializer<'de> for Node {
    type Error = NodeError;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, NodeError> {
        match self {
            Node::Text(text) => visitor.visit_string(text),
            Node::Typed(value) => value
                .deserialize_any(visitor)
                .map_err(|err| NodeError(err.to_string())),
            Node::Table(table) => {
                visitor.visit_map(de::value::MapDeserializer::new(table.into_iter()))
            }
            Node::Placeholder => visitor.visit_unit(),
        }
    }

    parse_text! {
        deserialize_i8 => visit_i8: i8,
        deserialize_i16 => visit_i16: i16,
        deserialize_i32 => visit_i32: i32,
        deserialize_i64 => visit_i64: i64,
        deserialize_u8 => visit_u8: u8,
        deserialize_u16 => visit_u16: u16,
        deserialize_u32 => visit_u32: u32,
        deserialize_u64 => visit_u64: u64,
        deserialize_f32 => visit_f32: f32,
        deserialize_f64 => visit_f64: f64,
        deserialize_char => visit_char: char,
    }

    fn deserialize_bool<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, NodeError> {
        match self {
            Node::Text(text) => match text.trim().to_ascii_lowercase().as_str() {
                "true" | "1" | "yes" | "on" => visitor.visit_bool(true),
                "false" | "0" | "no" | "off" => visitor.visit_bool(false),
                _ => Err(de::Error::invalid_value(Unexpected::Str(&text), &visitor)),
            },
            Node::Placeholder => visitor.visit_bool(false),
            other => other.deserialize_any(visitor),
        }
    }

    fn deserialize_str<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, NodeError> {
        self.deserialize_string(visitor)
    }

    fn deserialize_string<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, NodeError> {
        match self {
            Node::Placeholder => visitor.visit_string(String::new()),
            other => other.deserialize_any(visitor),
        }
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, NodeError> {
        match self {
            Node::Placeholder | Node::Typed(serde_json::Value::Null) => visitor.visit_none(),
            other => visitor.visit_some(other),
        }
    }

    fn deserialize_seq<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, NodeError> {
        match self {
            // `a,b,c`: a list in one variable.
            Node::Text(text) => {
                let items: Vec<Node> = text
                    .split(',')
                    .map(str::trim)
                    .filter(|item| !item.is_empty())
                    .map(|item| Node::Text(item.to_owned()))
                    .collect();
                visitor.visit_seq(de::value::SeqDeserializer::new(items.into_iter()))
            }
            Node::Placeholder => visitor.visit_seq(de::value::SeqDeserializer::new(
                Vec::<Node>::new().into_iter(),
            )),
            other => other.deserialize_any(visitor),
        }
    }

    fn deserialize_map<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, NodeError> {
        match self {
            Node::Placeholder => visitor.visit_map(de::value::MapDeserializer::new(
                BTreeMap::<String, Node>::new().into_iter(),
            )),
            other => other.deserialize_any(visitor),
        }
    }

    fn deserialize_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, NodeError> {
        self.deserialize_map(visitor)
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        name: &'static str,
        variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, NodeError> {
        match self {
            Node::Text(text) => visitor.visit_enum(text.into_deserializer()),
            Node::Typed(value) => value
                .deserialize_enum(name, variants, visitor)
                .map_err(|err| NodeError(err.to_string())),
            Node::Placeholder => match variants.first() {
                Some(first) => visitor.visit_enum((*first).into_deserializer()),
                None => Err(de::Error::custom("an enum without variants")),
            },
            other => other.deserialize_any(visitor),
        }
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> Result<V::Value, NodeError> {
        visitor.visit_newtype_struct(self)
    }

    fn deserialize_unit<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, NodeError> {
        visitor.visit_unit()
    }

    serde::forward_to_deserialize_any! {
        i128 u128 bytes byte_buf unit_struct tuple tuple_struct identifier ignored_any
    }
}

impl<'de> IntoDeserializer<'de, NodeError> for Node {
    type Deserializer = Node;

    fn into_deserializer(self) -> Node {
        self
    }
}
