//! Reading a CDI spec from its text (YAML or JSON) with the core's YAML reader, so a fault
//! has a line and column: types, required and unknown fields here, the reference's other
//! checks in `check`, then each fault placed on the node its path names.

use std::collections::BTreeMap;

use super::check::{check, Fault};
use super::model::{
    CdiDevice, CdiDeviceNode, CdiHook, CdiIntelRdt, CdiMount, CdiNetDevice, CdiSpec, ContainerEdits,
};
use crate::codes;
use crate::decode::{self, Fields};
use crate::diagnostic::{Diagnostic, Diagnostics, Loc};
use crate::yaml::{self, Node, Value};

/// The largest CDI spec read, in bytes: nvidia-ctk's specs for eight GPUs are below 64 KiB.
pub const MAX_CDI_SPEC_BYTES: usize = 4 << 20;

/// Reads and checks a CDI spec, or returns every fault with its place in the text.
pub fn read_cdi_spec(text: &str) -> Result<CdiSpec, Vec<Diagnostic>> {
    if text.len() > MAX_CDI_SPEC_BYTES {
        return Err(vec![Diagnostic::error_at(
            codes::BAD_CDI_SPEC,
            &Loc::at(""),
            format!(
                "the CDI spec is {} bytes, above the {MAX_CDI_SPEC_BYTES} bytes bundlec reads",
                text.len()
            ),
        )]);
    }
    let root = yaml::parse(text).map_err(|error| vec![error])?;
    let mut diags = Diagnostics::default();
    let spec = spec(&root, &mut diags);
    if diags.has_errors() {
        return Err(diags.into_sorted());
    }
    let Some(spec) = spec else {
        return Err(diags.into_sorted());
    };
    for fault in check(&spec) {
        let at = locate(&root, &fault.path);
        diags.push(fault_diagnostic(&fault, &at));
    }
    if diags.has_errors() {
        Err(diags.into_sorted())
    } else {
        Ok(spec)
    }
}

/// The diagnostic of a fault found by `check`, at `at`.
pub fn fault_diagnostic(fault: &Fault, at: &Loc) -> Diagnostic {
    if fault.too_new {
        Diagnostic::error_at(codes::CDI_FIELD_TOO_NEW, at, fault.message.clone())
            .with_hint("raise `cdiVersion`, or drop the field")
    } else {
        Diagnostic::error_at(codes::BAD_CDI_SPEC, at, fault.message.clone())
    }
}

/// The node a fault's path names (`devices[0].containerEdits.env[1]`), or the deepest one
/// that exists on the way.
fn locate(root: &Node<'_>, path: &str) -> Loc {
    let mut node = root;
    for segment in path.split('.').flat_map(|part| part.split('[')) {
        let next = match (segment.strip_suffix(']'), &node.value) {
            (Some(index), Value::Seq(items)) => {
                index.parse::<usize>().ok().and_then(|i| items.get(i))
            }
            (None, Value::Map(_)) => decode::peek(node, "", segment).map(|(value, _)| value),
            _ => None,
        };
        match next {
            Some(next) => node = next,
            None => break,
        }
    }
    node.loc(path)
}

fn spec(node: &Node<'_>, diags: &mut Diagnostics) -> Option<CdiSpec> {
    let known = [
        "cdiVersion",
        "kind",
        "annotations",
        "devices",
        "containerEdits",
    ];
    let fields = Fields::read(node, "", &known, &[], diags)?;
    let cdi_version = required_string(&fields, "cdiVersion", diags);
    let kind = required_string(&fields, "kind", diags);
    let devices = fields
        .require("devices", diags)
        .map(|(node, path)| {
            decode::items(node, &path, diags)
                .into_iter()
                .filter_map(|(node, path)| device(node, &path, diags))
                .collect()
        })
        .unwrap_or_default();
    Some(CdiSpec {
        cdi_version: cdi_version?,
        kind: kind?,
        annotations: annotations(&fields, diags),
        devices,
        container_edits: fields
            .get("containerEdits")
            .and_then(|(node, path)| edits(node, &path, diags))
            .unwrap_or_default(),
    })
}

fn required_string(fields: &Fields<'_>, key: &str, diags: &mut Diagnostics) -> Option<String> {
    let (node, path) = fields.require(key, diags)?;
    decode::string(node, &path, diags).map(|located| located.value)
}

fn optional_string(fields: &Fields<'_>, key: &str, diags: &mut Diagnostics) -> Option<String> {
    fields.string(key, diags).map(|located| located.value)
}

fn strings(fields: &Fields<'_>, key: &str, diags: &mut Diagnostics) -> Vec<String> {
    fields
        .strings(key, diags)
        .into_iter()
        .map(|located| located.value)
        .collect()
}

fn annotations(fields: &Fields<'_>, diags: &mut Diagnostics) -> BTreeMap<String, String> {
    let Some((node, path)) = fields.get("annotations") else {
        return BTreeMap::new();
    };
    decode::entries(node, &path, diags)
        .into_iter()
        .filter_map(|(key, value, path)| {
            decode::string(value, &path, diags).map(|value| (key.value, value.value))
        })
        .collect()
}

/// An integer field within `[min, max]`.
fn number(
    fields: &Fields<'_>,
    key: &str,
    (min, max): (i128, i128),
    diags: &mut Diagnostics,
) -> Option<i128> {
    let (node, path) = fields.get(key)?;
    decode::bounded(node, &path, min, max, codes::BAD_CDI_SPEC, diags)
}

const INT64: (i128, i128) = (i64::MIN as i128, i64::MAX as i128);
const UINT32: (i128, i128) = (0, u32::MAX as i128);

