//! The process: argv, working directory, environment, user, capabilities and rlimits.

use std::collections::{BTreeMap, BTreeSet};

use oci_spec::runtime::{
    LinuxCapabilitiesBuilder, PosixRlimit, PosixRlimitBuilder, PosixRlimitType, Process,
    ProcessBuilder, User, UserBuilder,
};
use oci_spec::OciSpecError;

use crate::caps::{to_capability, ALL_CAPABILITIES, DEFAULT_CAPABILITIES};
use crate::codes;
use crate::context::Context;
use crate::diagnostic::{Diagnostic, Diagnostics, Loc, Located};
use crate::names::valid_env_key;
use crate::spec::EnvValue;

/// The PATH a container gets when neither the image nor the spec sets one.
pub const DEFAULT_PATH: &str = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

/// rlimit names as `ulimits` writes them, with their OCI types.
const RLIMITS: &[(&str, PosixRlimitType)] = &[
    ("as", PosixRlimitType::RlimitAs),
    ("core", PosixRlimitType::RlimitCore),
    ("cpu", PosixRlimitType::RlimitCpu),
    ("data", PosixRlimitType::RlimitData),
    ("fsize", PosixRlimitType::RlimitFsize),
    ("locks", PosixRlimitType::RlimitLocks),
    ("memlock", PosixRlimitType::RlimitMemlock),
    ("msgqueue", PosixRlimitType::RlimitMsgqueue),
    ("nice", PosixRlimitType::RlimitNice),
    ("nofile", PosixRlimitType::RlimitNofile),
    ("nproc", PosixRlimitType::RlimitNproc),
    ("rss", PosixRlimitType::RlimitRss),
    ("rtprio", PosixRlimitType::RlimitRtprio),
    ("rttime", PosixRlimitType::RlimitRttime),
    ("sigpending", PosixRlimitType::RlimitSigpending),
    ("stack", PosixRlimitType::RlimitStack),
];

/// containerd's default open-files limit, used when `ulimits` does not set `nofile`.
const DEFAULT_NOFILE: u64 = 1024;

pub fn process(
    ctx: &Context<'_>,
    gpu_env: &[(String, String)],
    diags: &mut Diagnostics,
) -> Result<Process, OciSpecError> {
    let args = args(ctx, diags);
    let env = env(ctx, gpu_env, diags);
    let user = user(ctx, diags)?;
    let capabilities = capabilities(ctx, diags);
    let capability_set: oci_spec::runtime::Capabilities = capabilities
        .iter()
        .filter_map(|name| to_capability(name))
        .collect();
    let capabilities = LinuxCapabilitiesBuilder::default()
        .bounding(capability_set.clone())
        .effective(capability_set.clone())
        .permitted(capability_set)
        .inheritable(oci_spec::runtime::Capabilities::new())
        .ambient(oci_spec::runtime::Capabilities::new())
        .build()?;
    // `security_opt: [no-new-privileges:…]` wins even when privileged, as in Docker; without
    // it, a privileged container may gain privileges and any other may not.
    let no_new_privileges = ctx
        .service
        .no_new_privileges
        .unwrap_or(!ctx.service.privileged);
    let mut builder = ProcessBuilder::default()
        .terminal(ctx.service.tty)
        .user(user)
        .args(args)
        .env(env)
        .cwd(cwd(ctx, diags))
        .capabilities(capabilities)
        .rlimits(rlimits(ctx, diags)?)
        .no_new_privileges(no_new_privileges);
    if let Some(adjust) = ctx.service.resources.oom_score_adj {
        builder = builder.oom_score_adj(adjust);
    }
    builder.build()
}

