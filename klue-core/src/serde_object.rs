//! Decoding generated structs from JSON objects only, and optional fields from values only.
//!
//! serde's derived `Deserialize` for a struct also accepts a sequence of its fields in order
//! (`["text", 3]` for `{text, priority}`), which JSON Schema's `type: object` does not. Generated
//! structs derive their code with `#[serde(remote = "Self")]` (an inherent `deserialize`) and
//! implement the trait through [`object_serde!`](crate::object_serde), which hands the derived
//! code an [`ObjectOnly`] deserializer: its `deserialize_struct` asks for a map, so a sequence
//! is a type error. The wrapper only forwards calls: no allocation, no extra pass.

use serde::de::{Deserializer, Visitor};
use serde::Deserialize;

/// Deserializes an optional field that is not nullable: absent is `None` (through
/// `#[serde(default)]`), a value is `Some`, and `null` is an error, as the schema says.
pub fn deserialize_non_null<'de, D, T>(deserializer: D) -> Result<Option<T>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    T::deserialize(deserializer).map(Some)
}

/// A deserializer that reads a struct from a map only (see the module's documentation).
#[derive(Debug)]
pub struct ObjectOnly<D>(pub D);

macro_rules! forward {
    ($($method:ident),*) => {$(
        fn $method<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Self::Error> {
            self.0.$method(visitor)
        }
    )*};
}

impl<'de, D: Deserializer<'de>> Deserializer<'de> for ObjectOnly<D> {
    type Error = D::Error;

    forward!(
        deserialize_any,
        deserialize_bool,
        deserialize_i8,
        deserialize_i16,
        deserialize_i32,
        deserialize_i64,
        deserialize_i128,
        deserialize_u8,
        deserialize_u16,
        deserialize_u32,
        deserialize_u64,
        deserialize_u128,
        deserialize_f32,
        deserialize_f64,
        deserialize_char,
        deserialize_str,
        deserialize_string,
        deserialize_bytes,
        deserialize_byte_buf,
        deserialize_option,
        deserialize_unit,
        deserialize_seq,
        deserialize_map,
        deserialize_identifier,
        deserialize_ignored_any
    );

    fn deserialize_unit_struct<V: Visitor<'de>>(
        self,
        name: &'static str,
        visitor: V,
    ) -> Result<V::Value, Self::Error> {
        self.0.deserialize_unit_struct(name, visitor)
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        name: &'static str,
        visitor: V,
    ) -> Result<V::Value, Self::Error> {
        self.0.deserialize_newtype_struct(name, visitor)
    }

    fn deserialize_tuple<V: Visitor<'de>>(
        self,
        len: usize,
        visitor: V,
    ) -> Result<V::Value, Self::Error> {
        self.0.deserialize_tuple(len, visitor)
    }

    fn deserialize_tuple_struct<V: Visitor<'de>>(
        self,
        name: &'static str,
        len: usize,
        visitor: V,
    ) -> Result<V::Value, Self::Error> {
        self.0.deserialize_tuple_struct(name, len, visitor)
    }

    /// The one change: a struct is read from a map, never from a sequence.
    fn deserialize_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Self::Error> {
        self.0.deserialize_map(visitor)
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        name: &'static str,
        variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Self::Error> {
        self.0.deserialize_enum(name, variants, visitor)
    }

    fn is_human_readable(&self) -> bool {
        self.0.is_human_readable()
    }
}

/// Implements `Serialize` and `Deserialize` for a generated struct whose derived code is
/// inherent (`#[serde(remote = "Self")]`), deserializing it from JSON objects only.
#[macro_export]
#[doc(hidden)]
macro_rules! object_serde {
    ($name:ident) => {
        impl $crate::codegen::serde::Serialize for $name {
            fn serialize<S: $crate::codegen::serde::Serializer>(
                &self,
                serializer: S,
            ) -> Result<S::Ok, S::Error> {
                $name::serialize(self, serializer)
            }
        }
        impl<'de> $crate::codegen::serde::Deserialize<'de> for $name {
            fn deserialize<D: $crate::codegen::serde::Deserializer<'de>>(
                deserializer: D,
            ) -> Result<Self, D::Error> {
                $name::deserialize($crate::codegen::ObjectOnly(deserializer))
            }
        }
    };
}

/// Deserializes a required, nullable field: it must be present, and may be `null` (`None`).
/// (A plain `Option` field would also accept its absence.)
pub fn deserialize_nullable<'de, D, T>(deserializer: D) -> Result<Option<T>, D::Error>
where
    D: serde::Deserializer<'de>,
    T: serde::Deserialize<'de>,
{
    <Option<T> as serde::Deserialize>::deserialize(deserializer)
}

/// Deserializes an optional, nullable field so that absent (`None`, through `#[serde(default)]`),
/// `null` (`Some(None)`) and a value (`Some(Some(v))`) stay distinct.
pub fn deserialize_present<'de, D, T>(deserializer: D) -> Result<Option<Option<T>>, D::Error>
where
    D: serde::Deserializer<'de>,
    T: serde::Deserialize<'de>,
{
    <Option<T> as serde::Deserialize>::deserialize(deserializer).map(Some)
}

#[cfg(test)]
mod tests {
    use serde::{Deserialize, Serialize};

    #[derive(Debug, PartialEq, Serialize, Deserialize)]
    #[serde(remote = "Self")]
    struct Message {
        text: String,
        #[serde(
            default,
            deserialize_with = "super::deserialize_non_null",
            skip_serializing_if = "Option::is_none"
        )]
        tags: Option<Vec<String>>,
    }
    crate::object_serde!(Message);

    #[test]
    fn structs_come_from_objects_only() {
        let message: Message = serde_json::from_str(r#"{"text":"hi","tags":["a"]}"#).unwrap();
        assert_eq!(message.tags, Some(vec!["a".to_owned()]));
        assert_eq!(
            serde_json::to_string(&message).unwrap(),
            r#"{"text":"hi","tags":["a"]}"#
        );
        let absent: Message = serde_json::from_str(r#"{"text":"hi"}"#).unwrap();
        assert_eq!(absent.tags, None);
        for positional in [r#"["hi"]"#, r#"["hi", ["a"]]"#, "[]"] {
            let err = serde_json::from_str::<Message>(positional).unwrap_err();
            assert!(err.to_string().contains("invalid type: sequence"), "{err}");
        }
        let from_value = serde_json::from_value::<Message>(serde_json::json!(["hi"]));
        assert!(from_value.is_err());
        assert!(serde_json::from_str::<Message>(r#"{"text":"hi","tags":null}"#).is_err());
    }
}
