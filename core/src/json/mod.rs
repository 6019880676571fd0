//! JSON inputs that must be objects (options, inventory, image config): a small tree whose
//! strings borrow from the text, how to say why a document was refused, and typed field readers
//! over the tree (`fields`). They check what serde's derive did (unknown and missing fields,
//! types, a key given once) in far less WebAssembly, and nearly as fast: a tree of `Vec`s and
//! borrowed strings costs few allocations, unlike `serde_json::Value`'s maps.

mod fields;

use std::borrow::Cow;
use std::fmt;
use std::fmt::Write as _;

use serde::de::{Deserialize, Deserializer, Error as _, MapAccess, SeqAccess, Visitor};

pub(crate) use fields::*;

/// Why a JSON document was refused; callers phrase it for their subject.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum JsonProblem {
    NotJson(String),
    NotObject,
    /// JSON, but not of the expected shape: where and why.
    Invalid(String),
}

impl JsonProblem {
    /// A sentence about `subject` ("the inventory", "the options"), with the verb agreeing.
    pub(crate) fn sentence(&self, subject: &str, plural: bool) -> String {
        let is_not = if plural { "are not" } else { "is not" };
        match self {
            JsonProblem::NotJson(error) => format!("{subject} {is_not} valid JSON: {error}"),
            JsonProblem::NotObject => format!("{subject} must be a JSON object"),
            JsonProblem::Invalid(error) => format!("{subject} {is_not} valid: {error}"),
        }
    }
}

/// A JSON value. Strings without escapes borrow from the text; numbers keep what the readers
/// need (a whole number from 0 up, or that it is some other number).
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Json<'t> {
    Null,
    Bool(bool),
    Whole(u64),
    /// A whole number below zero.
    Negative(i64),
    /// A fractional number, or a whole one out of 64 bits.
    OtherNumber,
    String(Cow<'t, str>),
    Array(Vec<Json<'t>>),
    /// The entries in document order, each key once.
    Object(Vec<(Cow<'t, str>, Json<'t>)>),
}

/// An object's entries.
pub(crate) type Object<'t> = [(Cow<'t, str>, Json<'t>)];

impl<'t> Json<'t> {
    pub(crate) fn as_object(&self) -> Option<&Object<'t>> {
        match self {
            Json::Object(entries) => Some(entries),
            _ => None,
        }
    }

    pub(crate) fn as_str(&self) -> Option<&str> {
        match self {
            Json::String(text) => Some(text),
            _ => None,
        }
    }

    /// The value of `key`, when this is an object that has it.
    pub(crate) fn get(&self, key: &str) -> Option<&Json<'t>> {
        self.as_object().and_then(|entries| get(entries, key))
    }
}

/// The value of `key` in an object's entries.
pub(crate) fn get<'o, 't>(entries: &'o Object<'t>, key: &str) -> Option<&'o Json<'t>> {
    entries
        .iter()
        .find(|(name, _)| name == key)
        .map(|(_, value)| value)
}

/// Parses JSON that must be an object.
pub(crate) fn json_object(text: &str) -> Result<Json<'_>, JsonProblem> {
    match parse(text) {
        Ok(value @ Json::Object(_)) => Ok(value),
        Ok(_) => Err(JsonProblem::NotObject),
        Err(error) => Err(JsonProblem::NotJson(error.to_string())),
    }
}

/// Deserializes a JSON object straight into a serde type, refusing arrays and scalars: for the
/// inputs only the command reads (an image layout's index and manifests), which never reach
/// the WebAssembly modules, whose inputs the field readers read.
pub(crate) fn from_json_object<T: serde::de::DeserializeOwned>(
    text: &str,
) -> Result<T, JsonProblem> {
    if text.trim_start().starts_with('{') {
        serde_json::from_str(text).map_err(|error| JsonProblem::Invalid(error.to_string()))
    } else {
        json_object(text).and(Err(JsonProblem::NotObject))
    }
}

