//! The seccomp profiles a spec names (`security_opt: [seccomp=PATH]`), read for the core's
//! `options.seccompProfiles`. PATH is taken from the spec's folder (the current directory for a
//! spec on stdin) and read within `--max-input-bytes`; no other path of the spec is read.

use std::collections::BTreeMap;

use bundlec_core::{Diagnostic, Outline, Reference, ServiceOutline};

use crate::codes;
use crate::failure::{self, Coded};
use crate::input::{read_text, SpecSource};
use crate::path_error::PathError;

/// The text of the profile the chosen service names, keyed by PATH as written (the core's
/// `options.seccompProfiles`); a file that
/// cannot be read is an error diagnostic at its `security_opt` entry. The service is chosen as
/// the compile chooses it; a spec that cannot be read, or a service that cannot be chosen, names
/// none (the compile reports those faults itself). `outline` is the spec's (`None`: not
/// readable), made once by the caller for every file it reads beside the spec.
pub fn read(
    spec: &SpecSource,
    outline: Option<&Outline>,
    service: Option<&str>,
    limit: u64,
) -> (BTreeMap<String, String>, Vec<Diagnostic>) {
    let mut texts = BTreeMap::new();
    let mut diagnostics = Vec::new();
    let Some(outline) = outline else {
        return (texts, diagnostics);
    };
    let chosen: Option<&ServiceOutline> = match service {
        Some(name) => outline.services.iter().find(|s| s.name == name),
        None => match outline.services.as_slice() {
            [only] => Some(only),
            _ => None,
        },
    };
    if let Some(service) = chosen {
        if let Some(profile) = &service.seccomp_profile {
            let file = spec.folder.join(&profile.name);
            match read_text("the seccomp profile", &file, limit) {
                Ok(text) => {
                    texts.insert(profile.name.clone(), text);
                }
                Err(error) => diagnostics.push(unreadable(spec, &service.name, profile, &error)),
            }
        }
    }
    (texts, diagnostics)
}

/// The error at the `seccomp=PATH` entry. A missing or unreadable file is
/// `seccomp-profile-unreadable`; a file too large or not UTF-8 keeps the code of that fault.
fn unreadable(
    spec: &SpecSource,
    service: &str,
    profile: &Reference,
    error: &PathError,
) -> Diagnostic {
    let code = match error {
        PathError::Io { .. } => codes::SECCOMP_PROFILE_UNREADABLE,
        other => other.code(),
    };
    let hint = if spec.folder.as_os_str().is_empty() {
        "a relative PATH is read from the current directory (the spec's folder, or where bundlec \
         runs for a spec on stdin)"
            .to_string()
    } else {
        format!(
            "a relative PATH is read from the spec's folder, `{}`",
            spec.folder.display()
        )
    };
    let span = profile.span;
    Diagnostic {
        line: Some(span.line),
        column: Some(span.column),
        end_line: Some(span.end_line),
        end_column: Some(span.end_column),
        ..Diagnostic::error(
            code,
            format!("services.{service}.security_opt"),
            failure::message(error),
        )
        .with_hint(hint)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::input::read_spec;

    const SPEC: &str = "version: v1\ndeployment: demo\nservices:\n  api:\n    image: { name: x }\n    \
        command: { entrypoint: [/bin/true] }\n    security_opt: [seccomp=profiles/api.json]\n  \
        web:\n    image: { name: x }\n    command: { entrypoint: [/bin/true] }\n    \
        security_opt: [\"seccomp:/nonexistent/bundlec/web.json\"]\n  plain:\n    image: { name: x }\n    \
        command: { entrypoint: [/bin/true] }\n";

    #[test]
    fn only_the_chosen_services_profile_is_read_from_the_spec_folder() {
        let dir = std::env::temp_dir().join(format!("bundlec-seccomp-{}", std::process::id()));
        std::fs::create_dir_all(dir.join("profiles")).unwrap();
        std::fs::write(dir.join("spec.yaml"), SPEC).unwrap();
        std::fs::write(
            dir.join("profiles/api.json"),
            "{\"defaultAction\":\"SCMP_ACT_LOG\"}",
        )
        .unwrap();
        let spec = read_spec(dir.join("spec.yaml").to_str().unwrap(), 1 << 20).unwrap();
        assert_eq!(spec.folder, dir);
        let outline = bundlec_core::outline(&spec.text).ok();
        let read = |spec, service, limit| read(spec, outline.as_ref(), service, limit);

        let (texts, diagnostics) = read(&spec, Some("api"), 1 << 20);
        assert_eq!(
            texts,
            BTreeMap::from([(
                "profiles/api.json".to_string(),
                "{\"defaultAction\":\"SCMP_ACT_LOG\"}".to_string()
            )])
        );
        assert!(diagnostics.is_empty(), "{diagnostics:?}");
        // A service without a profile, an unknown service, or no choice among several: nothing.
        for service in [Some("plain"), Some("nope"), None] {
            assert_eq!(read(&spec, service, 1 << 20), (BTreeMap::new(), vec![]));
        }

        // An absolute PATH is read as it is; a missing file is an error at its entry.
        let (texts, diagnostics) = read(&spec, Some("web"), 1 << 20);
        assert!(texts.is_empty());
        let [error] = diagnostics.as_slice() else {
            panic!("{diagnostics:?}")
        };
        assert_eq!(error.code, "seccomp-profile-unreadable");
        assert_eq!(error.path, "services.web.security_opt");
        assert_eq!((error.line, error.column), (Some(11), Some(20)));
        assert!(error.message.starts_with(
            "cannot read the seccomp profile `/nonexistent/bundlec/web.json`: No such file"
        ));

        // The input limit holds for profiles too.
        let (_, diagnostics) = read(&spec, Some("api"), 16);
        assert_eq!(diagnostics.len(), 1);
        assert_eq!(diagnostics[0].code, "too-large");
        assert_eq!(diagnostics[0].line, Some(7));
        std::fs::remove_dir_all(dir).unwrap();
    }
}
