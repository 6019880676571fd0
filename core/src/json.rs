//! JSON inputs that must be objects (options, inventory, image config), how to say why one was
//! refused, and the typed field readers that walk them. The readers check what serde's derive
//! used to (unknown fields, types, required fields) at a fraction of its WebAssembly size.

use std::collections::BTreeMap;

use serde_json::{Map, Value};

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
    match serde_json::from_str::<Value>(text) {
        Ok(value) if value.is_object() => Ok(value),
        Ok(_) => Err(JsonProblem::NotObject),
        Err(error) => Err(JsonProblem::NotJson(error.to_string())),
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