/// Parses JSON text, refusing an object that names a key twice: which one the writer meant is
/// not ours to guess (serde_json's `Value` keeps the last silently).
pub(crate) fn parse(text: &str) -> Result<Json<'_>, serde_json::Error> {
    serde_json::from_str(text)
}

/// Objects up to this many keys are checked for a repeated key as each key is read (where the
/// error then points); larger ones once read, by sorting, to stay n log n.
const SCANNED_KEYS: usize = 16;

impl<'de> Deserialize<'de> for Json<'de> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(JsonVisitor)
    }
}

struct JsonVisitor;

impl<'de> Visitor<'de> for JsonVisitor {
    type Value = Json<'de>;

    fn expecting(&self, formatter: &mut fmt::Formatter) -> fmt::Result {
        formatter.write_str("a JSON value")
    }
    fn visit_unit<E>(self) -> Result<Json<'de>, E> {
        Ok(Json::Null)
    }
    fn visit_bool<E>(self, value: bool) -> Result<Json<'de>, E> {
        Ok(Json::Bool(value))
    }
    fn visit_i64<E>(self, value: i64) -> Result<Json<'de>, E> {
        Ok(u64::try_from(value).map_or(Json::Negative(value), Json::Whole))
    }
    fn visit_u64<E>(self, value: u64) -> Result<Json<'de>, E> {
        Ok(Json::Whole(value))
    }
    fn visit_f64<E>(self, _: f64) -> Result<Json<'de>, E> {
        Ok(Json::OtherNumber)
    }
    fn visit_borrowed_str<E>(self, value: &'de str) -> Result<Json<'de>, E> {
        Ok(Json::String(Cow::Borrowed(value)))
    }
    fn visit_str<E>(self, value: &str) -> Result<Json<'de>, E> {
        Ok(Json::String(Cow::Owned(value.to_string())))
    }
    fn visit_string<E>(self, value: String) -> Result<Json<'de>, E> {
        Ok(Json::String(Cow::Owned(value)))
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Json<'de>, A::Error> {
        let mut items = Vec::new();
        while let Some(item) = seq.next_element()? {
            items.push(item);
        }
        Ok(Json::Array(items))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Json<'de>, A::Error> {
        let mut entries: Vec<(Cow<'de, str>, Json<'de>)> = Vec::new();
        while let Some(Key(key)) = map.next_key()? {
            if entries.len() < SCANNED_KEYS && entries.iter().any(|(name, _)| *name == key) {
                return Err(A::Error::custom(given_twice(&key)));
            }
            let value = map.next_value()?;
            entries.push((key, value));
        }
        if entries.len() > SCANNED_KEYS {
            let mut keys: Vec<&str> = entries.iter().map(|(key, _)| key.as_ref()).collect();
            keys.sort_unstable();
            if let Some(pair) = keys.windows(2).find(|pair| pair.first() == pair.get(1)) {
                return Err(A::Error::custom(given_twice(pair.first().unwrap_or(&""))));
            }
        }
        Ok(Json::Object(entries))
    }
}

fn given_twice(key: &str) -> String {
    format!("the key `{key}` is given twice")
}

/// An object key, borrowed from the text when it has no escapes.
struct Key<'de>(Cow<'de, str>);

impl<'de> Deserialize<'de> for Key<'de> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct KeyVisitor;
        impl<'de> Visitor<'de> for KeyVisitor {
            type Value = Key<'de>;
            fn expecting(&self, formatter: &mut fmt::Formatter) -> fmt::Result {
                formatter.write_str("a key")
            }
            fn visit_borrowed_str<E>(self, value: &'de str) -> Result<Key<'de>, E> {
                Ok(Key(Cow::Borrowed(value)))
            }
            fn visit_str<E>(self, value: &str) -> Result<Key<'de>, E> {
                Ok(Key(Cow::Owned(value.to_string())))
            }
            fn visit_string<E>(self, value: String) -> Result<Key<'de>, E> {
                Ok(Key(Cow::Owned(value)))
            }
        }
        deserializer.deserialize_str(KeyVisitor)
    }
}

