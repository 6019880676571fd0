//! The JavaScript shape of bundlec-web: `{ok, config, diagnostics}` with null (never undefined)
//! for absent values, and no throw for any input. Run with wasm-bindgen-test-runner in Node.
#![cfg(target_arch = "wasm32")]

use bundlec_web::{compile, schema, version};
use js_sys::{Array, Function, Object, Reflect, JSON};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_test::wasm_bindgen_test;

const SPEC: &str = "version: v1\ndeployment: demo\nservices:\n  api:\n    image: { name: \"ghcr.io/acme/api:1\" }\n    command: { entrypoint: [\"/api\"] }\n";
/// A numeric uid with no passwd entry compiles with a `no-primary-group` warning.
const SPEC_WITH_WARNING: &str =
    "version: v1\ndeployment: demo\nservices:\n  api:\n    image: { name: \"ghcr.io/acme/api:1\" }\n    command: { entrypoint: [\"/api\"] }\n    user: \"1000\"\n";
const BAD_SPEC: &str = "version: v1\ndeployment: demo\nservices:\n  api:\n    image: { name: \"ghcr.io/acme/api:1\" }\n    command: { entrypoint: [\"/api\"] }\n    privilegd: true\n";

fn get(value: &JsValue, key: &str) -> JsValue {
    assert!(
        Reflect::has(value, &key.into()).unwrap(),
        "`{key}` is missing from {}",
        show(value)
    );
    Reflect::get(value, &key.into()).unwrap()
}

fn show(value: &JsValue) -> String {
    JSON::stringify(value)
        .ok()
        .and_then(|s| s.as_string())
        .unwrap_or_else(|| format!("{value:?}"))
}

fn object(pairs: &[(&str, JsValue)]) -> JsValue {
    let object = Object::new();
    for (key, value) in pairs {
        Reflect::set(&object, &(*key).into(), value).unwrap();
    }
    object.into()
}

fn request(spec: &str) -> JsValue {
    object(&[("spec", spec.into())])
}

fn diagnostics(result: &JsValue) -> Vec<JsValue> {
    let list = get(result, "diagnostics");
    assert!(
        Array::is_array(&list),
        "diagnostics is not an array: {}",
        show(result)
    );
    list.unchecked_into::<Array>().iter().collect()
}

/// Every field of a diagnostic is present, with the type the .d.ts promises.
fn check_diagnostic_shape(diagnostic: &JsValue) {
    let severity = get(diagnostic, "severity").as_string().unwrap();
    assert!(severity == "error" || severity == "warning", "{severity}");
    for key in ["code", "message", "path"] {
        assert!(
            get(diagnostic, key).is_string(),
            "`{key}` is not a string in {}",
            show(diagnostic)
        );
    }
    for key in ["line", "column"] {
        let value = get(diagnostic, key);
        assert!(
            value.is_null() || value.as_f64().is_some(),
            "`{key}` is neither null nor a number in {}",
            show(diagnostic)
        );
    }
    let hint = get(diagnostic, "hint");
    assert!(
        hint.is_null() || hint.is_string(),
        "`hint` is neither null nor a string in {}",
        show(diagnostic)
    );
    assert_eq!(
        Object::keys(diagnostic.unchecked_ref::<Object>()).length(),
        7,
        "{}",
        show(diagnostic)
    );
}

/// A failed compile: ok false, config null, every diagnostic well formed; returns the codes.
fn failure_codes(result: &JsValue) -> Vec<String> {
    assert_eq!(get(result, "ok"), JsValue::FALSE, "{}", show(result));
    assert!(
        get(result, "config").is_null(),
        "config must be null, not undefined: {}",
        show(result)
    );
    let list = diagnostics(result);
    assert!(!list.is_empty());
    list.iter().for_each(check_diagnostic_shape);
    list.iter()
        .map(|d| get(d, "code").as_string().unwrap())
        .collect()
}

#[wasm_bindgen_test]
fn a_good_spec_gives_ok_config_and_no_diagnostics() {
    let result = compile(request(SPEC));
    assert_eq!(get(&result, "ok"), JsValue::TRUE, "{}", show(&result));
    let config = get(&result, "config")
        .as_string()
        .expect("config is a string");
    assert!(
        config.starts_with("{\n  \"ociVersion\": \"1.2.1\""),
        "{config}"
    );
    assert!(config.ends_with("}\n"));
    assert!(diagnostics(&result).is_empty());
    assert_eq!(Object::keys(result.unchecked_ref::<Object>()).length(), 3);
}

#[wasm_bindgen_test]
fn warnings_ride_along_with_the_config() {
    let result = compile(request(SPEC_WITH_WARNING));
    assert_eq!(get(&result, "ok"), JsValue::TRUE, "{}", show(&result));
    let list = diagnostics(&result);
    assert!(!list.is_empty(), "expected a warning: {}", show(&result));
    for warning in &list {
        check_diagnostic_shape(warning);
        assert_eq!(
            get(warning, "severity").as_string().as_deref(),
            Some("warning")
        );
    }
}

#[wasm_bindgen_test]
fn a_spec_fault_has_line_column_and_hint() {
    let result = compile(request(BAD_SPEC));
    assert_eq!(failure_codes(&result), ["unknown-field"]);
    let diagnostic = &diagnostics(&result)[0];
    assert_eq!(
        get(diagnostic, "severity").as_string().as_deref(),
        Some("error")
    );
    assert_eq!(
        get(diagnostic, "path").as_string().as_deref(),
        Some("services.api.privilegd")
    );
    assert_eq!(get(diagnostic, "line").as_f64(), Some(7.0));
    assert_eq!(get(diagnostic, "column").as_f64(), Some(5.0));
    assert_eq!(
        get(diagnostic, "hint").as_string().as_deref(),
        Some("did you mean `privileged`?")
    );
}

