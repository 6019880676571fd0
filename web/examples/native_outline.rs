//! The native side of the outline parity check (scripts/wasm/parity.py): reads a JSON list of spec
//! texts on stdin and prints one JSON list of what `bundlec_core::outline` gives for each, in the
//! browser module's form `{ok, outline, diagnostics}`, so that the wasm builds can be compared
//! with the native core.

use std::io::Read;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut input = String::new();
    std::io::stdin().read_to_string(&mut input)?;
    let specs: Vec<String> = serde_json::from_str(&input)?;
    let results: Vec<serde_json::Value> = specs
        .iter()
        .map(|spec| match bundlec_core::outline(spec) {
            Ok(outline) => serde_json::json!({"ok": true, "outline": outline, "diagnostics": []}),
            Err(errors) => serde_json::json!({"ok": false, "outline": null, "diagnostics": errors}),
        })
        .collect();
    println!("{}", serde_json::to_string(&results)?);
    Ok(())
}
