//! The cross-crate test corpus of bundlec, as a library the test files share.
//!
//! - [`Case`] loads one corpus directory (`tests/golden/<case>/` or `tests/errors/<case>/`)
//!   exactly as `tests/CORPUS.md` describes, and turns it into a [`RawRequest`].
//! - [`oci_validator`] builds the OCI runtime-spec JSON Schema validator from the reference
//!   copy in `../shared/reference/runtime-spec-schema`, with every `$ref` resolved locally.
//!
//! Nothing here writes to the corpus: expected files are written once by a person (see
//! `tests/tests/drafts.rs` for the ignored helper that prints drafts elsewhere).

use std::fmt::Write as _;
use std::fs;
use std::path::{Path, PathBuf};

use bundlec_core::{Diagnostic, RawRequest, RequestText};
use serde_json::{Map, Value};

/// The crate directory: `<repo>/tests`.
pub fn tests_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The repository root.
pub fn repo_root() -> PathBuf {
    tests_dir().join("..")
}

/// `../shared/reference` beside the repository.
pub fn reference_dir() -> PathBuf {
    repo_root().join("..").join("shared").join("reference")
}

/// True when running in CI, where nothing may be skipped.
pub fn in_ci() -> bool {
    std::env::var("CI").is_ok_and(|value| value == "true" || value == "1")
}

/// The fields `case.json` may hold (CORPUS.md); any other key is a corpus mistake.
const CASE_FIELDS: &[&str] = &[
    "service",
    "replica",
    "inventory",
    "imageConfig",
    "options",
    "passwd",
    "group",
];

/// One corpus case, with every file it names already read.
#[derive(Debug, Clone)]
pub struct Case {
    pub name: String,
    pub dir: PathBuf,
    pub spec_file: &'static str,
    /// The name in `case.json` (its text is in `request.inventory`, from `tests/inventories/`).
    pub inventory_name: Option<String>,
    /// The spec as is (`spec.yaml` or `spec.json`); inventory, image config and options as JSON
    /// text, with `passwd`/`group` already put into the options.
    pub request: RequestText,
}

impl Case {
    /// Reads `dir` as a corpus case; panics with the case name on any corpus mistake.
    pub fn load(dir: &Path) -> Case {
        let name = dir
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or_default()
            .to_string();
        let fail = |what: String| -> ! { panic!("corpus case `{name}`: {what}") };
        // `compose.yaml` for the Compose corpus (tests/compose), named as people name it.
        let present: Vec<&'static str> = ["spec.yaml", "spec.json", "compose.yaml"]
            .into_iter()
            .filter(|name| dir.join(name).exists())
            .collect();
        let (spec_path, spec_file) = match present.as_slice() {
            [one] => (dir.join(one), *one),
            [] => fail("has no spec.yaml, spec.json or compose.yaml".into()),
            _ => fail(format!("has several specs: {}", present.join(", "))),
        };
        let spec = fs::read_to_string(&spec_path)
            .unwrap_or_else(|e| fail(format!("cannot read {spec_file}: {e}")));
        let mut case = Case {
            name: name.clone(),
            dir: dir.to_path_buf(),
            spec_file,
            inventory_name: None,
            request: RequestText {
                spec,
                ..RequestText::default()
            },
        };
        let case_json = dir.join("case.json");
        if !case_json.exists() {
            return case;
        }
        let text = fs::read_to_string(&case_json)
            .unwrap_or_else(|e| fail(format!("cannot read case.json: {e}")));
        let value: Value = serde_json::from_str(&text)
            .unwrap_or_else(|e| fail(format!("case.json is not JSON: {e}")));
        let Value::Object(fields) = value else {
            fail("case.json is not an object".into())
        };
        for key in fields.keys() {
            if !CASE_FIELDS.contains(&key.as_str()) {
                fail(format!(
                    "case.json has unknown field `{key}` (known: {})",
                    CASE_FIELDS.join(", ")
                ));
            }
        }
        let string = |key: &str| -> Option<String> {
            fields.get(key).map(|v| {
                v.as_str()
                    .map(str::to_string)
                    .unwrap_or_else(|| fail(format!("`{key}` must be a string")))
            })
        };
        case.request.service = string("service");
        case.request.replica = fields.get("replica").map(|v| {
            v.as_u64()
                .and_then(|n| u32::try_from(n).ok())
                .unwrap_or_else(|| fail("`replica` must be a u32".into()))
        });
        if let Some(inventory) = string("inventory") {
            let path = inventories_dir().join(format!("{inventory}.json"));
            case.request.inventory = Some(
                fs::read_to_string(&path)
                    .unwrap_or_else(|e| fail(format!("cannot read {}: {e}", path.display()))),
            );
            case.inventory_name = Some(inventory);
        }
        if let Some(image) = fields.get("imageConfig") {
            if !image.is_object() {
                fail("`imageConfig` must be an object".into());
            }
            case.request.image_config = Some(image.to_string());
        }
        let mut options = match fields.get("options") {
            None => None,
            Some(Value::Object(options)) => Some(options.clone()),
            Some(_) => fail("`options` must be an object".into()),
        };
        for (key, ext) in [("passwd", "passwd"), ("group", "group")] {
            if let Some(file) = string(key) {
                let path = inventories_dir().join(format!("{file}.{ext}"));
                let text = fs::read_to_string(&path)
                    .unwrap_or_else(|e| fail(format!("cannot read {}: {e}", path.display())));
                let options = options.get_or_insert_with(Map::new);
                if options.contains_key(key) {
                    fail(format!(
                        "`{key}` is given both in case.json and in its options"
                    ));
                }
                options.insert(key.to_string(), Value::String(text));
            }
        }
        case.request.options = options.map(|o| Value::Object(o).to_string());
        case
    }

