//! The seccomp section: Docker's default profile (or the one `seccomp=PATH` names) resolved
//! for this container as moby's `setupSeccomp` resolves it, from the node's architecture and
//! kernel and the final capability bounding set. Written as text by `render`.

mod custom;
mod default_profile;
mod oci_names;
mod profile;
pub mod render;

use crate::codes;
use crate::context::Context;
use crate::diagnostic::{Diagnostics, Loc};
use crate::spec::Seccomp;
use custom::CustomRule;
pub use profile::{ArchEntry, Condition, DefaultRule, KernelVersion, Target};

/// The default profile's parts, for the tests that compare them with the reference.
pub mod default {
    pub use super::default_profile::{ARCH_MAP, DEFAULT_ACTION, DEFAULT_ERRNO_RET, RULES};
}

/// uname's machine names, moby's native name for each, and its seccomp architecture.
const ARCHES: &[(&[&str], &str, &str)] = &[
    (&["x86_64", "amd64"], "amd64", "SCMP_ARCH_X86_64"),
    (&["aarch64", "arm64"], "arm64", "SCMP_ARCH_AARCH64"),
    (
        &["armv7l", "armv6l", "armv8l", "armv5tel", "arm"],
        "arm",
        "SCMP_ARCH_ARM",
    ),
    (
        &["i686", "i586", "i486", "i386", "x86"],
        "x86",
        "SCMP_ARCH_X86",
    ),
    (&["s390x"], "s390x", "SCMP_ARCH_S390X"),
    (&["ppc64le"], "ppc64le", "SCMP_ARCH_PPC64LE"),
    (&["ppc64"], "ppc64", "SCMP_ARCH_PPC64"),
    (&["riscv64"], "riscv64", "SCMP_ARCH_RISCV64"),
    (&["loongarch64"], "loong64", "SCMP_ARCH_LOONGARCH64"),
    (&["mips64"], "mips64", "SCMP_ARCH_MIPS64"),
];

/// moby's native name and the seccomp architecture of a uname machine name.
pub fn native_arch(uname: &str) -> Option<(&'static str, &'static str)> {
    ARCHES
        .iter()
        .find(|(names, _, _)| names.contains(&uname))
        .map(|(_, native, arch)| (*native, *arch))
}

/// `linux.seccomp` as the compile resolved it.
#[derive(Debug, Clone, PartialEq)]
pub enum SeccompSection {
    /// Privileged or unconfined: no filter.
    None,
    /// A filter, written as text by [`render::write`].
    Filter(Box<Filter>),
}

/// A resolved filter: the fields of an OCI `LinuxSeccomp`, with the kept rules.
#[derive(Debug, Clone, PartialEq)]
pub struct Filter {
    pub default_action: &'static str,
    pub default_errno_ret: Option<u64>,
    pub architectures: Vec<&'static str>,
    pub flags: Vec<&'static str>,
    pub listener_path: Option<String>,
    pub listener_metadata: Option<String>,
    pub rules: Vec<KeptRule>,
}

