//! A seccomp profile in Docker's format as the resolver sees it: rules with the conditions
//! (`includes`, `excludes`) that pick them for one container, and the target that decides them.

/// A kernel release's major and minor, as the profile's `minKernel` writes them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct KernelVersion {
    /// The major release (6 in 6.8).
    pub major: u32,
    /// The minor release (8 in 6.8).
    pub minor: u32,
}

impl KernelVersion {
    /// Reads a kernel release: `6.8.0-45-generic` is 6.8; `4.8` is 4.8; anything else `None`.
    pub fn parse(release: &str) -> Option<KernelVersion> {
        let mut parts = release.splitn(3, '.');
        let major = parts.next()?.parse().ok()?;
        let minor_text = parts.next()?;
        // The minor may run into a suffix (`4.19-rc1`, `5.10+`): only its digits count.
        let digits = minor_text
            .find(|c: char| !c.is_ascii_digit())
            .map_or(minor_text, |end| minor_text.get(..end).unwrap_or(""));
        let minor = digits.parse().ok()?;
        Some(KernelVersion { major, minor })
    }
}

/// One `archMap` entry: an architecture and the sub-architectures its containers may run,
/// by their seccomp names (`SCMP_ARCH_X86_64`).
#[derive(Debug, Clone, PartialEq)]
pub struct ArchEntry<'a> {
    /// The architecture.
    pub architecture: &'a str,
    /// What its containers may also run (x86 and x32 on x86_64).
    pub sub_architectures: &'a [&'a str],
}

/// An `includes` or `excludes` block. Arches are moby's native names (`amd64`, `arm64`, `x86`);
/// caps are written with `CAP_`.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Condition<'a, S = &'a str> {
    /// Native architecture names.
    pub arches: &'a [S],
    /// Capability names with `CAP_`.
    pub caps: &'a [S],
    /// The oldest kernel.
    pub min_kernel: Option<KernelVersion>,
}

impl Condition<'static> {
    /// No condition.
    pub const NONE: Condition<'static> = Condition {
        arches: &[],
        caps: &[],
        min_kernel: None,
    };
}

/// A rule of Docker's default profile: its conditions, and its text as `config.json` writes
/// it when kept (so the compile copies it rather than building and serializing it).
#[derive(Debug, Clone, PartialEq)]
pub struct DefaultRule {
    /// What must hold for the rule to be kept.
    pub includes: Condition<'static>,
    /// What drops the rule when it holds.
    pub excludes: Condition<'static>,
    /// `{"names": …, "action": …, "errnoRet": …, "args": …}`, pretty-printed and indented for
    /// `linux.seccomp.syscalls[i]`.
    pub json: &'static str,
}

/// What decides a rule for one container: the node's architecture (moby's native name), its
/// kernel (`None`: newer than every `minKernel`), and the final bounding capability set.
#[derive(Debug, Clone, Copy)]
pub struct Target<'a> {
    /// moby's native name of the architecture (`amd64`).
    pub native_arch: &'a str,
    /// The kernel; `None` is newer than every `minKernel`.
    pub kernel: Option<KernelVersion>,
    /// Kernel names without `CAP_`.
    pub bounding: &'a [&'a str],
}

impl Target<'_> {
    fn has_cap(&self, cap: &str) -> bool {
        let name = cap.strip_prefix("CAP_").unwrap_or(cap);
        self.bounding.contains(&name)
    }

    fn kernel_at_least(&self, min: KernelVersion) -> bool {
        self.kernel.is_none_or(|kernel| kernel >= min)
    }

    fn lists_arch<S: AsRef<str>>(&self, arches: &[S]) -> bool {
        arches.iter().any(|arch| arch.as_ref() == self.native_arch)
    }

    /// moby's `setupSeccomp`: a rule is dropped when its excludes match (the arch is listed,
    /// any listed cap is held, the kernel is at least `minKernel`) or its includes fail (the
    /// arch is not listed, a listed cap is missing, the kernel is older than `minKernel`).
    pub fn keeps<S: AsRef<str>>(
        &self,
        includes: &Condition<'_, S>,
        excludes: &Condition<'_, S>,
    ) -> bool {
        let excluded = self.lists_arch(excludes.arches)
            || excludes.caps.iter().any(|cap| self.has_cap(cap.as_ref()))
            || excludes
                .min_kernel
                .is_some_and(|min| self.kernel_at_least(min));
        let included = (includes.arches.is_empty() || self.lists_arch(includes.arches))
            && includes.caps.iter().all(|cap| self.has_cap(cap.as_ref()))
            && includes
                .min_kernel
                .is_none_or(|min| self.kernel_at_least(min));
        included && !excluded
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kernel_releases_read_as_major_minor() {
        for (release, expected) in [
            ("6.8.0-45-generic", Some((6, 8))),
            ("4.4.0", Some((4, 4))),
            ("4.8", Some((4, 8))),
            ("5.10+", Some((5, 10))),
            ("4.19-rc1", Some((4, 19))),
            ("6", None),
            ("", None),
            ("x.y", None),
        ] {
            assert_eq!(
                KernelVersion::parse(release).map(|k| (k.major, k.minor)),
                expected,
                "{release}"
            );
        }
        assert!(KernelVersion::parse("4.10.0").unwrap() > KernelVersion::parse("4.8").unwrap());
    }
}
