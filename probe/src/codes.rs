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

/// A layer blob of `--image` is not a tar, gzip or zstd stream bundlec can read to its end.
pub const BAD_LAYER: &str = "bad-layer";
/// An `oci-archive:` file is not a tar of an OCI layout, or a JSON blob is not UTF-8.
pub const BAD_IMAGE_ARCHIVE: &str = "bad-image-archive";
/// A blob of the image is missing, or its size or digest is not the one its descriptor names.
pub const IMAGE_BLOB_MISMATCH: &str = "image-blob-mismatch";
/// A layer expands past `--max-layer-ratio` or `--max-image-bytes`.
pub const LAYER_TOO_LARGE: &str = "layer-too-large";
/// A layer entry would be written outside the rootfs (`..`, an absolute name, a hard link out).
pub const UNSAFE_LAYER_ENTRY: &str = "unsafe-layer-entry";

/// The `&'static` form of a code the core's image layout rules gave (its codes are static
/// strings, listed by `bundlec_core::codes`).
pub fn layout_code(code: &str) -> &'static str {
    bundlec_core::codes()
        .find(|known| *known == code)
        .unwrap_or(IO_ERROR)
}

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
        BAD_IMAGE_ARCHIVE,
        "The file given as `--image oci-archive:FILE` is not an uncompressed tar archive of an \
         OCI image layout (it must hold `index.json` and `blobs/`), or a JSON blob of the image \
         (an index, a manifest, the config) is not UTF-8. `skopeo copy ... oci-archive:FILE` \
         writes one; a gzip-compressed archive must be uncompressed first.",
    ),
    (
        BAD_LAYER,
        "A layer of the image could not be read to its end: a truncated or corrupt gzip or zstd \
         stream, or a tar whose headers are damaged. The message names the layer blob and the \
         decoder's reason. Nothing is written at the bundle path: the layers are unpacked in the \
         temporary bundle, which is removed. Write the image again from a good source.",
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
        IMAGE_BLOB_MISMATCH,
        "A blob of the image is missing from the layout, or its size or its sha256/sha512 digest \
         differs from what the descriptor that names it says. JSON blobs are checked before they \
         are read; layers as they stream, and a mismatch fails the apply before the bundle is put \
         in place, so nothing is written at the bundle path. The blob was changed or truncated \
         after the image was written: copy the image again.",
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
        LAYER_TOO_LARGE,
        "A layer expands to more bytes than bundlec allows, as a decompression bomb would: past \
         its first 64 MiB, a layer may expand to 200 times its compressed size \
         (`--max-layer-ratio`), and all layers together to 128 GiB (`--max-image-bytes`, room \
         for large GPU images). Raise the limit named in the message if the image is trusted; \
         nothing is written at the bundle path.",
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
        UNSAFE_LAYER_ENTRY,
        "An entry of a layer would be written outside the rootfs: its name is absolute or climbs \
         out with `..`, or it is a hard link to such a path. bundlec refuses the image rather \
         than skip the entry; the message names the layer and the entry. Links inside the rootfs \
         are safe: every path is resolved inside it (an absolute link target counts from the \
         rootfs), as runtimes resolve them.",
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
            BAD_LAYER,
            BAD_IMAGE_ARCHIVE,
            IMAGE_BLOB_MISMATCH,
            LAYER_TOO_LARGE,
            UNSAFE_LAYER_ENTRY,
            CDI_SPEC_EXISTS,
            NO_CDI_SPEC,
        ] {
            let text = explain(code).unwrap_or_else(|| panic!("{code} is not explained"));
            assert!(text.len() > 80 && !text.contains('\n'), "{code}: {text}");
        }
        assert_eq!(codes.len(), 18);
        assert_eq!(explain("bad-memory"), None);
    }
}
