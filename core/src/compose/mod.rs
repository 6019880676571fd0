//! Compose files as a second front end: a document with top-level `services` and no
//! `deployment` is read as the Compose Specification writes it (merge keys, `x-` fields,
//! `${VAR}` interpolation) into the same service model as a ZLayer spec, so one set of
//! compile rules serves both.

mod command;
mod devices;
mod env;
mod files;
mod interpolate;
mod limits;
mod pairs;
mod service;
mod volumes;

use std::collections::BTreeMap;

use crate::codes;
use crate::decode::{self, entries, Fields};
use crate::diagnostic::{join_path, Diagnostics, Located};
use crate::options::Options;
use crate::spec::Deployment;
use crate::yaml::{self, Node, Value};
use interpolate::Interpolator;

const TOP_FIELDS: &[&str] = &["version", "name", "services", "secrets", "configs"];
/// Orchestration: networks and volumes are the engine's, and `include` pulls in other files.
const TOP_IGNORED: &[&str] = &["networks", "volumes", "include"];

/// Whether a document is a Compose file: a map with `services` and no `deployment` (and not a
/// ZLayer `version: v1`, whose missing `deployment` the ZLayer reader reports).
pub fn is_compose(root: &Node<'_>) -> bool {
    let key = |name: &str| decode::peek(root, "", name).map(|(node, _)| node);
    let zlayer_version = matches!(
        key("version").map(|node| &node.value),
        Some(Value::Scalar { text, .. }) if text == "v1"
    );
    key("services").is_some() && key("deployment").is_none() && !zlayer_version
}

/// What every service of the file reads besides its own map.
struct Top<'a> {
    options: &'a Options,
    /// The host variables and the project's `.env`: what `${VAR}` and bare keys read.
    vars: &'a BTreeMap<String, String>,
    interpolator: Interpolator<'a>,
    /// The top-level `secrets` and `configs` by name: the `file` each binds, empty for none.
    /// (String maps throughout: one B-tree type keeps the WebAssembly module small.)
    secrets: BTreeMap<String, String>,
    configs: BTreeMap<String, String>,
}

/// Reads a Compose file's tree into the model; `None` when it is not a readable map.
pub fn read(root: Node<'_>, options: &Options, diags: &mut Diagnostics) -> Option<Deployment> {
    let mut root = match yaml::resolve_merges(root) {
        Ok(root) => root,
        Err(diagnostic) => {
            diags.push(diagnostic);
            return None;
        }
    };
    let vars = env::project_vars(options, diags);
    let mut interpolator = Interpolator::new(&vars);
    // Variables read outside the services (a secret's file, the project name): the file's.
    let mut shared = Vec::new();
    // Each service's faults are its own: one service's mistake does not fail the others.
    // In the order of the `services` map, which the reading below follows.
    let mut per_service: Vec<(String, Vec<Located<String>>, Diagnostics)> = Vec::new();
    strip_extensions(&mut root);
    if let Value::Map(pairs) = &mut root.value {
        for (key, value) in pairs.iter_mut() {
            let name = key_text(key);
            if name != "services" {
                interpolator.tree(value, &name, &mut shared, diags);
                continue;
            }
            if let Value::Map(services) = &mut value.value {
                for (service_key, service) in services.iter_mut() {
                    let name = key_text(service_key);
                    let path = join_path("services", &name);
                    let mut used = Vec::new();
                    let mut own = Diagnostics::default();
                    interpolator.forget_warnings();
                    interpolator.tree(service, &path, &mut used, &mut own);
                    per_service.push((name, used, own));
                }
            }
        }
    }
    let fields = Fields::read(&root, "", TOP_FIELDS, TOP_IGNORED, diags)?;
    let project = project(&fields, options, diags);
    let mut top = Top {
        options,
        vars: &vars,
        interpolator,
        secrets: file_entries(&fields, "secrets", diags),
        configs: file_entries(&fields, "configs", diags),
    };
    let mut services = Vec::new();
    if let Some((node, path)) = fields.require("services", diags) {
        let listed = entries(node, &path, diags);
        if listed.is_empty() && matches!(node.value, Value::Map(_)) {
            diags.error(
                codes::NO_SERVICES,
                &node.loc(&path),
                "the compose file has no services",
            );
        }
        let mut interpolated = per_service.into_iter();
        for (key, value, service_path) in listed {
            // Both walk the same map in order; a key that is not a string is skipped by both
            // reads (and reported by `entries`).
            let (mut vars, mut own) = interpolated
                .find(|(name, _, _)| *name == key.value)
                .map(|(_, vars, own)| (vars, own))
                .unwrap_or_default();
            let mut read = service::service(key, value, &service_path, &mut top, &mut own);
            read.project.clone_from(&project);
            // Interpolated variables first, in document order, then bare environment keys.
            vars.append(&mut read.host_vars);
            read.host_vars = first_of_each(vars);
            read.faults = own.into_sorted();
            services.push(read);
        }
    }
    Some(Deployment {
        name: project.unwrap_or_default(),
        services,
        compose: true,
        host_vars: first_of_each(shared),
    })
}

