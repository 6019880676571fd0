//! Arbitrary inventory text: reading it never panics, a refusal is one error, and every
//! inventory that reads can serve a small GPU spec of each vendor without a panic.
#![no_main]

use bundlec_core::{compile, Inventory, Request};
use bundlec_fuzz::{check_outcome, check_positions, fixture, GPU_SPECS};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    match Inventory::from_json(text) {
        Ok(inventory) => {
            let fixture = fixture();
            for spec in GPU_SPECS {
                let request = Request {
                    spec: spec.to_string(),
                    inventory: Some(inventory.clone()),
                    image_config: Some(fixture.image_config.clone()),
                    // With passwd/group, so the image's user resolves and a grant can succeed.
                    options: fixture.options.clone(),
                    ..Request::default()
                };
                check_outcome(&compile(&request));
            }
        }
        Err(error) => {
            assert!(
                error.is_error(),
                "a refused inventory gives a warning: {error:?}"
            );
            check_positions(std::slice::from_ref(&error));
        }
    }
});
