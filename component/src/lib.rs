//! bundlec-component: the compiler as a WebAssembly component exporting `bundlec:compiler/compiler`
//! (core/wit/bundlec.wit, interface version 0.3.0). It only converts WIT values to and from the
//! core's types.

use bundlec_core::RawRequest;

wit_bindgen::generate!({ path: "../core/wit", world: "bundlec" });

use exports::bundlec::compiler::compiler::{
    Diagnostic, Guest, Output, Reference, Request, ServiceOutline, Severity, Span, SpecOutline,
    Volume, VolumeKind,
};

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

    fn outline(spec: String) -> Result<SpecOutline, Vec<Diagnostic>> {
        match bundlec_core::outline(&spec) {
            Ok(outline) => Ok(SpecOutline {
                deployment: outline.deployment,
                services: outline.services.into_iter().map(service).collect(),
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
            end_line: d.end_line,
            end_column: d.end_column,
            hint: d.hint,
        })
        .collect()
}

fn service(service: bundlec_core::ServiceOutline) -> ServiceOutline {
    let references = |list: Vec<bundlec_core::Reference>| {
        list.into_iter()
            .map(|reference| Reference {
                name: reference.name,
                span: span(reference.span),
            })
            .collect()
    };
    ServiceOutline {
        name: service.name,
        span: span(service.span),
        replicas: service.replicas,
        max_replicas: service.max_replicas,
        secrets: references(service.secrets),
        host_env: references(service.host_env),
        volumes: service
            .volumes
            .into_iter()
            .map(|volume| Volume {
                kind: match volume.kind {
                    bundlec_core::VolumeKind::Named => VolumeKind::Named,
                    bundlec_core::VolumeKind::Anonymous => VolumeKind::Anonymous,
                    bundlec_core::VolumeKind::S3 => VolumeKind::S3,
                },
                key: volume.key,
                span: span(volume.span),
            })
            .collect(),
        seccomp_profile: service.seccomp_profile.map(|profile| Reference {
            name: profile.name,
            span: span(profile.span),
        }),
    }
}

fn span(span: bundlec_core::Span) -> Span {
    Span {
        line: span.line,
        column: span.column,
        end_line: span.end_line,
        end_column: span.end_column,
    }
}

export!(Component);