/// The first of each variable name, in order: an index keeps it n log n.
fn first_of_each(vars: Vec<Located<String>>) -> Vec<Located<String>> {
    let mut seen = BTreeMap::new();
    vars.into_iter()
        .filter(|var| seen.insert(var.value.clone(), String::new()).is_none())
        .collect()
}

fn is_extension(key: &Node<'_>) -> bool {
    matches!(&key.value, Value::Scalar { text, .. } if text.starts_with("x-"))
}

/// Maps whose keys are the user's own (a variable, a label, a host): an `x-` key there is data.
const FREE_FORM: &[&str] = &[
    "environment",
    "labels",
    "annotations",
    "sysctls",
    "extra_hosts",
    "options",
    "driver_opts",
];

/// Drops the `x-` extension fields from every map of the tree but the free-form ones, as
/// Compose allows them in any structure.
fn strip_extensions(node: &mut Node<'_>) {
    match &mut node.value {
        Value::Map(pairs) => {
            pairs.retain(|(key, _)| !is_extension(key));
            for (key, value) in pairs.iter_mut() {
                let free = matches!(&key.value, Value::Scalar { text, .. } if FREE_FORM.contains(&text.as_ref()));
                if !free {
                    strip_extensions(value);
                }
            }
        }
        Value::Seq(items) => items.iter_mut().for_each(strip_extensions),
        _ => {}
    }
}

fn key_text(key: &Node<'_>) -> String {
    match &key.value {
        Value::Scalar { text, .. } => text.to_string(),
        _ => String::new(),
    }
}

/// The project: `name:`, else the options' (the CLI gives the folder's name).
fn project(fields: &Fields<'_>, options: &Options, diags: &mut Diagnostics) -> Option<String> {
    if let Some(name) = fields.string("name", diags) {
        let valid = name
            .value
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_lowercase() || c.is_ascii_digit())
            && name
                .value
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' || c == '-');
        if !valid {
            diags.error_hint(
                codes::BAD_DEPLOYMENT_NAME,
                &name.at,
                format!("`{}` is not a valid project name", name.value),
                "use lower-case letters, digits, `_` and `-`, starting with a letter or digit",
            );
            return None;
        }
        return Some(name.value);
    }
    options.project.clone().filter(|name| !name.is_empty())
}

/// The top-level `secrets` or `configs`: each entry's `file`, when it has one.
fn file_entries(
    fields: &Fields<'_>,
    key: &str,
    diags: &mut Diagnostics,
) -> BTreeMap<String, String> {
    let mut found = BTreeMap::new();
    let Some((node, path)) = fields.get(key) else {
        return found;
    };
    for (name, value, entry_path) in entries(node, &path, diags) {
        let known = ["file", "external", "name", "environment", "content"];
        let ignored = ["labels", "driver", "driver_opts", "template_driver"];
        let file = Fields::read(value, &entry_path, &known, &ignored, diags)
            .and_then(|entry| entry.string("file", diags));
        found.insert(name.value, file.map(|file| file.value).unwrap_or_default());
    }
    found
}
