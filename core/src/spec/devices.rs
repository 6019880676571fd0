//! Reading a service's `devices`: each a path below `/dev` and the access it grants, or a
//! qualified CDI name (`nvidia.com/gpu=0`, DESIGN §11), as a map or as a plain string.

use super::model::{CdiRequest, DeviceRequest};
use crate::cdi::{check_device_name, check_kind};
use crate::codes;
use crate::decode::{self, Fields};
use crate::diagnostic::{Diagnostics, Located};
use crate::names;
use crate::yaml::{Node, Value};

/// One `devices` entry.
pub(super) enum DeviceEntry {
    Node(DeviceRequest),
    Cdi(CdiRequest),
}

pub(super) fn device(node: &Node<'_>, path: &str, diags: &mut Diagnostics) -> Option<DeviceEntry> {
    // The short form: `- /dev/fuse` or `- nvidia.com/gpu=0`.
    if let Value::Scalar { .. } = node.value {
        let written = decode::string(node, path, diags)?;
        return if is_cdi_name(&written.value) {
            cdi_request(written, diags).map(DeviceEntry::Cdi)
        } else {
            node_request(written, (true, true, false), diags).map(DeviceEntry::Node)
        };
    }
    let fields = Fields::read(node, path, &["path", "read", "write", "mknod"], &[], diags)?;
    let written = fields
        .require("path", diags)
        .and_then(|(node, path)| decode::string(node, &path, diags))?;
    if is_cdi_name(&written.value) {
        if let Some((flag, flag_path)) = ["read", "write", "mknod"]
            .iter()
            .find_map(|key| fields.get(key))
        {
            diags.error_hint(
                codes::BAD_DEVICE_ACCESS,
                &flag.loc(&flag_path),
                format!("CDI device `{}` takes no access flags", written.value),
                "its CDI spec sets the access of each node it adds; drop `read`, `write` and `mknod`",
            );
            return None;
        }
        return cdi_request(written, diags).map(DeviceEntry::Cdi);
    }
    let access = (
        fields.boolean("read", diags).unwrap_or(true),
        fields.boolean("write", diags).unwrap_or(true),
        fields.boolean("mknod", diags).unwrap_or(false),
    );
    if !(access.0 || access.1 || access.2) {
        diags.error_hint(
            codes::BAD_DEVICE_ACCESS,
            &node.loc(path),
            format!("device `{}` grants no access", written.value),
            "set at least one of `read`, `write`, `mknod`",
        );
        return None;
    }
    node_request(written, access, diags).map(DeviceEntry::Node)
}

/// A CDI name is `vendor/class=name`; a device path starts with `/`.
pub(crate) fn is_cdi_name(text: &str) -> bool {
    !text.starts_with('/') && text.contains('=')
}

pub(crate) fn cdi_request(written: Located<String>, diags: &mut Diagnostics) -> Option<CdiRequest> {
    let (kind, name) = written.value.split_once('=').unwrap_or_default();
    if let Err(problem) = check_kind(kind).and_then(|()| check_device_name(name)) {
        diags.error_hint(
            codes::BAD_DEVICE_PATH,
            &written.at,
            format!("`{}` is not a qualified CDI name: {problem}", written.value),
            "write `vendor.com/class=name`, such as `nvidia.com/gpu=0`",
        );
        return None;
    }
    Some(CdiRequest {
        kind: kind.to_string(),
        name: name.to_string(),
        at: written.at,
    })
}

fn node_request(
    mut path: Located<String>,
    (read, write, mknod): (bool, bool, bool),
    diags: &mut Diagnostics,
) -> Option<DeviceRequest> {
    // Checked lexically, so `/dev/../etc/shadow` cannot name a host file and `/dev/./fuse` is
    // the same node as `/dev/fuse`.
    match names::device_path(&path.value) {
        Ok(normalized) => path.value = normalized,
        Err(message) => {
            diags.error(codes::BAD_DEVICE_PATH, &path.at, message);
            return None;
        }
    }
    Some(DeviceRequest {
        path,
        read,
        write,
        mknod,
    })
}
