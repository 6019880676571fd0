//! A helper for people writing corpus cases, never part of the test run.
//!
//! It compiles every golden and error case and writes what the compiler gives **outside the
//! corpus**, into `$BUNDLEC_DRAFT_DIR/golden/<case>/expected.json` (the config, or the
//! diagnostics when the compile fails) and `$BUNDLEC_DRAFT_DIR/errors/<case>/diagnostics.json`
//! (every diagnostic, with its message and hint). A person reads each draft line by line against
//! DESIGN.md and only then copies it into the case; no test ever rewrites an expected file.
//!
//! ```sh
//! BUNDLEC_DRAFT_DIR=/tmp/drafts cargo test -p bundlec-tests --test drafts -- --ignored
//! ```

use std::fs;
use std::path::PathBuf;

use bundlec_core::compile_raw;
use bundlec_tests::{error_cases, golden_cases};
use serde_json::json;

#[test]
#[ignore = "writes drafts for a person to review; run by hand with BUNDLEC_DRAFT_DIR set"]
fn write_drafts() {
    let out = PathBuf::from(
        std::env::var("BUNDLEC_DRAFT_DIR")
            .expect("set BUNDLEC_DRAFT_DIR to a directory outside the corpus"),
    );
    assert!(
        !out.starts_with(bundlec_tests::tests_dir().canonicalize().unwrap()),
        "drafts never go into the corpus"
    );
    for (kind, cases) in [("golden", golden_cases()), ("errors", error_cases())] {
        for case in cases {
            let dir = out.join(kind).join(&case.name);
            fs::create_dir_all(&dir).unwrap();
            let (file, text) = match compile_raw(case.raw()) {
                Ok(compiled) if kind == "golden" => ("expected.json", compiled.json),
                Ok(compiled) => ("UNEXPECTED-OK.json", compiled.json),
                Err(diagnostics) => {
                    let list: Vec<_> = diagnostics
                        .iter()
                        .map(|d| json!({ "code": d.code, "path": d.path, "line": d.line, "column": d.column, "message": d.message, "hint": d.hint }))
                        .collect();
                    let name = if kind == "golden" {
                        "UNEXPECTED-ERR.json"
                    } else {
                        "diagnostics.json"
                    };
                    (
                        name,
                        serde_json::to_string_pretty(&json!({ "diagnostics": list })).unwrap()
                            + "\n",
                    )
                }
            };
            fs::write(dir.join(file), text).unwrap();
        }
    }
}
