//! JSON inputs that must be objects (options, inventory, image config), how to say why one was
//! refused, and the typed field readers that walk them. The readers check what serde's derive
//! used to (unknown fields, types, required fields) at a fraction of its WebAssembly size.

use std::collections::BTreeMap;
use std::fmt;

use serde::de::{Deserialize, Deserializer, Error as _, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Number, Value};

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

/// Parses JSON that must be an object.
pub(crate) fn json_object(text: &str) -> Result<Value, JsonProblem> {
    match parse(text) {
        Ok(value) if value.is_object() => Ok(value),
        Ok(_) => Err(JsonProblem::NotObject),
        Err(error) => Err(JsonProblem::NotJson(error.to_string())),
    }
}

/// Parses JSON text, refusing an object that names a key twice: serde_json's `Value` would keep
/// the last silently, and which one the writer meant is not ours to guess.
pub(crate) fn parse(text: &str) -> Result<Value, serde_json::Error> {
    serde_json::from_str::<OnceKeyed>(text).map(|once| once.0)
}

/// A JSON value whose objects hold each key once.
struct OnceKeyed(Value);

impl<'de> Deserialize<'de> for OnceKeyed {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer
            .deserialize_any(OnceKeyedVisitor)
            .map(OnceKeyed)
    }
}

struct OnceKeyedVisitor;

impl<'de> Visitor<'de> for OnceKeyedVisitor {
    type Value = Value;

    fn expecting(&self, formatter: &mut fmt::Formatter) -> fmt::Result {
        formatter.write_str("a JSON value")
    }
    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }
    fn visit_bool<E>(self, value: bool) -> Result<Value, E> {
        Ok(Value::Bool(value))
    }
    fn visit_i64<E>(self, value: i64) -> Result<Value, E> {
        Ok(Value::Number(value.into()))
    }
    fn visit_u64<E>(self, value: u64) -> Result<Value, E> {
        Ok(Value::Number(value.into()))
    }
    fn visit_f64<E>(self, value: f64) -> Result<Value, E> {
        // JSON text has no infinite or NaN number, so this is never `Null` from a parse.
        Ok(Number::from_f64(value).map_or(Value::Null, Value::Number))
    }
    fn visit_str<E>(self, value: &str) -> Result<Value, E> {
        Ok(Value::String(value.to_string()))
    }
    fn visit_string<E>(self, value: String) -> Result<Value, E> {
        Ok(Value::String(value))
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let mut items = Vec::new();
        while let Some(OnceKeyed(item)) = seq.next_element()? {
            items.push(item);
        }
        Ok(Value::Array(items))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let mut object = Map::new();
        while let Some(key) = map.next_key::<String>()? {
            if object.contains_key(&key) {
                return Err(A::Error::custom(format!("the key `{key}` is given twice")));
            }
            let OnceKeyed(value) = map.next_value()?;
            object.insert(key, value);
        }
        Ok(Value::Object(object))
    }
}

/// A reader's failure: the sentence that ends "the options are not valid: …".
pub(crate) type Invalid = String;

/// The place of `key` inside the object at `at` ("" is the document itself).
pub(crate) fn child(at: &str, key: &str) -> String {
    if at.is_empty() {
        key.to_string()
    } else {
        format!("{at}.{key}")
    }
}

/// The object at `at`, whose fields must all be `known`.
pub(crate) fn object<'v>(
    value: &'v Value,
    at: &str,
    known: &[&str],
) -> Result<&'v Map<String, Value>, Invalid> {
    let map = value
        .as_object()
        .ok_or_else(|| format!("`{at}` must be a JSON object"))?;
    if let Some(key) = map.keys().find(|key| !known.contains(&key.as_str())) {
        let mut message = format!("unknown field `{key}`");
        if !at.is_empty() {
            message.push_str(&format!(" in `{at}`"));
        }
        if let Some(near) = crate::diagnostic::closest(key, known.iter().copied()) {
            message.push_str(&format!(" (did you mean `{near}`?)"));
        }
        return Err(message);
    }
    Ok(map)
}