/// A JSON string as serde_json writes it: `"`, `\` and control characters escaped, the
/// rest as it is.
pub(crate) fn json_string(out: &mut String, text: &str) {
    // Most strings of a config need no escape: one pass to check, one copy.
    if text
        .bytes()
        .all(|byte| byte >= 0x20 && byte != b'"' && byte != b'\\')
    {
        out.reserve(text.len() + 2);
        out.push('"');
        out.push_str(text);
        out.push('"');
        return;
    }
    out.push('"');
    let mut start = 0;
    for (i, byte) in text.bytes().enumerate() {
        let escaped = match byte {
            b'"' => "\\\"",
            b'\\' => "\\\\",
            b'\n' => "\\n",
            b'\r' => "\\r",
            b'\t' => "\\t",
            0x08 => "\\b",
            0x0c => "\\f",
            0..=0x1f => "",
            _ => continue,
        };
        // Every escaped byte is ASCII, so `i` is a character boundary.
        out.push_str(text.get(start..i).unwrap_or_default());
        if escaped.is_empty() {
            let _ = write!(out, "\\u{byte:04x}");
        } else {
            out.push_str(escaped);
        }
        start = i + 1;
    }
    out.push_str(text.get(start..).unwrap_or_default());
    out.push('"');
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_key_given_twice_is_refused_at_any_depth_and_size() {
        assert_eq!(
            parse(r#"{"a":1,"a":2}"#).unwrap_err().to_string(),
            "the key `a` is given twice at line 1 column 10"
        );
        assert!(parse(r#"{"a":[{"b":1,"b":1}]}"#)
            .unwrap_err()
            .to_string()
            .starts_with("the key `b` is given twice"));
        // A large object is checked once read.
        let mut large: Vec<String> = (0..40).map(|i| format!("\"k{i}\":{i}")).collect();
        assert!(parse(&format!("{{{}}}", large.join(","))).is_ok());
        large.push("\"k7\":0".to_string());
        assert!(parse(&format!("{{{}}}", large.join(",")))
            .unwrap_err()
            .to_string()
            .starts_with("the key `k7` is given twice"));
        // The same key in two objects is two keys.
        assert!(parse(r#"{"z":{"a":1},"a":[{"a":null}]}"#).is_ok());
    }

    #[test]
    fn values_keep_order_types_and_escapes() {
        let value = parse(r#"{"b":[true,null,-1,1.5,7],"a":"x\"y","é":{}}"#).unwrap();
        assert_eq!(
            value,
            Json::Object(vec![
                (
                    "b".into(),
                    Json::Array(vec![
                        Json::Bool(true),
                        Json::Null,
                        Json::Negative(-1),
                        Json::OtherNumber,
                        Json::Whole(7)
                    ])
                ),
                ("a".into(), Json::String("x\"y".into())),
                ("é".into(), Json::Object(Vec::new())),
            ])
        );
        assert_eq!(value.get("a"), Some(&Json::String("x\"y".into())));
        assert_eq!(json_object("[]"), Err(JsonProblem::NotObject));
        assert!(matches!(json_object("{"), Err(JsonProblem::NotJson(_))));
    }

    #[test]
    fn strings_are_escaped_as_serde_json_escapes_them() {
        for text in [
            "",
            "plain",
            "quote \" and \\ back",
            "new\nline\ttab\rcr",
            "\u{0}\u{1}\u{8}\u{b}\u{c}\u{1f}\u{7f}",
            "ünïcödé ✓ and / slash",
            "\u{2028}",
        ] {
            let mut out = String::new();
            json_string(&mut out, text);
            assert_eq!(out, serde_json::to_string(text).unwrap(), "{text:?}");
        }
    }
}
