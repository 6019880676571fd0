//! The seccomp section: Docker's default profile (or the one `seccomp=PATH` names) resolved
//! for this container as moby's `setupSeccomp` resolves it: the node's architecture and
//! kernel, and the final capability bounding set.

mod default_profile;
mod docker;
mod profile;

use oci_spec::runtime::{
    Arch, LinuxSeccomp, LinuxSeccompArgBuilder, LinuxSeccompBuilder, LinuxSyscall,
    LinuxSyscallBuilder,
};
use oci_spec::OciSpecError;

use crate::codes;
use crate::context::Context;
use crate::diagnostic::{Diagnostics, Loc};
use crate::spec::Seccomp;
use docker::DockerProfile;
pub use profile::{ArchEntry, Argument, Condition, KernelVersion, Rule, Target};

/// The default profile's parts, for the tests that compare them with the reference.
pub mod default {
    pub use super::default_profile::{
        ARCH_MAP, DEFAULT_ACTION, DEFAULT_ERRNO_RET, RULES, RULES_JSON,
    };
}

/// uname's machine names, moby's native name for each, and its seccomp architecture.
const ARCHES: &[(&[&str], &str, Arch)] = &[
    (&["x86_64", "amd64"], "amd64", Arch::ScmpArchX86_64),
    (&["aarch64", "arm64"], "arm64", Arch::ScmpArchAarch64),
    (
        &["armv7l", "armv6l", "armv8l", "armv5tel", "arm"],
        "arm",
        Arch::ScmpArchArm,
    ),
    (
        &["i686", "i586", "i486", "i386", "x86"],
        "x86",
        Arch::ScmpArchX86,
    ),
    (&["s390x"], "s390x", Arch::ScmpArchS390x),
    (&["ppc64le"], "ppc64le", Arch::ScmpArchPpc64le),
    (&["ppc64"], "ppc64", Arch::ScmpArchPpc64),
    (&["riscv64"], "riscv64", Arch::ScmpArchRiscv64),
    (&["loongarch64"], "loong64", Arch::ScmpArchLoongarch64),
    (&["mips64"], "mips64", Arch::ScmpArchMips64),
];

/// moby's native name and the seccomp architecture of a uname machine name.
pub fn native_arch(uname: &str) -> Option<(&'static str, Arch)> {
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
    /// Docker's default profile: the architectures and the kept rules, by their position in
    /// [`default::RULES`]. The canonical writer copies their JSON text: nothing is built.
    Default {
        architectures: Vec<Arch>,
        rules: Vec<usize>,
    },
    /// A profile the spec names, resolved.
    Custom(LinuxSeccomp),
}

/// `linux.seccomp` for this container: nothing for a privileged or unconfined one. `bounding`
/// is the final capability bounding set (kernel names), which picks the capability-bound rules.
pub fn seccomp(
    ctx: &Context<'_>,
    bounding: &[&str],
    diags: &mut Diagnostics,
) -> Result<SeccompSection, OciSpecError> {
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
        return Ok(SeccompSection::None);
    }
    let path = match choice {
        Seccomp::Unconfined(at) => {
            diags.warning_hint(
                codes::SECCOMP_UNCONFINED,
                at,
                "the container runs without a seccomp filter: every system call reaches the kernel",
                "remove `seccomp=unconfined` to get Docker's default profile",
            );
            return Ok(SeccompSection::None);
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
        return Ok(SeccompSection::Default {
            architectures: architectures(default::ARCH_MAP, arch),
            rules: (0..default::RULES.len())
                .filter(|&i| default::RULES.get(i).is_some_and(|rule| target.keeps(rule)))
                .collect(),
        });
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
        return Ok(SeccompSection::None);
    };
    let profile = match DockerProfile::from_json(text) {
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
            return Ok(SeccompSection::None);
        }
    };
    let rules = profile.rules();
    let mut arches = profile.architectures.clone();
    arches.extend(architectures(&profile.arch_map(), arch));
    let mut builder = LinuxSeccompBuilder::default().default_action(profile.default_action());
    if !profile.flags.is_empty() {
        builder = builder.flags(profile.flags.clone());
    }
    if let Some(listener) = &profile.listener_path {
        builder = builder.listener_path(listener);
    }
    if let Some(metadata) = &profile.listener_metadata {
        builder = builder.listener_metadata(metadata);
    }
    let kept = rules.iter().filter(|rule| target.keeps(*rule));
    build(builder, profile.default_errno_ret, arches, syscalls(kept)?).map(SeccompSection::Custom)
}

