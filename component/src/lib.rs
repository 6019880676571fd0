//! bundlec-component: the compiler as a WebAssembly component exporting `bundlec:compiler/compiler`
//! (core/wit/bundlec.wit). It only converts WIT values to and from the core's types.

use bundlec_core::RawRequest;

wit_bindgen::generate!({ path: "../core/wit", world: "bundlec" });

use exports::bundlec::compiler::compiler::{Diagnostic, Guest, Output, Request, Severity};

struct Component;

impl Guest for Component {
    fn compile(req: Request) -> Result<Output, Vec<Diagnostic>> {
        let raw = RawRequest {
            spec: &req.spec,
            service: req.service.as_deref(),
            replica: req.replica,
            inventory: req.inventory.as_deref(),
            image_config: req.image_config.as_deref(),
            options: req.options.as_deref(),
        };
        match bundlec_core::compile_raw(raw) {
            Ok(compiled) => Ok(Output {
                config: compiled.json,
                diagnostics: convert(compiled.warnings),
            }),
            Err(errors) => Err(convert(errors)),
        }
    }

    fn version() -> String {
        bundlec_core::version().to_string()
    }
}

fn convert(diagnostics: Vec<bundlec_core::Diagnostic>) -> Vec<Diagnostic> {
    diagnostics
        .into_iter()
        .map(|d| Diagnostic {
            severity: match d.severity {
                bundlec_core::Severity::Error => Severity::Error,
                bundlec_core::Severity::Warning => Severity::Warning,
            },
            code: d.code,
            message: d.message,
            path: d.path,
            line: d.line,
            column: d.column,
            hint: d.hint,
        })
        .collect()
}

export!(Component);
