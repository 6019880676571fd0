//! Typed readers of the JSON tree's fields. A failure names its place from the document's
//! root (`devices[0].major`), built on the way out, so reading costs no path text.

use std::collections::BTreeMap;

use super::{get, Json, Object};

/// Why a value was refused, and where: the place is built from the inside out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Invalid {
    /// `devices[0].major`, relative to the object being read; empty at the object itself.
    place: String,
    problem: Problem,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Problem {
    /// Said of the value: "`place` must be a string".
    Value(String),
    /// Said of an object's fields: "unknown field `x` in `place`", then a suggestion.
    Field(String, String),
}

impl Invalid {
    fn value(problem: String) -> Invalid {
        Invalid {
            place: String::new(),
            problem: Problem::Value(problem),
        }
    }

    fn field(problem: String, suggestion: String) -> Invalid {
        Invalid {
            place: String::new(),
            problem: Problem::Field(problem, suggestion),
        }
    }

    /// The same failure, seen from the object that holds it at `key`.
    pub(crate) fn within(mut self, key: &str) -> Invalid {
        let separator = if self.place.is_empty() || self.place.starts_with('[') {
            ""
        } else {
            "."
        };
        self.place = format!("{key}{separator}{}", self.place);
        self
    }

    /// The same failure, seen from the list that holds it at `index`.
    fn at_index(self, index: usize) -> Invalid {
        self.within(&format!("[{index}]"))
    }

    /// The message: the place and the problem, as one sentence.
    pub(crate) fn message(&self) -> String {
        match &self.problem {
            Problem::Value(problem) if self.place.is_empty() => problem.clone(),
            Problem::Value(problem) => format!("`{}` {problem}", self.place),
            Problem::Field(problem, suggestion) if self.place.is_empty() => {
                format!("{problem}{suggestion}")
            }
            Problem::Field(problem, suggestion) => {
                format!("{problem} in `{}`{suggestion}", self.place)
            }
        }
    }
}

/// The object's entries, which must all be `known` fields.
pub(crate) fn object<'o, 't>(
    value: &'o Json<'t>,
    known: &[&str],
) -> Result<&'o Object<'t>, Invalid> {
    let entries = value
        .as_object()
        .ok_or_else(|| Invalid::value("must be a JSON object".into()))?;
    if let Some((key, _)) = entries
        .iter()
        .find(|(key, _)| !known.contains(&key.as_ref()))
    {
        let suggestion = crate::diagnostic::closest(key, known.iter().copied())
            .map(|near| format!(" (did you mean `{near}`?)"))
            .unwrap_or_default();
        return Err(Invalid::field(format!("unknown field `{key}`"), suggestion));
    }
    Ok(entries)
}

