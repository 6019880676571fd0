//! What a spec declares, read without compiling: its services, their replica counts, the
//! secrets, host variables and volumes they need from the options, each with its range in
//! the text. The page fills its menus and placeholders from it, and `apply` places volumes;
//! both read the spec through the same reader as the compile, so they cannot disagree with it.

use serde::Serialize;

use crate::diagnostic::{Diagnostic, Diagnostics, Loc};
use crate::spec::{self, EnvValue, Seccomp, Service, StorageKind};

/// The outline of a deployment spec.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Outline {
    /// The `deployment:` name when it is a valid deployment name.
    pub deployment: Option<String>,
    /// The services, in document order.
    pub services: Vec<ServiceOutline>,
}

/// One service of an [`Outline`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ServiceOutline {
    /// The service's name, its key under `services`.
    pub name: String,
    /// The range of the service's key.
    pub span: Span,
    /// The replicas of a fixed scale (the default scale is adaptive: then `None`).
    pub replicas: Option<u32>,
    /// The `max` of an adaptive scale, when given.
    pub max_replicas: Option<u32>,
    /// The secrets `$S:ref` values in `env` take, unique, in document order.
    pub secrets: Vec<Reference>,
    /// The host variables `$E:NAME` values in `env` take, unique, in document order.
    pub host_env: Vec<Reference>,
    /// The volumes whose host directory `options.volumes` gives, unique by key.
    pub volumes: Vec<Volume>,
    /// The seccomp profile `security_opt: [seccomp=PATH]` names, whose text
    /// `options.seccompProfiles[PATH]` gives (the CLI reads it beside the spec). Left out of
    /// the JSON form when there is none.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub seccomp_profile: Option<Reference>,
}

/// A secret or host variable an environment value refers to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Reference {
    /// The secret's reference or the variable's name, without `$S:` or `$E:`.
    pub name: String,
    /// The range of the first value that refers to it.
    pub span: Span,
}

/// The kind of a volume whose host directory the options give.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum VolumeKind {
    /// `type: named`, keyed by its name.
    Named,
    /// `type: anonymous`, keyed by its target in the container.
    Anonymous,
    /// `type: s3`, keyed by its bucket.
    S3,
}

/// A volume of a service, by the key `options.volumes` gives its host directory under.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Volume {
    /// Named, anonymous or S3.
    pub kind: VolumeKind,
    /// The key in `options.volumes`: the name, the target or the bucket.
    pub key: String,
    /// The range of the storage entry.
    pub span: Span,
}

/// A range in the spec text: 1-based line and column (in characters), the end exclusive as in
/// LSP ranges (`100m` at column 26 ends at column 30).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Span {
    /// The line of the start.
    pub line: u32,
    /// The column of the start.
    pub column: u32,
    /// The line of the end.
    pub end_line: u32,
    /// The column just past the end.
    pub end_column: u32,
}

impl Span {
    /// Every place the reader gives an outline comes from the spec text, so it has a range.
    fn of(at: &Loc) -> Span {
        Span {
            line: at.line.unwrap_or_default(),
            column: at.column.unwrap_or_default(),
            end_line: at.end_line.unwrap_or_default(),
            end_column: at.end_column.unwrap_or_default(),
        }
    }
}

/// Reads what a spec declares. Fails only when the text is not a readable YAML or JSON map;
/// faults in its values (which the compile reports) leave those values out of the outline.
pub fn outline(spec: &str) -> Result<Outline, Vec<Diagnostic>> {
    let mut diags = Diagnostics::default();
    let Some(deployment) = spec::parse(spec, &mut diags) else {
        return Err(diags.into_sorted());
    };
    let deployment_name =
        crate::names::valid_deployment_name(&deployment.name).then_some(deployment.name);
    Ok(Outline {
        deployment: deployment_name,
        services: deployment.services.iter().map(service).collect(),
    })
}

