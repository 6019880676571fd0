//! bundlec-web: the compiler for JavaScript (wasm-bindgen). It only converts a request object into
//! a core `RawRequest` and the core's answers into `{ok, config, diagnostics}` and
//! `{ok, outline, diagnostics}`; no rule lives here.

use bundlec_core::{closest, Diagnostic, RequestText};
use js_sys::{Reflect, JSON};
use serde::Serialize;
use wasm_bindgen::prelude::*;

// The TypeScript types of this module, written by hand; they replace the generated signatures.
#[wasm_bindgen(typescript_custom_section)]
const TYPES: &str = include_str!("../types/bundlec.d.ts");

/// The fields a request object may have.
const FIELDS: [&str; 6] = [
    "spec",
    "service",
    "replica",
    "inventory",
    "imageConfig",
    "options",
];

/// What `compile` returns: `config` is the canonical `config.json` text, or null on failure.
#[derive(Serialize)]
struct Output<'a> {
    ok: bool,
    config: Option<&'a str>,
    diagnostics: &'a [Diagnostic],
}

/// Compiles `{spec, service?, replica?, inventory?, imageConfig?, options?}`.
///
/// `inventory`, `imageConfig` and `options` are JSON texts, or objects that are passed through
/// `JSON.stringify` first. Never throws: a malformed request gives `ok: false` and `bad-request`
/// diagnostics; absent values are `null`, never `undefined`.
#[wasm_bindgen(skip_typescript)]
pub fn compile(request: JsValue) -> JsValue {
    let result = match read_request(&request) {
        Ok(fields) => bundlec_core::compile_raw(fields.as_raw()),
        Err(errors) => Err(errors),
    };
    let output = match &result {
        Ok(compiled) => Output {
            ok: true,
            config: Some(&compiled.json),
            diagnostics: &compiled.warnings,
        },
        Err(errors) => Output {
            ok: false,
            config: None,
            diagnostics: errors,
        },
    };
    to_js(&output)
}

/// What `outline` returns: the core's outline of the spec, or null when the spec is not readable.
#[derive(Serialize)]
struct OutlineOutput<'a> {
    ok: bool,
    outline: Option<&'a bundlec_core::Outline>,
    diagnostics: &'a [Diagnostic],
}

/// What a spec declares, read without compiling it: its services with their replica counts,
/// `$S:` / `$E:` references and volume keys, each with its range in the text.
///
/// Never throws: a spec that is not a string, or not a readable YAML or JSON mapping, gives
/// `ok: false`, `outline: null` and the diagnostics; absent values are `null`.
#[wasm_bindgen(skip_typescript)]
pub fn outline(spec: JsValue) -> JsValue {
    let result = match spec.as_string() {
        Some(text) => bundlec_core::outline(&text),
        None => Err(vec![bad_request(
            "spec",
            "`spec` must be a string: the YAML or JSON text of the spec",
        )
        .with_hint("call outline(\"version: v1\\n...\")")]),
    };
    let output = match &result {
        Ok(outline) => OutlineOutput {
            ok: true,
            outline: Some(outline),
            diagnostics: &[],
        },
        Err(errors) => OutlineOutput {
            ok: false,
            outline: None,
            diagnostics: errors,
        },
    };
    to_js(&output)
}

/// The version of the compiler inside this module.
#[wasm_bindgen(skip_typescript)]
pub fn version() -> String {
    bundlec_core::version().to_string()
}

/// A published JSON Schema by name (`spec`, `inventory`, `options`), or null for an unknown name.
#[wasm_bindgen(skip_typescript)]
pub fn schema(name: JsValue) -> JsValue {
    name.as_string()
        .as_deref()
        .and_then(bundlec_core::schema)
        .map_or(JsValue::NULL, JsValue::from_str)
}

fn bad_request(path: &str, message: impl Into<String>) -> Diagnostic {
    Diagnostic::error("bad-request", path, message)
}

/// Reads every field, reporting every malformed one.
fn read_request(request: &JsValue) -> Result<RequestText, Vec<Diagnostic>> {
    if !request.is_object() {
        let error = bad_request(
            "",
            "the request must be an object with at least a `spec` string",
        )
        .with_hint("call compile({ spec: \"version: v1\\n...\" })");
        return Err(vec![error]);
    }
    let mut errors = Vec::new();
    let keys = Reflect::own_keys(request).unwrap_or_default();
    for key in keys.iter().filter_map(|key| key.as_string()) {
        if !FIELDS.contains(&key.as_str()) {
            let mut error = bad_request(&key, format!("the request has no field `{key}`"));
            if let Some(near) = closest(&key, FIELDS) {
                error = error.with_hint(format!("did you mean `{near}`?"));
            }
            errors.push(error);
        }
    }
    let mut fields = RequestText::default();
    match field(request, "spec", &mut errors).map(|value| value.as_string()) {
        Some(Some(spec)) => fields.spec = spec,
        Some(None) => errors.push(bad_request(
            "spec",
            "`spec` must be a string: the YAML or JSON text of the spec",
        )),
        None => errors.push(bad_request("spec", "the request has no `spec`")),
    }
    if let Some(value) = field(request, "service", &mut errors) {
        match value.as_string() {
            Some(service) => fields.service = Some(service),
            None => errors.push(bad_request("service", "`service` must be a string")),
        }
    }
    if let Some(value) = field(request, "replica", &mut errors) {
        match value
            .as_f64()
            .filter(|n| n.fract() == 0.0 && (0.0..=f64::from(u32::MAX)).contains(n))
        {
            // Exact: a whole number within u32's range.
            Some(number) => fields.replica = Some(number as u32),
            None => errors.push(bad_request(
                "replica",
                "`replica` must be a whole number, counted from 1",
            )),
        }
    }
    fields.inventory = json_text(request, "inventory", &mut errors);
    fields.image_config = json_text(request, "imageConfig", &mut errors);
    fields.options = json_text(request, "options", &mut errors);
    if errors.is_empty() {
        Ok(fields)
    } else {
        Err(errors)
    }
}

/// A field's value; None when it is absent, `undefined` or `null`, or when reading it threw.
fn field(request: &JsValue, name: &str, errors: &mut Vec<Diagnostic>) -> Option<JsValue> {
    match Reflect::get(request, &JsValue::from_str(name)) {
        Ok(value) if value.is_undefined() || value.is_null() => None,
        Ok(value) => Some(value),
        Err(_) => {
            errors.push(bad_request(name, format!("reading `{name}` threw")));
            None
        }
    }
}

/// A JSON document given as text, or as an object that `JSON.stringify` turns into text.
fn json_text(request: &JsValue, name: &str, errors: &mut Vec<Diagnostic>) -> Option<String> {
    let value = field(request, name, errors)?;
    if let Some(text) = value.as_string() {
        return Some(text);
    }
    if value.is_object() {
        if let Some(text) = JSON::stringify(&value)
            .ok()
            .and_then(|text| JsValue::from(text).as_string())
        {
            return Some(text);
        }
        errors.push(bad_request(
            name,
            format!("`{name}` could not be turned into JSON"),
        ));
        return None;
    }
    errors.push(bad_request(
        name,
        format!("`{name}` must be a JSON string or an object"),
    ));
    None
}

fn to_js(output: &impl Serialize) -> JsValue {
    let serializer = serde_wasm_bindgen::Serializer::new().serialize_missing_as_null(true);
    // Strings, numbers, options, lists and unit enums: serializing them cannot fail.
    output.serialize(&serializer).unwrap_or(JsValue::NULL)
}
