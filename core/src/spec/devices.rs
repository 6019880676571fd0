//! Reading a service's `devices`: each a path below `/dev` and the access it grants.

use super::model::DeviceRequest;
use crate::codes;
use crate::decode::{self, Fields};
use crate::diagnostic::Diagnostics;
use crate::names;
use crate::yaml::Node;

pub(super) fn device(
    node: &Node<'_>,
    path: &str,
    diags: &mut Diagnostics,
) -> Option<DeviceRequest> {
    let fields = Fields::read(node, path, &["path", "read", "write", "mknod"], &[], diags)?;
    let device_path = fields
        .require("path", diags)
        .and_then(|(node, path)| decode::string(node, &path, diags))?;
    let mut request = DeviceRequest {
        read: fields.boolean("read", diags).unwrap_or(true),
        write: fields.boolean("write", diags).unwrap_or(true),
        mknod: fields.boolean("mknod", diags).unwrap_or(false),
        path: device_path,
    };
    // Checked lexically, so `/dev/../etc/shadow` cannot name a host file and `/dev/./fuse` is
    // the same node as `/dev/fuse`.
    match names::device_path(&request.path.value) {
        Ok(normalized) => request.path.value = normalized,
        Err(message) => {
            diags.error(codes::BAD_DEVICE_PATH, &request.path.at, message);
            return None;
        }
    }
    if !(request.read || request.write || request.mknod) {
        diags.error_hint(
            codes::BAD_DEVICE_ACCESS,
            &node.loc(path),
            format!("device `{}` grants no access", request.path.value),
            "set at least one of `read`, `write`, `mknod`",
        );
        return None;
    }
    Some(request)
}
