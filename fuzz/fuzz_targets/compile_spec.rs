//! Arbitrary spec text against a fixed inventory, image config and options: the compile never
//! panics, is deterministic, agrees with `compile_all`, and reports well-formed diagnostics.
#![no_main]

use bundlec_core::{compile_raw, RawRequest};
use bundlec_fuzz::{
    check_against_second_compile, check_outcome, options_json, IMAGE_CONFIG, INVENTORY,
};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    // Every binding receives text; invalid UTF-8 is refused before the core, so map it to text
    // rather than skip it, and let the mutations of those bytes still reach the parser.
    let spec = String::from_utf8_lossy(data);
    let outcome = compile_raw(RawRequest {
        spec: &spec,
        service: None,
        replica: None,
        inventory: Some(INVENTORY),
        image_config: Some(IMAGE_CONFIG),
        options: Some(options_json()),
    });
    check_outcome(&outcome);
    check_against_second_compile(&spec, &outcome);
});