/// Override; spec entrypoint + args; image Entrypoint in front of spec args; image Entrypoint + Cmd.
fn args(ctx: &Context<'_>, diags: &mut Diagnostics) -> Vec<String> {
    let service = ctx.service;
    let image_entrypoint = ctx.image.entrypoint.as_deref().unwrap_or_default();
    let image_cmd = ctx.image.cmd.as_deref().unwrap_or_default();
    let from_image = |list: &[String], field: &str| -> Option<Loc> {
        (!list.is_empty()).then(|| Loc::at(format!("imageConfig.{field}[0]")))
    };
    // The argv, and where its first word was written (the list that supplies it).
    let (argv, first_at): (Vec<String>, Option<Loc>) = if let Some(args) = &ctx.options.args {
        (args.clone(), Some(Loc::at("options.args[0]")))
    } else {
        match (&service.entrypoint, &service.args) {
            (Some(entrypoint), Some(args)) => (
                words(entrypoint).chain(words(args)).collect(),
                first_at(entrypoint).or_else(|| first_at(args)),
            ),
            (Some(entrypoint), None) => (words(entrypoint).collect(), first_at(entrypoint)),
            (None, Some(args)) => (
                image_entrypoint
                    .iter()
                    .cloned()
                    .chain(words(args))
                    .collect(),
                from_image(image_entrypoint, "Entrypoint").or_else(|| first_at(args)),
            ),
            (None, None) => (
                [image_entrypoint, image_cmd].concat(),
                from_image(image_entrypoint, "Entrypoint").or_else(|| from_image(image_cmd, "Cmd")),
            ),
        }
    };
    match argv.first() {
        None => diags.error_hint(
            codes::NO_COMMAND,
            &service.at,
            format!("service `{}` has no command to run", service.name),
            "set `command.entrypoint` or `command.args`, or give the image config",
        ),
        // runc would fail only when it starts the container.
        Some(program) if program.is_empty() => diags.error_hint(
            codes::EMPTY_COMMAND,
            &first_at.unwrap_or_else(|| service.at.clone()),
            "the program to run (the first word of the command) is empty",
            "name the program, such as `/app/server`",
        ),
        Some(_) => {}
    }
    argv
}

/// The words of a command, as text.
fn words(list: &[Located<String>]) -> impl Iterator<Item = String> + '_ {
    list.iter().map(|word| word.value.clone())
}

/// Where a command's first word is written.
fn first_at(list: &[Located<String>]) -> Option<Loc> {
    list.first().map(|word| word.at.clone())
}

fn cwd(ctx: &Context<'_>, diags: &mut Diagnostics) -> String {
    // The spec's workdir was checked where it was read; the others are checked here.
    let (cwd, unchecked_at) = if let Some(cwd) = &ctx.options.cwd {
        (cwd.clone(), Some("options.cwd"))
    } else if let Some(workdir) = &ctx.service.workdir {
        (workdir.value.clone(), None)
    } else if let Some(dir) = ctx.image.working_dir.clone().filter(|dir| !dir.is_empty()) {
        (dir, Some("imageConfig.WorkingDir"))
    } else {
        ("/".to_string(), None)
    };
    if let Some(path) = unchecked_at.filter(|_| !cwd.starts_with('/')) {
        diags.error(
            codes::BAD_PATH,
            &Loc::at(path),
            format!("the working directory `{cwd}` must be absolute"),
        );
    }
    cwd
}

/// The environment in first-set order, where a later key replaces an earlier one in place.
/// An index by key keeps every set O(log n), so a hundred thousand keys stay fast.
#[derive(Default)]
struct EnvVars {
    vars: Vec<(String, String)>,
    index: BTreeMap<String, usize>,
}

impl EnvVars {
    fn set(&mut self, key: &str, value: String) {
        match self.index.get(key).and_then(|&i| self.vars.get_mut(i)) {
            Some(existing) => existing.1 = value,
            None => {
                self.index.insert(key.to_string(), self.vars.len());
                self.vars.push((key.to_string(), value));
            }
        }
    }

    fn set_default(&mut self, key: &str, value: &str) {
        if !self.index.contains_key(key) {
            self.set(key, value.to_string());
        }
    }
}

fn env(ctx: &Context<'_>, gpu_env: &[(String, String)], diags: &mut Diagnostics) -> Vec<String> {
    let mut vars = EnvVars::default();
    for (i, entry) in ctx.image.env.iter().flatten().enumerate() {
        match entry.split_once('=') {
            Some((key, value)) if valid_env_key(key) => vars.set(key, value.to_string()),
            _ => diags.error(
                codes::BAD_ENV_KEY,
                &Loc::at(format!("imageConfig.Env[{i}]")),
                format!(
                    "image env entry `{}` is not KEY=VALUE",
                    entry.escape_debug()
                ),
            ),
        }
    }
    // The image's GPU variables (`NVIDIA_VISIBLE_DEVICES=all` in CUDA images) yield to the
    // assignment; the user's spec and options still win over it.
    for (key, value) in gpu_env {
        vars.set(key, value.clone());
    }
    for var in &ctx.service.env {
        if let Some(value) = resolve(ctx, &var.value, &var.at, diags) {
            vars.set(&var.key, value);
        }
    }
    for (key, value) in &ctx.options.env.0 {
        if valid_env_key(key) {
            vars.set(key, value.clone());
        } else {
            diags.error(
                codes::BAD_ENV_KEY,
                &Loc::at(format!("options.env.{key}")),
                format!(
                    "`{}` is not a valid environment variable name",
                    key.escape_debug()
                ),
            );
        }
    }
    vars.set_default("PATH", DEFAULT_PATH);
    vars.set_default("TERM", "xterm");
    vars.vars
        .into_iter()
        .map(|(key, value)| format!("{key}={value}"))
        .collect()
}