/// A rule that applies to this container.
#[derive(Debug, Clone, PartialEq)]
pub enum KeptRule {
    /// A rule of the default profile, by its text (`render::default_rule_texts`).
    Default(&'static str),
    /// A rule of a custom profile.
    Custom(CustomRule),
}

/// `linux.seccomp` for this container: nothing for a privileged or unconfined one. `bounding`
/// is the final capability bounding set (kernel names), which picks the capability-bound rules.
pub fn seccomp(ctx: &Context<'_>, bounding: &[&str], diags: &mut Diagnostics) -> SeccompSection {
    let choice = &ctx.service.confinement.seccomp;
    if ctx.service.privileged {
        if let Seccomp::Profile(path) = choice {
            diags.warning_hint(
                codes::IGNORED_WHEN_PRIVILEGED,
                &path.at,
                "a privileged container runs without seccomp; this profile is ignored",
                "remove `privileged: true` to confine it with the profile",
            );
        }
        return SeccompSection::None;
    }
    let path = match choice {
        Seccomp::Unconfined(at) => {
            diags.warning_hint(
                codes::SECCOMP_UNCONFINED,
                at,
                "the container runs without a seccomp filter: every system call reaches the kernel",
                "remove `seccomp=unconfined` to get Docker's default profile",
            );
            return SeccompSection::None;
        }
        Seccomp::Default => None,
        Seccomp::Profile(path) => Some(path),
    };
    let (native, arch, kernel) = target_host(ctx, diags);
    let target = Target {
        native_arch: native,
        kernel,
        bounding,
    };
    let Some(path) = path else {
        return SeccompSection::Filter(Box::new(Filter {
            default_action: default::DEFAULT_ACTION,
            default_errno_ret: default::DEFAULT_ERRNO_RET.map(u64::from),
            architectures: architectures(
                default::ARCH_MAP
                    .iter()
                    .map(|entry| (entry.architecture, entry.sub_architectures)),
                arch,
            ),
            flags: Vec::new(),
            listener_path: None,
            listener_metadata: None,
            rules: default::RULES
                .iter()
                .zip(render::default_rule_texts())
                .filter(|(rule, _)| target.keeps(&rule.includes, &rule.excludes))
                .map(|(_, text)| KeptRule::Default(text))
                .collect(),
        }));
    };
    let Some(text) = ctx.options.seccomp_profiles.get(&path.value) else {
        diags.error_hint(
            codes::SECCOMP_PROFILE_MISSING,
            &path.at,
            format!("the seccomp profile `{}` was not given", path.value),
            format!(
                "pass its text in `options.seccompProfiles[\"{}\"]`; the bundlec command reads it relative to the spec",
                path.value
            ),
        );
        return SeccompSection::None;
    };
    let profile = match custom::read(text) {
        Ok(profile) => profile,
        Err(problem) => {
            diags.error_hint(
                codes::BAD_SECCOMP_PROFILE,
                &path.at,
                format!(
                    "the seccomp profile `{}` is not valid: {problem}",
                    path.value
                ),
                "give a profile in Docker's format or an OCI `linux.seccomp` object",
            );
            return SeccompSection::None;
        }
    };
    let mut arches = profile.architectures;
    arches.extend(architectures(
        profile
            .arch_map
            .iter()
            .map(|(arch, subs)| (*arch, subs.as_slice())),
        arch,
    ));
    SeccompSection::Filter(Box::new(Filter {
        default_action: profile.default_action,
        default_errno_ret: profile.default_errno_ret,
        architectures: arches,
        flags: profile.flags,
        listener_path: profile.listener_path,
        listener_metadata: profile.listener_metadata,
        rules: profile
            .rules
            .into_iter()
            .filter(|rule| target.keeps(&rule.includes.borrowed(), &rule.excludes.borrowed()))
            .map(KeptRule::Custom)
            .collect(),
    }))
}

/// The `archMap` entry of the node's architecture followed by its sub-architectures; none
/// when the profile has no entry for it (then runc filters the native architecture only).
fn architectures<'a>(
    mut map: impl Iterator<Item = (&'static str, &'a [&'static str])>,
    arch: Option<&str>,
) -> Vec<&'static str> {
    map.find(|(architecture, _)| Some(*architecture) == arch)
        .map(|(architecture, subs)| {
            let mut list = vec![architecture];
            list.extend_from_slice(subs);
            list
        })
        .unwrap_or_default()
}

/// The node's architecture (moby's native name and the seccomp one) and kernel major.minor.
/// What the inventory does not say is assumed, with one warning: x86_64, and a kernel newer
/// than every `minKernel` (`None`).
fn target_host(
    ctx: &Context<'_>,
    diags: &mut Diagnostics,
) -> (&'static str, Option<&'static str>, Option<KernelVersion>) {
    let host = &ctx.inventory.host;
    let mut unknown = Vec::new();
    let (native, arch) = if host.arch.is_empty() {
        unknown.push("the node's architecture is not known: it is taken as x86_64".to_string());
        ("amd64", Some("SCMP_ARCH_X86_64"))
    } else {
        match native_arch(&host.arch) {
            Some((native, arch)) => (native, Some(arch)),
            None => {
                unknown.push(format!(
                    "the node's architecture `{}` is not one the profile knows: only its rules for every architecture apply",
                    host.arch
                ));
                ("", None)
            }
        }
    };
    let kernel = KernelVersion::parse(&host.kernel);
    if kernel.is_none() {
        let what = if host.kernel.is_empty() {
            "the node's kernel is not known".to_string()
        } else {
            format!(
                "the node's kernel `{}` is not a MAJOR.MINOR release",
                host.kernel
            )
        };
        unknown.push(format!("{what}: it is taken as newer than every rule asks"));
    }
    if !unknown.is_empty() {
        diags.warning_hint(
            codes::SECCOMP_HOST_ASSUMED,
            &Loc::at("inventory.host"),
            format!("seccomp profile resolved on assumptions: {}", unknown.join("; ")),
            "give the node's inventory (`--inventory FILE` or `--probe`) to resolve the profile for it",
        );
    }
    (native, arch, kernel)
}