fn device(node: &Node<'_>, path: &str, diags: &mut Diagnostics) -> Option<CdiDevice> {
    let fields = Fields::read(
        node,
        path,
        &["name", "annotations", "containerEdits"],
        &[],
        diags,
    )?;
    let name = required_string(&fields, "name", diags);
    let container_edits = fields
        .require("containerEdits", diags)
        .and_then(|(node, path)| edits(node, &path, diags));
    Some(CdiDevice {
        name: name?,
        annotations: annotations(&fields, diags),
        container_edits: container_edits?,
    })
}

fn edits(node: &Node<'_>, path: &str, diags: &mut Diagnostics) -> Option<ContainerEdits> {
    let known = [
        "env",
        "deviceNodes",
        "hooks",
        "mounts",
        "intelRdt",
        "additionalGids",
        "netDevices",
    ];
    let fields = Fields::read(node, path, &known, &[], diags)?;
    let list = |key: &str, diags: &mut Diagnostics| {
        fields
            .get(key)
            .map(|(node, path)| decode::items(node, &path, diags))
            .unwrap_or_default()
    };
    let device_nodes = list("deviceNodes", diags)
        .into_iter()
        .filter_map(|(node, path)| device_node(node, &path, diags))
        .collect();
    let hooks = list("hooks", diags)
        .into_iter()
        .filter_map(|(node, path)| hook(node, &path, diags))
        .collect();
    let mounts = list("mounts", diags)
        .into_iter()
        .filter_map(|(node, path)| mount(node, &path, diags))
        .collect();
    let net_devices = list("netDevices", diags)
        .into_iter()
        .filter_map(|(node, path)| net_device(node, &path, diags))
        .collect();
    let additional_gids = list("additionalGids", diags)
        .into_iter()
        .filter_map(|(node, path)| {
            decode::bounded(node, &path, UINT32.0, UINT32.1, codes::BAD_CDI_SPEC, diags)
                .and_then(|gid| u32::try_from(gid).ok())
        })
        .collect();
    Some(ContainerEdits {
        env: strings(&fields, "env", diags),
        device_nodes,
        hooks,
        mounts,
        intel_rdt: fields
            .get("intelRdt")
            .and_then(|(node, path)| intel_rdt(node, &path, diags)),
        additional_gids,
        net_devices,
    })
}

fn device_node(node: &Node<'_>, path: &str, diags: &mut Diagnostics) -> Option<CdiDeviceNode> {
    let known = [
        "path",
        "hostPath",
        "type",
        "major",
        "minor",
        "fileMode",
        "permissions",
        "uid",
        "gid",
    ];
    let fields = Fields::read(node, path, &known, &[], diags)?;
    let u32_field = |key: &str, diags: &mut Diagnostics| {
        number(&fields, key, UINT32, diags).and_then(|n| u32::try_from(n).ok())
    };
    let i64_field = |key: &str, diags: &mut Diagnostics| {
        number(&fields, key, INT64, diags).and_then(|n| i64::try_from(n).ok())
    };
    Some(CdiDeviceNode {
        path: required_string(&fields, "path", diags)?,
        host_path: optional_string(&fields, "hostPath", diags),
        kind: optional_string(&fields, "type", diags),
        major: i64_field("major", diags),
        minor: i64_field("minor", diags),
        file_mode: u32_field("fileMode", diags),
        permissions: optional_string(&fields, "permissions", diags),
        uid: u32_field("uid", diags),
        gid: u32_field("gid", diags),
    })
}

fn hook(node: &Node<'_>, path: &str, diags: &mut Diagnostics) -> Option<CdiHook> {
    let known = ["hookName", "path", "args", "env", "timeout"];
    let fields = Fields::read(node, path, &known, &[], diags)?;
    let hook_name = required_string(&fields, "hookName", diags);
    let program = required_string(&fields, "path", diags);
    Some(CdiHook {
        hook_name: hook_name?,
        path: program?,
        args: strings(&fields, "args", diags),
        env: strings(&fields, "env", diags),
        timeout: number(&fields, "timeout", INT64, diags).and_then(|n| i64::try_from(n).ok()),
    })
}

fn mount(node: &Node<'_>, path: &str, diags: &mut Diagnostics) -> Option<CdiMount> {
    let known = ["hostPath", "containerPath", "options", "type"];
    let fields = Fields::read(node, path, &known, &[], diags)?;
    let host_path = required_string(&fields, "hostPath", diags);
    let container_path = required_string(&fields, "containerPath", diags);
    Some(CdiMount {
        host_path: host_path?,
        container_path: container_path?,
        options: strings(&fields, "options", diags),
        kind: optional_string(&fields, "type", diags),
    })
}

fn intel_rdt(node: &Node<'_>, path: &str, diags: &mut Diagnostics) -> Option<CdiIntelRdt> {
    let known = [
        "closID",
        "l3CacheSchema",
        "memBwSchema",
        "schemata",
        "enableMonitoring",
    ];
    let fields = Fields::read(node, path, &known, &[], diags)?;
    Some(CdiIntelRdt {
        clos_id: optional_string(&fields, "closID", diags),
        l3_cache_schema: optional_string(&fields, "l3CacheSchema", diags),
        mem_bw_schema: optional_string(&fields, "memBwSchema", diags),
        schemata: strings(&fields, "schemata", diags),
        enable_monitoring: fields.boolean("enableMonitoring", diags).unwrap_or(false),
    })
}

fn net_device(node: &Node<'_>, path: &str, diags: &mut Diagnostics) -> Option<CdiNetDevice> {
    let fields = Fields::read(node, path, &["hostInterfaceName", "name"], &[], diags)?;
    let host = required_string(&fields, "hostInterfaceName", diags);
    let name = required_string(&fields, "name", diags);
    Some(CdiNetDevice {
        host_interface_name: host?,
        name: name?,
    })
}
