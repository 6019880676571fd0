//! The JavaScript shape of bundlec-web: `{ok, config, diagnostics}` and `{ok, outline,
//! diagnostics}` with null (never undefined) for absent values, diagnostics with their ranges,
//! and no throw for any input. Run with wasm-bindgen-test-runner in Node.
#![cfg(target_arch = "wasm32")]

use bundlec_web::{compile, outline, schema, version};
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

/// A request on an x86_64 node on kernel 6.8, so that the seccomp profile resolves without
/// the `seccomp-host-assumed` warning a request without a node gets.
fn request(spec: &str) -> JsValue {
    object(&[
        ("spec", spec.into()),
        (
            "inventory",
            r#"{"inventoryVersion":2,"host":{"arch":"x86_64","kernel":"6.8.0"}}"#.into(),
        ),
    ])
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
    // The range: all four positions or none (a fault outside the spec text).
    let range: Vec<JsValue> = ["line", "column", "endLine", "endColumn"]
        .iter()
        .map(|key| get(diagnostic, key))
        .collect();
    assert!(
        range.iter().all(JsValue::is_null) || range.iter().all(|v| v.as_f64().is_some()),
        "the range is neither four numbers nor four nulls in {}",
        show(diagnostic)
    );
    let hint = get(diagnostic, "hint");
    assert!(
        hint.is_null() || hint.is_string(),
        "`hint` is neither null nor a string in {}",
        show(diagnostic)
    );
    assert_eq!(
        Object::keys(diagnostic.unchecked_ref::<Object>()).length(),
        9,
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
    // `privilegd` is 9 characters: the end is exclusive.
    assert_eq!(get(diagnostic, "endLine").as_f64(), Some(7.0));
    assert_eq!(get(diagnostic, "endColumn").as_f64(), Some(14.0));
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
    for key in ["line", "column", "endLine", "endColumn"] {
        assert!(
            get(diagnostic, key).is_null(),
            "{key}: {}",
            show(diagnostic)
        );
    }
}

#[wasm_bindgen_test]
fn a_value_fault_spans_exactly_the_value() {
    // `100m` starts at column 26 and ends before column 30.
    let spec = "version: v1\ndeployment: demo\nservices:\n  api:\n    image: { name: \"ghcr.io/acme/api:1\" }\n    command: { entrypoint: [\"/api\"] }\n    resources: { memory: 100m }\n";
    let result = compile(request(spec));
    assert_eq!(failure_codes(&result), ["bad-memory"]);
    let diagnostic = &diagnostics(&result)[0];
    let range: Vec<Option<f64>> = ["line", "column", "endLine", "endColumn"]
        .iter()
        .map(|key| get(diagnostic, key).as_f64())
        .collect();
    assert_eq!(range, [Some(7.0), Some(26.0), Some(7.0), Some(30.0)]);
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
    let plain = compile(object(&[("spec", SPEC.into())]));
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
    for name in ["spec", "inventory", "options"] {
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

/// Services with a fixed, an adaptive and no scale; references (one repeated) and volumes.
const OUTLINE_SPEC: &str = "version: v1
deployment: demo
services:
  api:
    image: { name: \"ghcr.io/acme/api:1\" }
    env: { A: \"$S:db/pw\", B: \"$E:HOME\", C: \"$S:db/pw\", D: plain }
    storage:
      - { type: named, name: cache, target: /cache }
      - type: anonymous
        target: /scratch
      - { type: tmpfs, target: /tmp }
    scale: { mode: fixed, replicas: 3 }
  batch:
    scale: { mode: adaptive, min: 1, max: 5 }
  solo:
    image: { name: x }
";

fn span(line: u32, column: u32, end_line: u32, end_column: u32) -> String {
    format!(r#"{{"line":{line},"column":{column},"endLine":{end_line},"endColumn":{end_column}}}"#)
}

#[wasm_bindgen_test]
fn outline_gives_services_replicas_references_and_volumes_with_ranges() {
    let result = outline(OUTLINE_SPEC.into());
    assert_eq!(get(&result, "ok"), JsValue::TRUE, "{}", show(&result));
    assert!(diagnostics(&result).is_empty());
    assert_eq!(Object::keys(result.unchecked_ref::<Object>()).length(), 3);
    // Columns counted by hand: `"$S:db/pw"` (quotes included) at 6:15, `"$E:HOME"` at 6:30;
    // a storage entry from its `{` (or first key) to its end.
    let api = format!(
        concat!(
            r#"{{"name":"api","span":{},"replicas":3,"maxReplicas":null,"#,
            r#""secrets":[{{"name":"db/pw","span":{}}}],"hostEnv":[{{"name":"HOME","span":{}}}],"#,
            r#""volumes":[{{"kind":"named","key":"cache","span":{}}},"#,
            r#"{{"kind":"anonymous","key":"/scratch","span":{}}}]}}"#
        ),
        span(4, 3, 4, 6),
        span(6, 15, 6, 25),
        span(6, 30, 6, 39),
        span(8, 9, 8, 53),
        span(9, 9, 10, 25),
    );
    let batch = format!(
        r#"{{"name":"batch","span":{},"replicas":null,"maxReplicas":5,"secrets":[],"hostEnv":[],"volumes":[]}}"#,
        span(13, 3, 13, 8)
    );
    let solo = format!(
        r#"{{"name":"solo","span":{},"replicas":null,"maxReplicas":null,"secrets":[],"hostEnv":[],"volumes":[]}}"#,
        span(15, 3, 15, 7)
    );
    assert_eq!(
        show(&get(&result, "outline")),
        format!(r#"{{"deployment":"demo","services":[{api},{batch},{solo}]}}"#)
    );
}

#[wasm_bindgen_test]
fn outline_of_an_unreadable_spec_fails_with_null_and_diagnostics() {
    for (spec, code) in [
        ("services: [", "yaml-syntax"),
        ("[1, 2]", "wrong-type"),
        ("", "empty-spec"),
    ] {
        let result = outline(spec.into());
        assert_eq!(
            get(&result, "ok"),
            JsValue::FALSE,
            "{spec}: {}",
            show(&result)
        );
        assert!(
            get(&result, "outline").is_null(),
            "outline must be null, not undefined: {}",
            show(&result)
        );
        let list = diagnostics(&result);
        list.iter().for_each(check_diagnostic_shape);
        let codes: Vec<String> = list
            .iter()
            .map(|d| get(d, "code").as_string().unwrap())
            .collect();
        assert_eq!(codes, [code], "{spec}");
    }
    // A readable spec with faults still has an outline: the compile judges the rest.
    let result = outline("version: v9\nservices: {}\n".into());
    assert_eq!(
        show(&result),
        r#"{"ok":true,"outline":{"deployment":null,"services":[]},"diagnostics":[]}"#
    );
}

#[wasm_bindgen_test]
fn outline_never_throws_and_reports_a_non_string_as_bad_request() {
    for input in [
        JsValue::from(42),
        JsValue::NULL,
        JsValue::UNDEFINED,
        JsValue::TRUE,
        Object::new().into(),
        Array::new().into(),
    ] {
        let result = outline(input.clone());
        assert_eq!(get(&result, "ok"), JsValue::FALSE, "{input:?}");
        assert!(get(&result, "outline").is_null(), "{input:?}");
        let list = diagnostics(&result);
        list.iter().for_each(check_diagnostic_shape);
        let found: Vec<(String, String)> = list
            .iter()
            .map(|d| {
                (
                    get(d, "code").as_string().unwrap(),
                    get(d, "path").as_string().unwrap(),
                )
            })
            .collect();
        assert_eq!(
            found,
            [("bad-request".to_string(), "spec".to_string())],
            "{input:?}"
        );
    }
}
