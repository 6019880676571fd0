//! Arbitrary CDI spec text (YAML or JSON, as `bundlec probe` reads from /etc/cdi): reading it
//! never panics, a refusal is errors with valid positions, and a spec that reads writes JSON
//! that reads back to the same spec (what the inventory carries).
#![no_main]

use bundlec_core::read_cdi_spec;
use bundlec_fuzz::check_positions;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    match read_cdi_spec(text) {
        Ok(spec) => {
            let json = serde_json::to_string(&spec).expect("a spec serializes");
            let again = read_cdi_spec(&json).expect("a spec's own JSON reads back");
            assert_eq!(again, spec);
        }
        Err(errors) => {
            assert!(!errors.is_empty() && errors.iter().any(|e| e.is_error()));
            check_positions(&errors);
        }
    }
});