fn service(service: &Service) -> ServiceOutline {
    let mut secrets = Vec::new();
    let mut host_env = Vec::new();
    for var in &service.env {
        let (list, name) = match &var.value {
            EnvValue::Secret(name) => (&mut secrets, name),
            EnvValue::HostEnv(name) => (&mut host_env, name),
            EnvValue::Literal(_) => continue,
        };
        add_reference(list, name, &var.at);
    }
    ServiceOutline {
        name: service.name.clone(),
        span: Span::of(&service.at),
        replicas: service.fixed_replicas(),
        max_replicas: service.max_replicas(),
        secrets,
        host_env,
        volumes: volumes(service),
        seccomp_profile: match &service.confinement.seccomp {
            Seccomp::Profile(path) => Some(Reference {
                name: path.value.clone(),
                span: Span::of(&path.at),
            }),
            _ => None,
        },
    }
}

/// Adds a reference unless the list has it (lists are a service's env: short).
fn add_reference(list: &mut Vec<Reference>, name: &str, at: &Loc) {
    if !list.iter().any(|known| known.name == name) {
        list.push(Reference {
            name: name.to_string(),
            span: Span::of(at),
        });
    }
}

/// The volumes the options place, keyed as the compile looks them up in `options.volumes`.
fn volumes(service: &Service) -> Vec<Volume> {
    let mut volumes: Vec<Volume> = Vec::new();
    for storage in &service.storage {
        let (kind, key) = match &storage.kind {
            // The reader keeps only valid names.
            StorageKind::Named { name } => (VolumeKind::Named, name),
            // A target the compile refuses never reaches `options.volumes`.
            StorageKind::Anonymous if crate::names::absolute_clean(&storage.target.value) => {
                (VolumeKind::Anonymous, &storage.target.value)
            }
            StorageKind::S3 { bucket } if !bucket.is_empty() => (VolumeKind::S3, bucket),
            _ => continue,
        };
        if !volumes.iter().any(|known| &known.key == key) {
            volumes.push(Volume {
                kind,
                key: key.clone(),
                span: Span::of(&storage.at),
            });
        }
    }
    volumes
}

#[cfg(test)]
mod tests {
    use super::*;

    fn span(line: u32, column: u32, end_line: u32, end_column: u32) -> Span {
        Span {
            line,
            column,
            end_line,
            end_column,
        }
    }

    const SPEC: &str = "\
version: v1
deployment: shop
services:
  api:
    image: { name: api }
    env:
      DB: $S:db/password
      HOME_DIR: $E:HOME
      AGAIN: \"$S:db/password\"
      TOKEN: $S:token
      PLAIN: hello
    scale: { mode: fixed, replicas: 3 }
    storage:
      - { type: named, name: data, target: /data }
      - { type: anonymous, target: /cache }
      - type: s3
        bucket: models
        target: /models
      - { type: named, name: data, target: /data2 }
      - { type: bind, source: /srv, target: /srv }
      - { type: tmpfs, target: /tmp }
  worker:
    image: { name: worker }
    scale: { mode: adaptive, min: 1, max: 8 }
  once:
    image: { name: once }
";

    #[test]
    fn services_in_document_order_with_their_scales() {
        let outline = outline(SPEC).unwrap();
        assert_eq!(outline.deployment.as_deref(), Some("shop"));
        let names: Vec<&str> = outline.services.iter().map(|s| s.name.as_str()).collect();
        assert_eq!(names, ["api", "worker", "once"]);
        let api = &outline.services[0];
        assert_eq!(api.span, span(4, 3, 4, 6));
        assert_eq!((api.replicas, api.max_replicas), (Some(3), None));
        let worker = &outline.services[1];
        assert_eq!((worker.replicas, worker.max_replicas), (None, Some(8)));
        // Without `scale`, ZLayer scales adaptively, with no max given.
        let once = &outline.services[2];
        assert_eq!((once.replicas, once.max_replicas), (None, None));
        // `scale: {}` is fixed with one replica.
        let fixed_one = outline_of("scale: {}");
        assert_eq!(fixed_one.replicas, Some(1));
    }

