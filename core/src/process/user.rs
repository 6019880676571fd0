//! The user and groups: numbers as written, names resolved through the rootfs passwd and
//! group files, never falling back to root.

use std::collections::BTreeMap;

use crate::codes;
use crate::config::User;
use crate::context::Context;
use crate::diagnostic::{Diagnostics, Loc, Located};
use crate::identity::GroupIds;

/// Spec `user`, else image `User`; names resolve through passwd/group and never fall back to root.
/// Also the uid when it resolved (`None` after an error, when the user holds only a filler).
pub(super) fn user(ctx: &Context<'_>, diags: &mut Diagnostics) -> (User, Option<u32>) {
    let written = match (&ctx.service.user, &ctx.image.user) {
        (Some(user), _) => Some(user.clone()),
        (None, Some(user)) if !user.is_empty() => Some(Located {
            value: user.clone(),
            at: Loc::at("imageConfig.User"),
        }),
        _ => None,
    };
    let resolved = match &written {
        None => Some((
            0,
            0,
            ctx.identity
                .user_by_uid(0)
                .map(|entry| entry.name.to_string()),
        )),
        Some(user) => resolve_user(ctx, user, diags),
    };
    let resolved_uid = resolved.as_ref().map(|(uid, _, _)| *uid);
    // On an error the config is never emitted; the zeros only fill the slot.
    let (uid, gid, name) = resolved.unwrap_or_default();
    let mut gids = vec![gid];
    if let Some(name) = &name {
        gids.extend(ctx.identity.memberships(name));
    }
    // Read once: a lookup per group would scan the group file once per group.
    let groups = ctx.identity.group_ids_by_name();
    for group in &ctx.service.extra_groups {
        if let Some(gid) = resolve_group(ctx, &groups, group, diags) {
            gids.push(gid);
        }
    }
    // A map rather than a set: the core's one number-keyed B-tree type (smaller WebAssembly).
    let mut seen: BTreeMap<usize, usize> = BTreeMap::new();
    gids.retain(|&gid| seen.insert(gid as usize, 0).is_none());
    let user = User {
        uid,
        gid,
        additional_gids: gids,
    };
    (user, resolved_uid)
}

fn resolve_user(
    ctx: &Context<'_>,
    user: &Located<String>,
    diags: &mut Diagnostics,
) -> Option<(u32, u32, Option<String>)> {
    let (user_part, group_part) = match user.value.split_once(':') {
        Some((u, g)) => (u, Some(g)),
        None => (user.value.as_str(), None),
    };
    let (uid, primary, name) = if let Ok(uid) = user_part.parse::<u64>() {
        let uid = id_in_range(uid, user, "uid", diags)?;
        let entry = ctx.identity.user_by_uid(uid);
        (
            uid,
            entry.as_ref().map(|e| e.gid),
            entry.map(|e| e.name.to_string()),
        )
    } else {
        let Some(entry) = ctx.identity.user_by_name(user_part) else {
            unknown_user(ctx, user_part, &user.at, diags);
            return None;
        };
        (
            id_in_range(u64::from(entry.uid), user, "uid", diags)?,
            Some(entry.gid),
            Some(entry.name.to_string()),
        )
    };
    let gid = match group_part {
        Some(group) => resolve_group(
            ctx,
            &ctx.identity.group_ids_by_name(),
            &Located {
                value: group.to_string(),
                at: user.at.clone(),
            },
            diags,
        )?,
        None => match primary {
            Some(gid) => gid,
            None => {
                diags.warning_hint(
                    codes::NO_PRIMARY_GROUP,
                    &user.at,
                    format!("uid {uid} has no passwd entry, so its group is 0 (as Docker does)"),
                    format!("write `{uid}:GID` to choose the group"),
                );
                0
            }
        },
    };
    Some((uid, gid, name))
}

/// Reports a user name the rootfs does not define, with what would resolve it.
fn unknown_user(ctx: &Context<'_>, name: &str, at: &Loc, diags: &mut Diagnostics) {
    let (message, hint) = match (ctx.identity.passwd, &ctx.options.rootfs) {
        (None, Some(rootfs)) => (
            format!("user `{name}` cannot be resolved: the rootfs `{rootfs}` has no /etc/passwd"),
            "add /etc/passwd to the rootfs, give `options.passwd`, or write a numeric uid",
        ),
        // The CLI may have read a rootfs without passwd: the hint fits both cases.
        (None, None) => (
            format!("user `{name}` cannot be resolved without the rootfs /etc/passwd"),
            "give a rootfs that has /etc/passwd (`--rootfs DIR`) or `options.passwd`, or write a numeric uid",
        ),
        (Some(_), _) => (
            format!("user `{name}` is not in the rootfs /etc/passwd"),
            "use a user the image defines, or a numeric uid",
        ),
    };
    diags.error_hint(codes::UNKNOWN_USER, at, message, hint);
}

fn resolve_group(
    ctx: &Context<'_>,
    groups: &GroupIds<'_>,
    group: &Located<String>,
    diags: &mut Diagnostics,
) -> Option<u32> {
    if let Ok(gid) = group.value.parse::<u64>() {
        return id_in_range(gid, group, "gid", diags);
    }
    match groups.get(group.value.as_str()) {
        Some(gid) => id_in_range(u64::from(gid), group, "gid", diags),
        None => {
            let name = &group.value;
            let (message, hint) = match (ctx.identity.groups, &ctx.options.rootfs) {
                (None, Some(rootfs)) => (
                    format!("group `{name}` cannot be resolved: the rootfs `{rootfs}` has no /etc/group"),
                    "add /etc/group to the rootfs, give `options.group`, or write a numeric gid",
                ),
                (None, None) => (
                    format!("group `{name}` cannot be resolved without the rootfs /etc/group"),
                    "give a rootfs that has /etc/group (`--rootfs DIR`) or `options.group`, or write a numeric gid",
                ),
                (Some(_), _) => (
                    format!("group `{name}` is not in the rootfs /etc/group"),
                    "use a group the image defines, or a numeric gid",
                ),
            };
            diags.error_hint(codes::UNKNOWN_GROUP, &group.at, message, hint);
            None
        }
    }
}

/// Ids above 2^31-1 are refused: the kernel and most tools treat them as negative.
fn id_in_range(
    id: u64,
    written: &Located<String>,
    what: &str,
    diags: &mut Diagnostics,
) -> Option<u32> {
    match u32::try_from(id) {
        Ok(id) if id <= i32::MAX as u32 => Some(id),
        _ => {
            diags.error(
                codes::BAD_ID,
                &written.at,
                format!("{what} {id} is above 2147483647"),
            );
            None
        }
    }
}