/// `$E:` and `$S:` values come from the options; the reference text never reaches the container.
fn resolve(
    ctx: &Context<'_>,
    value: &EnvValue,
    at: &Loc,
    diags: &mut Diagnostics,
) -> Option<String> {
    match value {
        EnvValue::Literal(text) => Some(text.clone()),
        EnvValue::HostEnv(name) => {
            let found = ctx.options.host_env.get(name).cloned();
            if found.is_none() {
                diags.error_hint(codes::MISSING_HOST_ENV, at, format!("host variable `{name}` was not given"), format!(
                        "allow it with `--host-env {name}` on the command line, or give it in `options.hostEnv`"
                    ));
            }
            found
        }
        EnvValue::Secret(reference) => {
            let found = ctx.options.secrets.get(reference).cloned();
            if found.is_none() {
                diags.error_hint(
                    codes::MISSING_SECRET,
                    at,
                    format!("secret `{reference}` was not given"),
                    format!("pass it with `--secret {reference}=VALUE` or in `options.secrets`"),
                );
            }
            found
        }
    }
}

/// Spec `user`, else image `User`; names resolve through passwd/group and never fall back to root.
fn user(ctx: &Context<'_>, diags: &mut Diagnostics) -> Result<User, OciSpecError> {
    let written = match (&ctx.service.user, &ctx.image.user) {
        (Some(user), _) => Some(user.clone()),
        (None, Some(user)) if !user.is_empty() => Some(Located {
            value: user.clone(),
            at: Loc::at("imageConfig.User"),
        }),
        _ => None,
    };
    let (uid, gid, name) = match &written {
        None => (
            0,
            0,
            ctx.identity
                .user_by_uid(0)
                .map(|entry| entry.name.to_string()),
        ),
        // On an error the config is never emitted; the zeros only fill the slot.
        Some(user) => resolve_user(ctx, user, diags).unwrap_or_default(),
    };
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
    let mut seen = BTreeSet::new();
    gids.retain(|gid| seen.insert(*gid));
    UserBuilder::default()
        .uid(uid)
        .gid(gid)
        .additional_gids(gids)
        .build()
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
            let (message, hint) = match (ctx.identity.passwd, &ctx.options.rootfs) {
                (None, Some(rootfs)) => (
                    format!("user `{user_part}` cannot be resolved: the rootfs `{rootfs}` has no /etc/passwd"),
                    "add /etc/passwd to the rootfs, give `options.passwd`, or write a numeric uid",
                ),
                // The CLI may have read a rootfs without passwd: the hint fits both cases.
                (None, None) => (
                    format!("user `{user_part}` cannot be resolved without the rootfs /etc/passwd"),
                    "give a rootfs that has /etc/passwd (`--rootfs DIR`) or `options.passwd`, or write a numeric uid",
                ),
                (Some(_), _) => (
                    format!("user `{user_part}` is not in the rootfs /etc/passwd"),
                    "use a user the image defines, or a numeric uid",
                ),
            };
            diags.error_hint(codes::UNKNOWN_USER, &user.at, message, hint);
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

fn resolve_group(
    ctx: &Context<'_>,
    groups: &BTreeMap<&str, u32>,
    group: &Located<String>,
    diags: &mut Diagnostics,
) -> Option<u32> {
    if let Ok(gid) = group.value.parse::<u64>() {
        return id_in_range(gid, group, "gid", diags);
    }
    match groups.get(group.value.as_str()) {
        Some(gid) => id_in_range(u64::from(*gid), group, "gid", diags),
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

/// The capability set, in kernel order. Privileged: every capability, and `cap_add`/`cap_drop`
/// are ignored (as Docker does). Otherwise, as Docker: `cap_add: [ALL]` is every capability minus
/// the drops; `cap_drop: [ALL]` keeps only the adds; else the defaults minus drops plus adds.
fn capabilities(ctx: &Context<'_>, diags: &mut Diagnostics) -> Vec<&'static str> {
    let add = capability_list(&ctx.service.cap_add, diags);
    let drop = capability_list(&ctx.service.cap_drop, diags);
    if ctx.service.privileged {
        if let Some(first) = ctx.service.cap_add.first().or(ctx.service.cap_drop.first()) {
            diags.warning_hint(
                codes::IGNORED_WHEN_PRIVILEGED,
                &first.at,
                "a privileged container has every capability; cap_add and cap_drop are ignored",
                "remove `privileged: true` to choose capabilities",
            );
        }
        return ALL_CAPABILITIES.to_vec();
    }
    let (added_all, added) = add;
    let (dropped_all, dropped) = drop;
    let mut set: Vec<&'static str> = if added_all {
        ALL_CAPABILITIES
            .iter()
            .copied()
            .filter(|cap| !dropped.contains(cap))
            .collect()
    } else if dropped_all {
        added
    } else {
        let mut set: Vec<&'static str> = DEFAULT_CAPABILITIES
            .iter()
            .copied()
            .filter(|cap| !dropped.contains(cap))
            .collect();
        set.extend(added);
        set
    };
    set.sort_by_key(|name| ALL_CAPABILITIES.iter().position(|known| known == name));
    set.dedup();
    set
}

/// The capabilities a list names, and whether it says `ALL`.
fn capability_list(
    written: &[Located<String>],
    diags: &mut Diagnostics,
) -> (bool, Vec<&'static str>) {
    let mut all = false;
    let mut names = Vec::new();
    for cap in written {
        match read_capability(cap, diags) {
            Some(CapabilityName::All) => all = true,
            Some(CapabilityName::One(name)) => names.push(name),
            None => {}
        }
    }
    (all, names)
}

enum CapabilityName {
    All,
    One(&'static str),
}

/// `NET_ADMIN`, `CAP_NET_ADMIN` and `net_admin` name one capability; `ALL` names every one.
fn read_capability(written: &Located<String>, diags: &mut Diagnostics) -> Option<CapabilityName> {
    let upper = written.value.trim().to_ascii_uppercase();
    let name = upper.strip_prefix("CAP_").unwrap_or(&upper);
    if name == "ALL" {
        return Some(CapabilityName::All);
    }
    match ALL_CAPABILITIES.iter().find(|known| **known == name) {
        Some(known) => Some(CapabilityName::One(known)),
        None => {
            let mut error = Diagnostic::error_at(
                codes::UNKNOWN_CAPABILITY,
                &written.at,
                format!("`{}` is not a Linux capability", written.value),
            );
            if let Some(near) = crate::diagnostic::closest(name, ALL_CAPABILITIES.iter().copied()) {
                error = error.with_hint(format!("did you mean `{near}`?"));
            }
            diags.push(error);
            None
        }
    }
}

fn rlimits(ctx: &Context<'_>, diags: &mut Diagnostics) -> Result<Vec<PosixRlimit>, OciSpecError> {
    let mut limits = Vec::new();
    let mut has_nofile = false;
    for ulimit in &ctx.service.ulimits {
        let name = ulimit.name.value.to_ascii_lowercase();
        let Some((_, typ)) = RLIMITS.iter().find(|(known, _)| *known == name) else {
            let mut error = Diagnostic::error_at(
                codes::UNKNOWN_ULIMIT,
                &ulimit.name.at,
                format!("`{}` is not a resource limit", ulimit.name.value),
            );
            if let Some(near) =
                crate::diagnostic::closest(&name, RLIMITS.iter().map(|(known, _)| *known))
            {
                error = error.with_hint(format!("did you mean `{near}`?"));
            }
            diags.push(error);
            continue;
        };
        has_nofile |= name == "nofile";
        limits.push(
            PosixRlimitBuilder::default()
                .typ(*typ)
                .soft(ulimit.soft)
                .hard(ulimit.hard)
                .build()?,
        );
    }
    if !has_nofile {
        limits.insert(
            0,
            PosixRlimitBuilder::default()
                .typ(PosixRlimitType::RlimitNofile)
                .soft(DEFAULT_NOFILE)
                .hard(DEFAULT_NOFILE)
                .build()?,
        );
    }
    Ok(limits)
}
