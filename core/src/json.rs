//! JSON inputs that must be objects (options, inventory, image config), and how to say why
//! one was refused.

/// Why a JSON document was refused; callers phrase it for their subject.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum JsonProblem {
    NotJson(String),
    NotObject,
    /// JSON, but not of the expected shape (serde's message).
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

/// Parses JSON that must be an object: serde would otherwise read a struct from an array.
pub(crate) fn json_object(text: &str) -> Result<serde_json::Value, JsonProblem> {
    match serde_json::from_str::<serde_json::Value>(text) {
        Ok(value) if value.is_object() => Ok(value),
        Ok(_) => Err(JsonProblem::NotObject),
        Err(error) => Err(JsonProblem::NotJson(error.to_string())),
    }
}

/// Deserializes a JSON object straight into `T`, refusing arrays and scalars.
pub(crate) fn from_json_object<T: serde::de::DeserializeOwned>(
    text: &str,
) -> Result<T, JsonProblem> {
    if text.trim_start().starts_with('{') {
        serde_json::from_str(text).map_err(|error| JsonProblem::Invalid(error.to_string()))
    } else {
        json_object(text).and(Err(JsonProblem::NotObject))
    }
}
