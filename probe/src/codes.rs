//! The diagnostic codes the command emits itself (the core explains its own), each with the
//! paragraph `bundlec explain CODE` prints. Every error of this crate takes its code from here.

/// A file or directory could not be read, written, created or resolved.
pub const IO_ERROR: &str = "io-error";
/// An input is larger than `--max-input-bytes`.
pub const TOO_LARGE: &str = "too-large";
/// An input's text, or a path, is not UTF-8.
pub const NOT_UTF8: &str = "not-utf8";
/// A path that must name a directory (the rootfs, the probe root) does not.
pub const NOT_A_DIRECTORY: &str = "not-a-directory";
/// The bundle of `apply` exists and `--force` was not given.
pub const BUNDLE_EXISTS: &str = "bundle-exists";
/// The bundle path of `apply` is one bundlec will not write or replace.
pub const UNSAFE_BUNDLE: &str = "unsafe-bundle";
/// The compiler asked for a bundle file bundlec does not write.
pub const BAD_BUNDLE_FILE: &str = "bad-bundle-file";
/// The command line does not parse, or names a code `explain` does not know.
pub const USAGE: &str = "usage";
/// `bundlec schema` was given a name the core publishes no schema for.
pub const UNKNOWN_SCHEMA: &str = "unknown-schema";
/// A warning of a live probe (`bundlec probe`, `--probe`).
pub const PROBE_WARNING: &str = "probe-warning";
/// The file `security_opt: [seccomp=PATH]` names cannot be read.
pub const SECCOMP_PROFILE_UNREADABLE: &str = "seccomp-profile-unreadable";
/// `bundlec cdi generate -o DIR` found a spec of that name and was not told to replace it.
pub const CDI_SPEC_EXISTS: &str = "cdi-spec-exists";
/// `bundlec cdi generate` found no GPU it could write a spec for.
pub const NO_CDI_SPEC: &str = "no-cdi-spec";