/// Reads one kind of value at a place.
pub(crate) type Reader<T> = fn(&Value, &str) -> Result<T, Invalid>;

/// A field that must be present.
pub(crate) fn required<T>(
    map: &Map<String, Value>,
    at: &str,
    key: &str,
    read: Reader<T>,
) -> Result<T, Invalid> {
    match map.get(key) {
        Some(value) => read(value, &child(at, key)),
        None if at.is_empty() => Err(format!("missing field `{key}`")),
        None => Err(format!("missing field `{key}` in `{at}`")),
    }
}

/// A field that may be absent (its default then); `null` is refused, as for a required one.
pub(crate) fn defaulted<T: Default>(
    map: &Map<String, Value>,
    at: &str,
    key: &str,
    read: Reader<T>,
) -> Result<T, Invalid> {
    match map.get(key) {
        Some(value) => read(value, &child(at, key)),
        None => Ok(T::default()),
    }
}

/// A field that may be absent or `null`.
pub(crate) fn optional<T>(
    map: &Map<String, Value>,
    at: &str,
    key: &str,
    read: Reader<T>,
) -> Result<Option<T>, Invalid> {
    match map.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(value) => read(value, &child(at, key)).map(Some),
    }
}

pub(crate) fn string(value: &Value, at: &str) -> Result<String, Invalid> {
    value
        .as_str()
        .map(str::to_string)
        .ok_or_else(|| format!("`{at}` must be a string"))
}

pub(crate) fn boolean(value: &Value, at: &str) -> Result<bool, Invalid> {
    value
        .as_bool()
        .ok_or_else(|| format!("`{at}` must be true or false"))
}

pub(crate) fn whole_u32(value: &Value, at: &str) -> Result<u32, Invalid> {
    value
        .as_u64()
        .and_then(|number| u32::try_from(number).ok())
        .ok_or_else(|| format!("`{at}` must be a whole number from 0 to {}", u32::MAX))
}

/// A list whose items `read` reads, each at `at[i]`.
pub(crate) fn list<T>(value: &Value, at: &str, read: Reader<T>) -> Result<Vec<T>, Invalid> {
    let items = value
        .as_array()
        .ok_or_else(|| format!("`{at}` must be a list"))?;
    items
        .iter()
        .enumerate()
        .map(|(i, item)| read(item, &format!("{at}[{i}]")))
        .collect()
}

pub(crate) fn strings(value: &Value, at: &str) -> Result<Vec<String>, Invalid> {
    list(value, at, string)
}

pub(crate) fn whole_u32s(value: &Value, at: &str) -> Result<Vec<u32>, Invalid> {
    list(value, at, whole_u32)
}

/// An object of strings, in document order.
pub(crate) fn string_pairs(value: &Value, at: &str) -> Result<Vec<(String, String)>, Invalid> {
    let map = value
        .as_object()
        .ok_or_else(|| format!("`{at}` must be an object of strings"))?;
    map.iter()
        .map(|(key, item)| Ok((key.clone(), string(item, &child(at, key))?)))
        .collect()
}

/// An object of strings, by key.
pub(crate) fn string_map(value: &Value, at: &str) -> Result<BTreeMap<String, String>, Invalid> {
    string_pairs(value, at).map(|pairs| pairs.into_iter().collect())
}

