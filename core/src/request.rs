//! A compile's inputs: parsed ([`Request`]), or as the texts the bindings receive
//! ([`RawRequest`], owned as [`RequestText`]).

use crate::diagnostic::Diagnostic;
use crate::image::ImageConfig;
use crate::inventory::Inventory;
use crate::options::Options;

/// Everything one compile needs, already parsed.
#[derive(Debug, Clone, Default)]
pub struct Request {
    /// The spec text, YAML or JSON.
    pub spec: String,
    /// The service to compile; may be left out when the deployment has one.
    pub service: Option<String>,
    /// 1-based; default 1.
    pub replica: Option<u32>,
    /// The host; without one, no device or GPU can be granted.
    pub inventory: Option<Inventory>,
    /// The image's config; without one, the spec must give the command.
    pub image_config: Option<ImageConfig>,
    /// Values and overrides from the node and the operator.
    pub options: Options,
}

/// A request as the bindings receive it: the spec and JSON texts.
#[derive(Debug, Clone, Copy, Default)]
pub struct RawRequest<'a> {
    /// The spec text, YAML or JSON.
    pub spec: &'a str,
    /// The service to compile; may be left out when the deployment has one.
    pub service: Option<&'a str>,
    /// 1-based; default 1.
    pub replica: Option<u32>,
    /// The inventory's JSON.
    pub inventory: Option<&'a str>,
    /// The image config's JSON (the whole document or its `config` object).
    pub image_config: Option<&'a str>,
    /// The options' JSON.
    pub options: Option<&'a str>,
}

/// A request's texts, owned: what a binding assembles before lending them as a [`RawRequest`].
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RequestText {
    /// The spec text, YAML or JSON.
    pub spec: String,
    /// The service to compile; may be left out when the deployment has one.
    pub service: Option<String>,
    /// 1-based; default 1.
    pub replica: Option<u32>,
    /// The inventory's JSON.
    pub inventory: Option<String>,
    /// The image config's JSON.
    pub image_config: Option<String>,
    /// The options' JSON.
    pub options: Option<String>,
}

impl RequestText {
    /// The texts, lent.
    pub fn as_raw(&self) -> RawRequest<'_> {
        RawRequest {
            spec: &self.spec,
            service: self.service.as_deref(),
            replica: self.replica,
            inventory: self.inventory.as_deref(),
            image_config: self.image_config.as_deref(),
            options: self.options.as_deref(),
        }
    }
}

impl Request {
    /// Parses the JSON parts of a raw request, reporting every one that is bad.
    pub fn from_raw(raw: RawRequest<'_>) -> Result<Request, Vec<Diagnostic>> {
        let mut errors = Vec::new();
        let inventory = raw
            .inventory
            .map(Inventory::from_json)
            .transpose()
            .unwrap_or_else(|e| keep(e, &mut errors));
        let image_config = raw
            .image_config
            .map(ImageConfig::from_json)
            .transpose()
            .unwrap_or_else(|e| keep(e, &mut errors));
        let options = raw
            .options
            .map(Options::from_json)
            .transpose()
            .unwrap_or_else(|e| keep(e, &mut errors))
            .unwrap_or_default();
        if !errors.is_empty() {
            return Err(errors);
        }
        Ok(Request {
            spec: raw.spec.to_string(),
            service: raw.service.map(str::to_string),
            replica: raw.replica,
            inventory,
            image_config,
            options,
        })
    }
}

fn keep<T>(error: Diagnostic, errors: &mut Vec<Diagnostic>) -> Option<T> {
    errors.push(error);
    None
}