/// Reads one kind of value.
pub(crate) type Reader<T> = fn(&Json<'_>) -> Result<T, Invalid>;

/// A field that must be present.
pub(crate) fn required<T>(entries: &Object<'_>, key: &str, read: Reader<T>) -> Result<T, Invalid> {
    match get(entries, key) {
        Some(value) => read(value).map_err(|invalid| invalid.within(key)),
        None => Err(Invalid::field(
            format!("missing field `{key}`"),
            String::new(),
        )),
    }
}

/// A field that may be absent (its default then); `null` is refused, as for a required one.
pub(crate) fn defaulted<T: Default>(
    entries: &Object<'_>,
    key: &str,
    read: Reader<T>,
) -> Result<T, Invalid> {
    match get(entries, key) {
        Some(value) => read(value).map_err(|invalid| invalid.within(key)),
        None => Ok(T::default()),
    }
}

/// A field that may be absent or `null`.
pub(crate) fn optional<T>(
    entries: &Object<'_>,
    key: &str,
    read: Reader<T>,
) -> Result<Option<T>, Invalid> {
    match get(entries, key) {
        None | Some(Json::Null) => Ok(None),
        Some(value) => read(value).map(Some).map_err(|invalid| invalid.within(key)),
    }
}

pub(crate) fn string(value: &Json<'_>) -> Result<String, Invalid> {
    match value {
        Json::String(text) => Ok(text.to_string()),
        _ => Err(Invalid::value("must be a string".into())),
    }
}

pub(crate) fn boolean(value: &Json<'_>) -> Result<bool, Invalid> {
    match value {
        Json::Bool(value) => Ok(*value),
        _ => Err(Invalid::value("must be true or false".into())),
    }
}

pub(crate) fn whole_u32(value: &Json<'_>) -> Result<u32, Invalid> {
    match value {
        Json::Whole(number) => u32::try_from(*number).ok(),
        _ => None,
    }
    .ok_or_else(|| Invalid::value(format!("must be a whole number from 0 to {}", u32::MAX)))
}

pub(crate) fn whole_i64(value: &Json<'_>) -> Result<i64, Invalid> {
    match value {
        Json::Whole(number) => i64::try_from(*number).ok(),
        Json::Negative(number) => Some(*number),
        _ => None,
    }
    .ok_or_else(|| Invalid::value("must be a whole number of 64 bits".into()))
}

/// A list whose items `read` reads.
pub(crate) fn list<T>(value: &Json<'_>, read: Reader<T>) -> Result<Vec<T>, Invalid> {
    let Json::Array(items) = value else {
        return Err(Invalid::value("must be a list".into()));
    };
    // A plain loop: collecting into a `Result` costs WebAssembly per item type.
    let mut read_items = Vec::with_capacity(items.len());
    for (i, item) in items.iter().enumerate() {
        read_items.push(read(item).map_err(|invalid| invalid.at_index(i))?);
    }
    Ok(read_items)
}

pub(crate) fn strings(value: &Json<'_>) -> Result<Vec<String>, Invalid> {
    list(value, string)
}

pub(crate) fn whole_u32s(value: &Json<'_>) -> Result<Vec<u32>, Invalid> {
    list(value, whole_u32)
}

/// An object of strings, in document order.
pub(crate) fn string_pairs(value: &Json<'_>) -> Result<Vec<(String, String)>, Invalid> {
    let entries = value
        .as_object()
        .ok_or_else(|| Invalid::value("must be an object of strings".into()))?;
    entries
        .iter()
        .map(|(key, item)| {
            let item = string(item).map_err(|invalid| invalid.within(key))?;
            Ok((key.to_string(), item))
        })
        .collect()
}

/// An object of strings, by key.
pub(crate) fn string_map(value: &Json<'_>) -> Result<BTreeMap<String, String>, Invalid> {
    string_pairs(value).map(|pairs| pairs.into_iter().collect())
}

/// One of the `names`, as the value paired with it.
pub(crate) fn one_of<T: Copy>(value: &Json<'_>, names: &[(&str, T)]) -> Result<T, Invalid> {
    match value {
        Json::String(text) => named(text, names),
        _ => Err(Invalid::value("must be a string".into())),
    }
}

/// The value paired with `text` in `names`.
pub(crate) fn named<T: Copy>(text: &str, names: &[(&str, T)]) -> Result<T, Invalid> {
    names
        .iter()
        .find(|(name, _)| *name == text)
        .map(|(_, kind)| *kind)
        .ok_or_else(|| {
            let known: Vec<&str> = names.iter().map(|(name, _)| *name).collect();
            Invalid::value(format!("`{text}` is not one of {}", known.join(", ")))
        })
}

#[cfg(test)]
mod tests {
    use super::super::parse;
    use super::*;

    fn message<T: std::fmt::Debug>(result: Result<T, Invalid>) -> String {
        result.unwrap_err().message()
    }

    #[test]
    fn unknown_fields_name_their_object_and_the_field_meant() {
        let known = &["hostNetwork", "hostname"];
        assert_eq!(
            message(object(&parse(r#"{"hostNetwrk":true}"#).unwrap(), known)),
            "unknown field `hostNetwrk` (did you mean `hostNetwork`?)"
        );
        let nested = parse(r#"{"host":[{"zzz":1}]}"#).unwrap();
        let entries = object(&nested, &["host"]).unwrap();
        let error = required(entries, "host", |value| {
            list(value, |item| {
                object(item, &["hostNetwork", "hostname"]).map(|_| ())
            })
        });
        assert_eq!(message(error), "unknown field `zzz` in `host[0]`");
        assert_eq!(
            message(object(&parse("[]").unwrap(), known)),
            "must be a JSON object"
        );
    }

    #[test]
    fn absent_null_and_wrong_types_follow_the_field_kind() {
        let value = parse(r#"{"n":null,"s":"x","b":1,"o":{"p":[{}]}}"#).unwrap();
        let map = value.as_object().unwrap();
        // Absent: required fails, defaulted and optional give nothing.
        assert_eq!(
            message(required(map, "gone", string)),
            "missing field `gone`"
        );
        let deep = required(map, "o", |o| {
            required(o.as_object().unwrap(), "p", |p| {
                list(p, |item| {
                    required(item.as_object().unwrap(), "gone", string)
                })
            })
        });
        assert_eq!(message(deep), "missing field `gone` in `o.p[0]`");
        assert_eq!(defaulted(map, "gone", boolean), Ok(false));
        assert_eq!(optional(map, "gone", string), Ok(None));
        // `null` is "not given" only where the field is optional.
        assert_eq!(optional(map, "n", string), Ok(None));
        assert_eq!(
            message(defaulted(map, "n", boolean)),
            "`n` must be true or false"
        );
        assert_eq!(message(defaulted(map, "b", string)), "`b` must be a string");
        assert_eq!(optional(map, "s", string), Ok(Some("x".to_string())));
    }

    #[test]
    fn numbers_lists_and_names_are_checked_item_by_item() {
        for text in ["-1", "1.5", "4294967296", "\"1\""] {
            assert_eq!(
                message(whole_u32(&parse(text).unwrap())),
                "must be a whole number from 0 to 4294967295",
                "{text}"
            );
        }
        assert_eq!(whole_u32(&parse("4294967295").unwrap()), Ok(u32::MAX));
        let args = parse(r#"{"args":["a",1],"one":"a"}"#).unwrap();
        let args = args.as_object().unwrap();
        assert_eq!(
            message(required(args, "args", strings)),
            "`args[1]` must be a string"
        );
        assert_eq!(
            message(required(args, "one", strings)),
            "`one` must be a list"
        );
        let env = parse(r#"{"env":{"B":"1","A":2},"ok":{"B":"1","A":"2"}}"#).unwrap();
        let env = env.as_object().unwrap();
        assert_eq!(
            message(required(env, "env", string_pairs)),
            "`env.A` must be a string"
        );
        assert_eq!(
            required(env, "ok", string_pairs).unwrap(),
            [("B".into(), "1".into()), ("A".into(), "2".into())]
        );
        let modes = &[("enforce", 0), ("warn", 1)];
        assert_eq!(one_of(&parse(r#""warn""#).unwrap(), modes), Ok(1));
        assert_eq!(
            message(one_of(&parse(r#""strict""#).unwrap(), modes)),
            "`strict` is not one of enforce, warn"
        );
    }
}
