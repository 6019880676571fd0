//! The OCI image config: the defaults an image brings (user, env, entrypoint, cmd, workdir).

use crate::codes;
use crate::diagnostic::{Diagnostic, Loc};

/// The `config` object of an OCI image config; fields the compiler does not use are ignored,
/// as image configs carry many.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ImageConfig {
    /// `User`: the user the process runs as unless the spec names one.
    pub user: Option<String>,
    /// `Env`: `KEY=value` entries, applied before the spec's.
    pub env: Option<Vec<String>>,
    /// `Entrypoint`: the program, unless the spec gives one.
    pub entrypoint: Option<Vec<String>>,
    /// `Cmd`: the arguments, unless the spec gives them.
    pub cmd: Option<Vec<String>>,
    /// `WorkingDir`: the working directory unless the spec gives one.
    pub working_dir: Option<String>,
}

impl ImageConfig {
    /// Reads either the whole image config document or its `config` object.
    pub fn from_json(text: &str) -> Result<ImageConfig, Diagnostic> {
        let at = Loc::at("imageConfig");
        let document = crate::json::json_object(text).map_err(|problem| {
            Diagnostic::error_at(
                codes::BAD_IMAGE_CONFIG,
                &at,
                problem.sentence("the image config", false),
            )
        })?;
        // `json_object` gave an object: its entries are never the empty default.
        let top = document.as_object().unwrap_or_default();
        let (fields, at) = match crate::json::get(top, "config") {
            None => (top, at),
            Some(inner) => match inner.as_object() {
                Some(fields) => (fields, at.child("config")),
                None => {
                    return Err(Diagnostic::error_at(
                        codes::BAD_IMAGE_CONFIG,
                        &at.child("config"),
                        "the image config's `config` must be a JSON object",
                    ));
                }
            },
        };
        read(fields).map_err(|error| {
            Diagnostic::error_at(
                codes::BAD_IMAGE_CONFIG,
                &at,
                format!("the image config is not valid: {}", error.message()),
            )
        })
    }
}

/// The fields the compiler reads; the others are ignored.
fn read(map: &crate::json::Object<'_>) -> Result<ImageConfig, crate::json::Invalid> {
    use crate::json::{optional, string, strings};
    Ok(ImageConfig {
        user: optional(map, "User", string)?,
        env: optional(map, "Env", strings)?,
        entrypoint: optional(map, "Entrypoint", strings)?,
        cmd: optional(map, "Cmd", strings)?,
        working_dir: optional(map, "WorkingDir", string)?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_whole_document_or_config_object() {
        let whole =
            r#"{"architecture":"amd64","config":{"User":"nginx","Cmd":["nginx"]},"rootfs":{}}"#;
        assert_eq!(
            ImageConfig::from_json(whole).unwrap().user.as_deref(),
            Some("nginx")
        );
        let inner = r#"{"Env":["A=1"],"WorkingDir":"/srv"}"#;
        assert_eq!(
            ImageConfig::from_json(inner)
                .unwrap()
                .working_dir
                .as_deref(),
            Some("/srv")
        );
        assert!(ImageConfig::from_json("[")
            .unwrap_err()
            .message
            .starts_with("the image config is not valid JSON: "));
        assert!(ImageConfig::from_json(r#"["nginx"]"#).is_err());
        let error = ImageConfig::from_json(r#"{"config":{"Cmd":"nginx"}}"#).unwrap_err();
        assert_eq!(
            (error.path.as_str(), error.message.as_str()),
            (
                "imageConfig.config",
                "the image config is not valid: `Cmd` must be a list"
            )
        );
        // Fields the compiler does not read are ignored; `null` is an absent field.
        let config = ImageConfig::from_json(r#"{"Labels":{"a":"b"},"User":null,"Env":["A=1"]}"#);
        assert_eq!(
            config.unwrap(),
            ImageConfig {
                env: Some(vec!["A=1".into()]),
                ..ImageConfig::default()
            }
        );
        assert!(ImageConfig::from_json("[]").is_err());
    }
}