impl SeccompSection {
    /// The section as an OCI `LinuxSeccomp`, built from the default profile's rules when it is
    /// that one (for callers that want the spec; the compile itself never builds it).
    pub fn to_oci(&self) -> Result<Option<LinuxSeccomp>, OciSpecError> {
        match self {
            SeccompSection::None => Ok(None),
            SeccompSection::Custom(seccomp) => Ok(Some(seccomp.clone())),
            SeccompSection::Default {
                architectures,
                rules,
            } => build(
                LinuxSeccompBuilder::default().default_action(default::DEFAULT_ACTION),
                default::DEFAULT_ERRNO_RET,
                architectures.clone(),
                syscalls(rules.iter().filter_map(|&i| default::RULES.get(i)))?,
            )
            .map(Some),
        }
    }
}

fn build(
    mut builder: LinuxSeccompBuilder,
    default_errno_ret: Option<u32>,
    architectures: Vec<Arch>,
    syscalls: Vec<LinuxSyscall>,
) -> Result<LinuxSeccomp, OciSpecError> {
    if let Some(errno) = default_errno_ret {
        builder = builder.default_errno_ret(errno);
    }
    if !architectures.is_empty() {
        builder = builder.architectures(architectures);
    }
    if !syscalls.is_empty() {
        builder = builder.syscalls(syscalls);
    }
    builder.build()
}

/// The `archMap` entry of the node's architecture followed by its sub-architectures; none
/// when the profile has no entry for it (then runc filters the native architecture only).
fn architectures(map: &[ArchEntry<'_>], arch: Option<Arch>) -> Vec<Arch> {
    map.iter()
        .find(|entry| Some(entry.architecture) == arch)
        .map(|entry| {
            let mut list = vec![entry.architecture];
            list.extend_from_slice(entry.sub_architectures);
            list
        })
        .unwrap_or_default()
}

fn syscalls<'r, S: AsRef<str> + 'r>(
    rules: impl Iterator<Item = &'r Rule<'r, S>>,
) -> Result<Vec<LinuxSyscall>, OciSpecError> {
    rules
        .map(|rule| {
            let mut builder = LinuxSyscallBuilder::default()
                .names(
                    rule.names
                        .iter()
                        .map(|name| name.as_ref().to_string())
                        .collect::<Vec<_>>(),
                )
                .action(rule.action);
            if let Some(errno) = rule.errno_ret {
                builder = builder.errno_ret(errno);
            }
            if !rule.args.is_empty() {
                let args = rule
                    .args
                    .iter()
                    .map(|arg| {
                        let mut builder = LinuxSeccompArgBuilder::default()
                            .index(arg.index)
                            .value(arg.value)
                            .op(arg.op);
                        if let Some(two) = arg.value_two {
                            builder = builder.value_two(two);
                        }
                        builder.build()
                    })
                    .collect::<Result<Vec<_>, _>>()?;
                builder = builder.args(args);
            }
            builder.build()
        })
        .collect()
}

/// The node's architecture (moby's native name and the seccomp one) and kernel major.minor.
/// What the inventory does not say is assumed, with one warning: x86_64, and a kernel newer
/// than every `minKernel` (`None`).
fn target_host(
    ctx: &Context<'_>,
    diags: &mut Diagnostics,
) -> (&'static str, Option<Arch>, Option<KernelVersion>) {
    let host = &ctx.inventory.host;
    let mut unknown = Vec::new();
    let (native, arch) = if host.arch.is_empty() {
        unknown.push("the node's architecture is not known: it is taken as x86_64".to_string());
        ("amd64", Some(Arch::ScmpArchX86_64))
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