#[wasm_bindgen_test]
fn faults_outside_the_spec_have_null_line_column() {
    let result = compile(object(&[
        ("spec", SPEC.into()),
        ("options", "{\"hostNetwrk\": true}".into()),
    ]));
    assert_eq!(failure_codes(&result), ["bad-options"]);
    let diagnostic = &diagnostics(&result)[0];
    assert!(get(diagnostic, "line").is_null());
    assert!(get(diagnostic, "column").is_null());
}

#[wasm_bindgen_test]
fn no_input_ever_throws() {
    let cyclic = Object::new();
    Reflect::set(&cyclic, &"self".into(), &cyclic).unwrap();
    let throwing = Object::new();
    let getter = object(&[(
        "get",
        Function::new_no_args("throw new Error('boom')").into(),
    )]);
    Reflect::define_property(&throwing, &"spec".into(), getter.unchecked_ref()).unwrap();
    let inputs: Vec<JsValue> = vec![
        JsValue::from(42),
        JsValue::NULL,
        JsValue::UNDEFINED,
        JsValue::from("version: v1"),
        JsValue::TRUE,
        Array::new().into(),
        Object::new().into(),
        object(&[("spec", 42.into())]),
        object(&[("spec", JsValue::NULL)]),
        object(&[("spec", SPEC.into()), ("replica", (-1).into())]),
        object(&[("spec", SPEC.into()), ("replica", 1.5.into())]),
        object(&[("spec", SPEC.into()), ("replica", "2".into())]),
        object(&[("spec", SPEC.into()), ("replica", 0.into())]),
        object(&[("spec", SPEC.into()), ("service", 7.into())]),
        object(&[("spec", SPEC.into()), ("inventory", 7.into())]),
        object(&[("spec", SPEC.into()), ("inventory", "not json".into())]),
        object(&[("spec", SPEC.into()), ("imageConfig", "{".into())]),
        object(&[("spec", SPEC.into()), ("options", cyclic.into())]),
        object(&[
            ("spec", SPEC.into()),
            ("options", js_sys::BigInt::from(1u32).into()),
        ]),
        object(&[("spec", "\u{0}\u{feff}: [{".into())]),
        throwing.into(),
    ];
    for input in inputs {
        let result = compile(input.clone());
        assert!(result.is_object(), "no result object for {input:?}");
        let codes = failure_codes(&result);
        assert!(!codes.is_empty(), "{input:?}");
    }
}

#[wasm_bindgen_test]
fn malformed_requests_report_bad_request_at_the_field() {
    let paths = |result: &JsValue| -> Vec<(String, String)> {
        failure_codes(result);
        diagnostics(result)
            .iter()
            .map(|d| {
                (
                    get(d, "code").as_string().unwrap(),
                    get(d, "path").as_string().unwrap(),
                )
            })
            .collect()
    };
    let bad = |path: &str| ("bad-request".to_string(), path.to_string());
    assert_eq!(paths(&compile(JsValue::from(42))), [bad("")]);
    assert_eq!(
        paths(&compile(object(&[("spec", 42.into())]))),
        [bad("spec")]
    );
    assert_eq!(paths(&compile(Object::new().into())), [bad("spec")]);
    assert_eq!(
        paths(&compile(object(&[
            ("spec", SPEC.into()),
            ("replica", (-3).into()),
            ("options", true.into())
        ]))),
        [bad("replica"), bad("options")]
    );
    let typo = compile(object(&[("spec", SPEC.into()), ("invntory", "{}".into())]));
    assert_eq!(paths(&typo), [bad("invntory")]);
    assert_eq!(
        get(&diagnostics(&typo)[0], "hint").as_string().as_deref(),
        Some("did you mean `inventory`?")
    );
}

#[wasm_bindgen_test]
fn json_documents_may_be_objects_or_text() {
    let options_text = "{\"hostname\": \"web-1\", \"env\": {\"B\": \"1\", \"A\": \"2\"}}";
    let as_text = compile(object(&[
        ("spec", SPEC.into()),
        ("options", options_text.into()),
    ]));
    let as_object = compile(object(&[
        ("spec", SPEC.into()),
        ("options", JSON::parse(options_text).unwrap()),
    ]));
    let config = get(&as_text, "config").as_string().expect("compiles");
    assert!(config.contains("\"hostname\": \"web-1\""), "{config}");
    assert!(config.contains("\"B=1\",\n      \"A=2\""), "{config}");
    assert_eq!(get(&as_object, "config").as_string(), Some(config));
}

#[wasm_bindgen_test]
fn absent_optional_fields_may_be_null_or_undefined() {
    let plain = compile(request(SPEC));
    let nulls = compile(object(&[
        ("spec", SPEC.into()),
        ("service", JsValue::NULL),
        ("replica", JsValue::UNDEFINED),
        ("inventory", JsValue::NULL),
        ("imageConfig", JsValue::NULL),
        ("options", JsValue::UNDEFINED),
    ]));
    assert_eq!(show(&plain), show(&nulls));
}

#[wasm_bindgen_test]
fn version_and_schemas() {
    assert_eq!(version(), env!("CARGO_PKG_VERSION"));
    for name in ["inventory", "options"] {
        let text = schema(name.into())
            .as_string()
            .unwrap_or_else(|| panic!("no `{name}` schema"));
        assert!(
            JSON::parse(&text).is_ok(),
            "the `{name}` schema is not JSON"
        );
    }
    assert!(schema("nope".into()).is_null());
    assert!(schema(JsValue::from(3)).is_null());
    assert!(schema(JsValue::UNDEFINED).is_null());
}
