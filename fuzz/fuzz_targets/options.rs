//! Arbitrary options text: reading it never panics, a refusal is one error, and every options
//! object that reads can be compiled with a spec that uses each option, without a panic.
#![no_main]

use bundlec_core::{compile, Options, Request};
use bundlec_fuzz::{check_outcome, check_positions, fixture, OPTIONS_SPEC};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    match Options::from_json(text) {
        Ok(options) => {
            let fixture = fixture();
            let request = Request {
                spec: OPTIONS_SPEC.to_string(),
                inventory: Some(fixture.inventory.clone()),
                image_config: Some(fixture.image_config.clone()),
                options,
                ..Request::default()
            };
            check_outcome(&compile(&request));
            // Replica 2 of 2 takes the other branch of the distributed environment.
            let second = Request {
                replica: Some(2),
                ..request
            };
            check_outcome(&compile(&second));
        }
        Err(error) => {
            assert!(
                error.is_error(),
                "refused options give a warning: {error:?}"
            );
            check_positions(std::slice::from_ref(&error));
        }
    }
});