/// One of the `names`, as the value paired with it.
pub(crate) fn one_of<T: Copy>(value: &Value, at: &str, names: &[(&str, T)]) -> Result<T, Invalid> {
    let text = value
        .as_str()
        .ok_or_else(|| format!("`{at}` must be a string"))?;
    names
        .iter()
        .find(|(name, _)| *name == text)
        .map(|(_, kind)| *kind)
        .ok_or_else(|| {
            let known: Vec<&str> = names.iter().map(|(name, _)| *name).collect();
            format!("`{at}` `{text}` is not one of {}", known.join(", "))
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn value(text: &str) -> Value {
        parse(text).unwrap()
    }

    #[test]
    fn a_key_given_twice_is_refused_at_any_depth() {
        assert_eq!(
            parse(r#"{"a":1,"a":2}"#).unwrap_err().to_string(),
            "the key `a` is given twice at line 1 column 10"
        );
        assert!(parse(r#"{"a":[{"b":1,"b":1}]}"#)
            .unwrap_err()
            .to_string()
            .starts_with("the key `b` is given twice"));
        // The same key in two objects is two keys; order and every JSON type survive.
        assert_eq!(
            value(r#"{"z":{"a":1},"a":[{"a":null}],"n":-1,"f":1.5,"t":true,"s":"x"}"#),
            serde_json::from_str::<Value>(
                r#"{"z":{"a":1},"a":[{"a":null}],"n":-1,"f":1.5,"t":true,"s":"x"}"#
            )
            .unwrap()
        );
        let keys: Vec<String> = value(r#"{"b":1,"a":2}"#)
            .as_object()
            .unwrap()
            .keys()
            .cloned()
            .collect();
        assert_eq!(keys, ["b", "a"]);
    }

    #[test]
    fn unknown_fields_name_their_object_and_the_field_meant() {
        let known = &["hostNetwork", "hostname"];
        assert_eq!(
            object(&value(r#"{"hostNetwrk":true}"#), "", known).unwrap_err(),
            "unknown field `hostNetwrk` (did you mean `hostNetwork`?)"
        );
        assert_eq!(
            object(&value(r#"{"zzz":1}"#), "host", known).unwrap_err(),
            "unknown field `zzz` in `host`"
        );
        assert_eq!(
            object(&value("[]"), "host", known).unwrap_err(),
            "`host` must be a JSON object"
        );
    }

    #[test]
    fn absent_null_and_wrong_types_follow_the_field_kind() {
        let map = value(r#"{"n":null,"s":"x","b":1}"#);
        let map = map.as_object().unwrap();
        // Absent: required fails, defaulted and optional give nothing.
        assert_eq!(
            required(map, "", "gone", string).unwrap_err(),
            "missing field `gone`"
        );
        assert_eq!(
            required(map, "devices[0]", "gone", string).unwrap_err(),
            "missing field `gone` in `devices[0]`"
        );
        assert_eq!(defaulted(map, "", "gone", boolean), Ok(false));
        assert_eq!(optional(map, "", "gone", string), Ok(None));
        // `null` is "not given" only where the field is optional.
        assert_eq!(optional(map, "", "n", string), Ok(None));
        assert_eq!(
            defaulted(map, "", "n", boolean).unwrap_err(),
            "`n` must be true or false"
        );
        assert_eq!(
            defaulted(map, "host", "b", string).unwrap_err(),
            "`host.b` must be a string"
        );
        assert_eq!(optional(map, "", "s", string), Ok(Some("x".to_string())));
    }

    #[test]
    fn numbers_lists_and_names_are_checked_item_by_item() {
        for text in ["-1", "1.5", "4294967296", "\"1\""] {
            assert_eq!(
                whole_u32(&value(text), "major").unwrap_err(),
                "`major` must be a whole number from 0 to 4294967295",
                "{text}"
            );
        }
        assert_eq!(whole_u32(&value("4294967295"), "major"), Ok(u32::MAX));
        assert_eq!(
            strings(&value(r#"["a",1]"#), "args").unwrap_err(),
            "`args[1]` must be a string"
        );
        assert_eq!(
            strings(&value(r#""a""#), "args").unwrap_err(),
            "`args` must be a list"
        );
        assert_eq!(
            string_pairs(&value(r#"{"B":"1","A":2}"#), "env").unwrap_err(),
            "`env.A` must be a string"
        );
        assert_eq!(
            string_pairs(&value(r#"{"B":"1","A":"2"}"#), "env").unwrap(),
            [("B".into(), "1".into()), ("A".into(), "2".into())]
        );
        let modes = &[("enforce", 0), ("warn", 1)];
        assert_eq!(one_of(&value(r#""warn""#), "policyMode", modes), Ok(1));
        assert_eq!(
            one_of(&value(r#""strict""#), "policyMode", modes).unwrap_err(),
            "`policyMode` `strict` is not one of enforce, warn"
        );
    }
}