    #[test]
    fn references_are_unique_with_the_range_of_their_first_value() {
        let api = &outline(SPEC).unwrap().services[0];
        assert_eq!(
            api.secrets,
            [
                Reference {
                    name: "db/password".into(),
                    span: span(7, 11, 7, 25)
                },
                Reference {
                    name: "token".into(),
                    span: span(10, 14, 10, 22)
                },
            ]
        );
        assert_eq!(
            api.host_env,
            [Reference {
                name: "HOME".into(),
                span: span(8, 17, 8, 24)
            }]
        );
    }

    #[test]
    fn volumes_by_the_key_options_give_them_under() {
        let api = &outline(SPEC).unwrap().services[0];
        let volumes: Vec<(VolumeKind, &str)> = api
            .volumes
            .iter()
            .map(|v| (v.kind, v.key.as_str()))
            .collect();
        assert_eq!(
            volumes,
            [
                (VolumeKind::Named, "data"),
                (VolumeKind::Anonymous, "/cache"),
                (VolumeKind::S3, "models"),
            ]
        );
        assert_eq!(api.volumes[0].span, span(14, 9, 14, 51));
        // A block map ends where its last value does.
        assert_eq!(api.volumes[2].span, span(16, 9, 18, 24));
    }

    #[test]
    fn invalid_names_are_left_out() {
        let service = outline_of(
            "storage:\n      - { type: named, name: ../etc, target: /a }\n      - { type: anonymous, target: relative }\n      - { type: anonymous, target: /b/../c }\n      - { type: named, name: ok, target: /d }",
        );
        let keys: Vec<&str> = service.volumes.iter().map(|v| v.key.as_str()).collect();
        assert_eq!(keys, ["ok"]);
        let bad_name = "version: v1\ndeployment: x\nservices:\n  api: {}\n";
        assert_eq!(outline(bad_name).unwrap().deployment, None);
    }

    #[test]
    fn json_specs_have_outlines_too() {
        let json = r#"{"version": "v1", "deployment": "shop", "services": {"api": {"image": {"name": "a"}, "env": {"K": "$E:KEY"}, "storage": [{"type": "named", "name": "data", "target": "/data"}]}}}"#;
        let outline = outline(json).unwrap();
        let api = &outline.services[0];
        assert_eq!(api.name, "api");
        assert_eq!(api.span, span(1, 54, 1, 59));
        assert_eq!(api.host_env[0].name, "KEY");
        assert_eq!(api.host_env[0].span, span(1, 99, 1, 107));
        assert_eq!(api.volumes[0].key, "data");
    }

    #[test]
    fn a_spec_with_faults_still_has_an_outline_but_unreadable_text_has_none() {
        let faulty = "version: v2\ndeployment: shop\nservices:\n  api:\n    image: { name: a }\n    resources: { memory: 100m }\n    env: { S: $S:key }\n";
        let api = &outline(faulty).unwrap().services[0];
        assert_eq!(api.secrets[0].name, "key");
        for text in ["", "a: [1", "- a\n- b\n", "just text"] {
            let errors = outline(text).unwrap_err();
            assert!(errors.iter().any(Diagnostic::is_error), "{text:?}");
        }
    }

    #[test]
    fn serialized_for_javascript_in_camel_case() {
        let json = serde_json::to_value(outline(SPEC).unwrap()).unwrap();
        let worker = &json["services"][1];
        assert_eq!(worker["maxReplicas"], 8);
        assert_eq!(worker["hostEnv"], serde_json::json!([]));
        assert_eq!(
            json["services"][0]["span"],
            serde_json::json!({"line": 4, "column": 3, "endLine": 4, "endColumn": 6})
        );
        assert_eq!(json["services"][0]["volumes"][2]["kind"], "s3");
    }

    /// The outline of a one-service spec with `extra` in the service's map.
    fn outline_of(extra: &str) -> ServiceOutline {
        let spec = format!(
            "version: v1\ndeployment: shop\nservices:\n  api:\n    image: {{ name: a }}\n    {extra}\n"
        );
        outline(&spec).unwrap().services.remove(0)
    }
}