    /// The request every binding would receive for this case.
    pub fn raw(&self) -> RawRequest<'_> {
        self.request.as_raw()
    }

    /// The case's `expected.json`, as text.
    pub fn expected(&self) -> String {
        let path = self.dir.join("expected.json");
        fs::read_to_string(&path).unwrap_or_else(|e| {
            panic!(
                "corpus case `{}`: cannot read expected.json: {e}",
                self.name
            )
        })
    }

    /// The case's `README.md`, which must say what the case pins down.
    pub fn readme(&self) -> String {
        fs::read_to_string(self.dir.join("README.md")).unwrap_or_default()
    }

    /// A failure message when the case does not say, in its README.md, what it pins down.
    pub fn readme_problem(&self) -> Option<String> {
        self.readme().trim().is_empty().then(|| {
            format!(
                "{}: README.md is missing or empty; say what the case pins down",
                self.name
            )
        })
    }
}

pub fn inventories_dir() -> PathBuf {
    tests_dir().join("inventories")
}

/// Every case directory under `tests/<kind>/`, sorted by name.
pub fn cases(kind: &str) -> Vec<Case> {
    let root = tests_dir().join(kind);
    let mut dirs: Vec<PathBuf> = fs::read_dir(&root)
        .unwrap_or_else(|e| panic!("cannot list {}: {e}", root.display()))
        .map(|entry| entry.expect("readable directory entry").path())
        .filter(|path| path.is_dir())
        .collect();
    dirs.sort();
    dirs.iter().map(|dir| Case::load(dir)).collect()
}

pub fn golden_cases() -> Vec<Case> {
    cases("golden")
}

pub fn error_cases() -> Vec<Case> {
    cases("errors")
}

/// Diagnostics as a person reads them, for failure messages.
pub fn render(diagnostics: &[Diagnostic]) -> String {
    let mut text = String::new();
    for d in diagnostics {
        let _ = writeln!(
            text,
            "  {:?} {} at `{}` {}:{} — {}{}",
            d.severity,
            d.code,
            d.path,
            d.line.map_or("-".into(), |l| l.to_string()),
            d.column.map_or("-".into(), |c| c.to_string()),
            d.message,
            d.hint
                .as_ref()
                .map(|h| format!(" (hint: {h})"))
                .unwrap_or_default()
        );
    }
    text
}

/// The first line where two texts differ, for failure messages.
pub fn first_difference(expected: &str, actual: &str) -> String {
    let mut expected_lines = expected.lines();
    let mut actual_lines = actual.lines();
    for number in 1.. {
        match (expected_lines.next(), actual_lines.next()) {
            (None, None) => break,
            (e, a) if e == a => {}
            (e, a) => return format!("line {number}: expected {e:?}, got {a:?}"),
        }
    }
    if expected.ends_with('\n') != actual.ends_with('\n') {
        return "the final newline differs".into();
    }
    "no line differs".into()
}

/// The directory of the OCI runtime-spec JSON Schema.
pub fn schema_dir() -> PathBuf {
    reference_dir().join("runtime-spec-schema")
}

/// The OCI runtime-spec config validator (draft-04). Every schema file of the directory is
/// registered under the URI its relative `$ref`s resolve to (`json-schema:///defs.json`…),
/// and nothing is fetched: the crate is built without its file and HTTP resolvers, so an
/// unregistered `$ref` is an error when the validator is built.
pub fn oci_validator() -> Result<jsonschema::Validator, String> {
    let dir = schema_dir();
    let read = |name: &str| -> Result<Value, String> {
        let text =
            fs::read_to_string(dir.join(name)).map_err(|e| format!("cannot read {name}: {e}"))?;
        serde_json::from_str(&text).map_err(|e| format!("{name} is not JSON: {e}"))
    };
    let root = read("config-schema.json")?;
    let mut options = jsonschema::options()
        .with_draft(jsonschema::Draft::Draft4)
        .with_base_uri("json-schema:///config-schema.json");
    let mut names: Vec<String> = fs::read_dir(&dir)
        .map_err(|e| format!("cannot list {}: {e}", dir.display()))?
        .filter_map(|entry| entry.ok()?.file_name().into_string().ok())
        .filter(|name| name.ends_with(".json") && name != "config-schema.json")
        .collect();
    names.sort();
    for name in &names {
        options = options.with_resource(
            format!("json-schema:///{name}"),
            jsonschema::Draft::Draft4.create_resource(read(name)?),
        );
    }
    options
        .build(&root)
        .map_err(|e| format!("the OCI schema does not build: {e}"))
}

/// Every schema error of `instance`, one per line; empty when valid.
pub fn schema_errors(validator: &jsonschema::Validator, instance: &Value) -> String {
    validator
        .iter_errors(instance)
        .map(|e| format!("  {} at {}\n", e, e.instance_path))
        .collect()
}