/// Every code of the command and its explanation, sorted by code.
const EXPLANATIONS: &[(&str, &str)] = &[
    (
        BAD_BUNDLE_FILE,
        "The compiler produced a bundle file whose name is not one bundlec writes into a bundle \
         (config.json, the rootfs link, hosts, resolv.conf). This is a fault of bundlec itself, \
         not of the spec: no bundle is written and any existing one is left as it was. Please \
         report it with the spec that caused it.",
    ),
    (
        BUNDLE_EXISTS,
        "`bundlec apply` found a bundle at the `--bundle` path and was not told to replace it. \
         Pass `--force` to replace a bundle bundlec wrote (it is swapped for the new one in one \
         step), or choose another `--bundle` directory. Nothing was written.",
    ),
    (
        CDI_SPEC_EXISTS,
        "`bundlec cdi generate -o DIR` found a file of the name it would write (`nvidia.yaml`, \
         `amd.json`…) and was not told to replace it: it may be the vendor's own spec, written by \
         nvidia-ctk or the driver's installer. Pass `--force` to replace it, or write to another \
         directory. Nothing was written.",
    ),
    (
        IO_ERROR,
        "A file or directory the command needed could not be read, written, created or \
         resolved: a missing spec, inventory, image config or secret file, an output directory \
         that does not exist, a closed stdout, a volume directory that cannot be created. The \
         message names the file and gives the operating system's reason; the diagnostic's path \
         is the file. Fix the path or its permissions and run the command again.",
    ),
    (
        NO_CDI_SPEC,
        "`bundlec cdi generate` wrote no spec: the probe found no GPU of the vendors asked for, \
         or every vendor's spec failed (for NVIDIA: the driver version is unknown, or \
         /etc/ld.so.cache lists no libcuda.so of the running driver). The warnings before it \
         say why for each vendor; install the driver's user-space part and run ldconfig, then \
         try again.",
    ),
    (
        NOT_A_DIRECTORY,
        "A path that must be a directory is something else: the `--rootfs` of `compile` or \
         `apply`, or the `--root` of `bundlec probe`. Give the directory itself; a link to a \
         directory is followed.",
    ),
    (
        NOT_UTF8,
        "An input is not UTF-8 text (the spec, the inventory, the image config, a secret file, \
         a rootfs's /etc/passwd or /etc/group), or a path that has to appear in the OCI config \
         (the rootfs, the state directory, a volume path) is not UTF-8. Convert the file to \
         UTF-8, or use a path made of UTF-8 names.",
    ),
    (
        PROBE_WARNING,
        "A warning of the host probe (`bundlec probe`, or `compile`/`apply` with `--probe`): a \
         file under /dev, /proc or /sys that could not be read, a device node that vanished \
         during the scan, a link that leaves /dev. The inventory is still written, without what \
         the warning names; the same text is in the inventory's `warnings` list.",
    ),
    (
        SECCOMP_PROFILE_UNREADABLE,
        "The seccomp profile a service names with `security_opt: [seccomp=PATH]` could not be \
         read: the file is missing, is a directory, or its permissions refuse it. `compile` and \
         `apply` read a relative PATH from the spec file's folder (from the current directory \
         when the spec comes from stdin), whatever the current directory is; the error points \
         at the `security_opt` entry and names the file tried. Fix the path or the file; \
         `seccomp=unconfined` runs without a filter instead, and nothing is written until the \
         profile is read.",
    ),
    (
        TOO_LARGE,
        "An input (the spec, the inventory, the image config, a secret file) is larger than the \
         limit, 16 MiB unless `--max-input-bytes` sets another. The limit keeps an endless input \
         such as /dev/zero or a FIFO from being read until memory runs out. Raise the limit with \
         `--max-input-bytes N` if the file really is that large.",
    ),
    (
        UNKNOWN_SCHEMA,
        "`bundlec schema NAME` was given a name bundlec publishes no JSON Schema for; \
         `bundlec schema --help` lists the names (the inventory, the options and the spec). \
         The command exits with status 2, as for any usage error.",
    ),
    (
        UNSAFE_BUNDLE,
        "`bundlec apply` will not write the bundle at this `--bundle` path, because doing so \
         could lose something bundlec did not write: the path is the rootfs, contains it or \
         lies inside it, is the current directory, is a symbolic link or a file, does not end \
         in a directory name, or (with `--force`) is a directory holding names bundlec never \
         writes or no config.json. Keep the bundle beside the rootfs, remove what is there \
         yourself, or choose another `--bundle`.",
    ),
    (
        USAGE,
        "The command line does not parse: an unknown subcommand or option, a missing argument, \
         a value of the wrong form (`--env` without `=`, a replica that is not a number), or a \
         code `bundlec explain` does not know. The command exits with status 2 and writes \
         nothing else; `bundlec help` and `bundlec help SUBCOMMAND` show the usage.",
    ),
];

/// The explanation of one of the command's own codes.
pub fn explain(code: &str) -> Option<&'static str> {
    EXPLANATIONS
        .iter()
        .find(|(known, _)| *known == code)
        .map(|(_, text)| *text)
}

/// Every code the command emits itself, sorted.
pub fn codes() -> impl Iterator<Item = &'static str> {
    EXPLANATIONS.iter().map(|(code, _)| *code)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_sorted_unique_and_explained() {
        let codes: Vec<&str> = codes().collect();
        let mut sorted = codes.clone();
        sorted.sort_unstable();
        sorted.dedup();
        assert_eq!(codes, sorted);
        for code in [
            IO_ERROR,
            TOO_LARGE,
            NOT_UTF8,
            NOT_A_DIRECTORY,
            BUNDLE_EXISTS,
            UNSAFE_BUNDLE,
            BAD_BUNDLE_FILE,
            USAGE,
            UNKNOWN_SCHEMA,
            PROBE_WARNING,
            SECCOMP_PROFILE_UNREADABLE,
            CDI_SPEC_EXISTS,
            NO_CDI_SPEC,
        ] {
            let text = explain(code).unwrap_or_else(|| panic!("{code} is not explained"));
            assert!(text.len() > 80 && !text.contains('\n'), "{code}: {text}");
        }
        assert_eq!(codes.len(), 13);
        assert_eq!(explain("bad-memory"), None);
    }
}
