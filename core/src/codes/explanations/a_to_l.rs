//! Explanations of the codes from `a` to `l`, sorted by code.

// The constants, by name, so each entry reads as the code it explains.
use super::super::*;
use super::Code;

pub(in crate::codes) const CODES: &[Code] = &[
    Code {
        code: APPARMOR_PROFILE_NOT_LOADED,
        explanation: "The service asks for an AppArmor profile (`apparmor=NAME`) that the node does not have loaded, or the node has AppArmor disabled; runc would fail to start the container. Load the profile on the node (`apparmor_parser -r FILE`), pick one of the loaded profiles the inventory lists, or remove the option.",
    },
    Code {
        code: BAD_CDI_SPEC,
        explanation: "A Container Device Interface spec (a file in `/etc/cdi` or `/var/run/cdi`, or an entry of the inventory's `cdi`) is not one the CDI reference accepts: a `cdiVersion` bundlec does not read (0.3.0 to 1.1.0), a `kind` that is not `vendor.com/class`, a device name with characters other than letters, digits, `-`, `_`, `.` and `:`, a device defined twice or without edits, or an edit that is malformed (an env entry without `=`, a hook stage that does not exist, a relative path). `bundlec probe` reports such a file and leaves it out; fix the file, or regenerate it with `bundlec cdi generate`.",
    },
    Code {
        code: BAD_COMPOSE_REFERENCE,
        explanation: "A service's `secrets` or `configs` names an entry the file's top-level `secrets` or `configs` does not define, or that entry has no `file` to bind (an `external`, `environment` or `content` entry cannot be bound by a config alone).",
    },
    Code {
        code: BAD_CPU,
        explanation: "`resources.cpu` is not a usable number of CPUs. It must be a decimal number such as `0.5` or `2` (no hex, no `inf` or `nan`), above zero, and small enough that the CFS quota it becomes (cpus × 100000 µs per 100000 µs period) fits the kernel's limits.",
    },
    Code {
        code: BAD_CPU_SHARES,
        explanation: "`resources.cpu_shares` is outside what the kernel accepts. CPU shares are a relative weight from 2 to 262144; 1024 is the default of every container.",
    },
    Code {
        code: BAD_CPUSET,
        explanation: "`resources.cpuset` is not a CPU list. Write the CPUs the container may run on as numbers and ranges separated by commas, such as `0-3,8`.",
    },
    Code {
        code: BAD_DEPLOYMENT_NAME,
        explanation: "The `deployment` name is not valid. It names the deployment's directories and must be 3 to 63 letters, digits and dashes, starting with a letter or digit.",
    },
    Code {
        code: BAD_DEVICE_ACCESS,
        explanation: "A device in `devices` grants no access at all. Set at least one of `read`, `write` and `mknod` to true, or remove the device.",
    },
    Code {
        code: BAD_DEVICE_PATH,
        explanation: "A device path is not a path below `/dev`. Device paths are checked lexically, so `/dev/../etc/shadow` cannot name a host file; write the node's path, such as `/dev/fuse`.",
    },
    Code {
        code: BAD_DEVICE_RULE,
        explanation: "A `device_cgroup_rules` entry is not `TYPE MAJOR:MINOR ACCESS`: TYPE is `a`, `b` or `c`, MAJOR and MINOR numbers or `*`, ACCESS letters of `rwm`, such as `c 1:3 mr`.",
    },
    Code {
        code: BAD_ENV_FILE,
        explanation: "A line of an env file is not `KEY=VALUE`, `export KEY=VALUE`, a bare `KEY`, a comment or blank, or a quoted value is never closed. The diagnostic names the file and the line.",
    },
    Code {
        code: BAD_ENV_KEY,
        explanation: "An environment variable name is not valid. A name must be non-empty and may not hold `=` or a NUL byte, or the process environment cannot carry it.",
    },
    Code {
        code: BAD_ENV_VALUE,
        explanation: "An environment variable has no value (YAML null). Write `\"\"` for an empty value; a missing value is refused rather than guessed.",
    },
    Code {
        code: BAD_EXTRA_HOST,
        explanation: "An `extra_hosts` entry is not a `name:address` pair. Write entries as Docker does, such as `db:10.0.0.5` or `db:[fd00::5]`, with a valid host name and an IP address.",
    },
    Code {
        code: BAD_GPU_COUNT,
        explanation: "`resources.gpu.count` is not a whole number from 1 to 1024. Give how many GPUs each replica needs.",
    },
    Code {
        code: BAD_GPU_VENDOR,
        explanation: "`resources.gpu.vendor` is not a vendor bundlec knows. Use `nvidia`, `amd` or `intel` (and `apple` only parses: it has no Linux devices).",
    },
    Code {
        code: BAD_HOSTNAME,
        explanation: "The container's host name is not a valid DNS name. Use letters, digits and dashes in dot-separated labels of 1 to 63 characters, at most 64 in all, no label starting or ending with a dash.",
    },
    Code {
        code: BAD_ID,
        explanation: "A user or group id is too large. Linux ids in a container config must be at most 2147483647.",
    },
    Code {
        code: BAD_IMAGE_CONFIG,
        explanation: "The image config is not what bundlec reads. It must be the OCI image config as JSON (an object whose `config` object holds `User`, `Env`, `Entrypoint`, `Cmd`, `WorkingDir`), with each field of the right type.",
    },
    Code {
        code: BAD_IMAGE_LAYOUT,
        explanation: "An OCI image layout given with `--image` is not one bundlec reads: its `index.json`, a nested image index or the image manifest is not valid JSON of the image spec's shape (schemaVersion 2, descriptors with a mediaType, a digest `sha256:HEX` or `sha512:HEX` and a size). The diagnostic's path names the blob. Write the image again with a tool that follows the image spec (skopeo, umoci, buildah, `docker buildx --output type=oci`).",
    },
    Code {
        code: BAD_INTERPOLATION,
        explanation: "A `$` in a Compose value starts neither `${NAME...}`, `$NAME` nor `$$`, or a `${` is never closed. Write `$$` for a literal dollar sign.",
    },
    Code {
        code: BAD_INVENTORY,
        explanation: "The host inventory is not valid. It must be the JSON that `bundlec probe` writes, in a version this bundlec reads, with each device and GPU listed once; probe the node again with this version.",
    },
    Code {
        code: BAD_IP,
        explanation: "A `dns` server is not an IP address. Give IPv4 or IPv6 addresses, such as `10.0.0.2`; host names cannot be resolved when the config is compiled.",
    },
    Code {
        code: BAD_LABEL,
        explanation: "A label has an empty key. Labels become OCI annotations, whose keys must be non-empty.",
    },
    Code {
        code: BAD_MEMORY,
        explanation: "A memory size cannot be read or cannot be used. Write a whole number of bytes, or a number with a unit: binary `Ki`, `Mi`, `Gi`, `Ti`, `Pi` (powers of 1024) or decimal `k`, `M`, `G`, `T`, `P` (powers of 1000), such as `512Mi` or `1.5G`. Lowercase `m` (and `mb`, `MB`) is refused because Kubernetes reads `m` as milli and Docker as mebi. A size must come to whole bytes, and a limit of 0 is refused: the kernel and runc read 0 as no limit.",
    },
    Code {
        code: BAD_MODE,
        explanation: "A tmpfs `mode` is not an octal permission. Write it as `1777`, `\"1777\"` or `0o1777`; each digit must be 0 to 7 and the mode at most `7777`.",
    },
    Code {
        code: BAD_MOUNT,
        explanation: "A mount's host path is not usable. Bind sources and the host paths of volumes must be absolute paths without `..`, so that a spec cannot escape the directory it names.",
    },
    Code {
        code: BAD_NETWORK_MODE,
        explanation: "`network_mode` is not one bundlec knows. Use `default` (or `bridge`) for a network namespace of the container's own, `host` to share the host's network, or `none` for loopback only.",
    },
    Code {
        code: BAD_OOM_SCORE_ADJ,
        explanation: "`resources.oom_score_adj` is outside -1000 to 1000, the range the kernel accepts. Lower values make the kernel less likely to kill the container's processes when memory runs out.",
    },
    Code {
        code: BAD_OPTIONS,
        explanation: "The compile options are not valid JSON of the expected shape. `bundlec schema options` prints the accepted fields and their types.",
    },
    Code {
        code: BAD_PATH,
        explanation: "A path that must be absolute is not. The working directory and the rootfs are paths inside (or of) the container's root filesystem and must start with `/`, without `..`.",
    },
    Code {
        code: BAD_PIDS_LIMIT,
        explanation: "`resources.pids_limit` is not a positive whole number. Give the most processes the container may have at once, or leave the field out for no limit.",
    },
    Code {
        code: BAD_PORT,
        explanation: "A port number is outside 1 to 65535, the ports TCP and UDP can use; `resources.gpu.distributed.master_port` defaults to 29500.",
    },
    Code {
        code: BAD_REPLICA,
        explanation: "The replica asked for does not exist. Replicas are numbered from 1, and a service with a fixed scale has only as many as its `replicas`.",
    },
    Code {
        code: BAD_REPLICAS,
        explanation: "`scale.replicas` is not a whole number from 1 to 100000. Give how many copies of the service a fixed scale runs.",
    },
    Code {
        code: BAD_SECCOMP_PROFILE,
        explanation: "The seccomp profile `security_opt: [seccomp=PATH]` names cannot be used. bundlec reads profiles in Docker's format (`defaultAction`, `archMap` or `architectures`, and `syscalls` with `names`, `action`, `args`, `errnoRet`, `includes`, `excludes`), which a plain OCI `linux.seccomp` object also is. Unknown fields are refused so that a misspelt key cannot weaken the filter, and a profile without `defaultAction` is refused rather than run unconfined as Docker would.",
    },
    Code {
        code: BAD_STORAGE_TYPE,
        explanation: "A storage entry has a `type` bundlec does not know. Use `bind`, `named`, `anonymous`, `tmpfs` or `s3`; each type has its own fields.",
    },
    Code {
        code: BAD_SWAPPINESS,
        explanation: "`resources.memory_swappiness` is outside 0 to 100, the range the kernel accepts.",
    },
    Code {
        code: BAD_SYSCTL,
        explanation: "A sysctl value is empty or spans several lines. The kernel reads one line per sysctl; give its value on one line.",
    },
    Code {
        code: BAD_ULIMIT,
        explanation: "A ulimit is not valid: its limits must be whole numbers (or `-1` / `unlimited`), and the soft limit may not be above the hard limit.",
    },
    Code {
        code: BAD_VOLUME_NAME,
        explanation: "A named volume's name is not valid. It becomes a directory name on the host, so it may hold only letters, digits, `.`, `_` and `-`, and may not be `.` or `..`.",
    },
    Code {
        code: CDI_FIELD_TOO_NEW,
        explanation: "A CDI spec uses a field that its declared `cdiVersion` does not have: `type` on a mount needs 0.4.0, `hostPath` on a device node or a device name starting with a digit 0.5.0, annotations 0.6.0, `intelRdt` and `additionalGids` 0.7.0, `netDevices` and the RDT `schemata`/`enableMonitoring` 1.1.0. The CDI reference refuses such a spec, so bundlec does too: raise `cdiVersion` to the version named, or drop the field.",
    },
    Code {
        code: DANGEROUS_BIND,
        explanation: "A warning: the config gives the container a host path that controls the host: the host's `/` as the rootfs or a bind source, a writable bind of a system directory such as `/etc`, or a container runtime's socket (dangerous even read-only). runc runs it, but the container can then change the host; mount a narrower path, and read-only where that is enough.",
    },
    Code {
        code: DEVICE_NOT_IN_INVENTORY,
        explanation: "A device the spec asks for is not in the host inventory, so its type and numbers are unknown. Probe the node where the device exists, or remove the device from the spec; without an inventory no device can be granted.",
    },
    Code {
        code: DISTRIBUTED_NEEDS_FIXED_SCALE,
        explanation: "A distributed GPU job needs to know how many replicas it has (its world size), so the service must have a fixed scale: `scale: { mode: fixed, replicas: N }`.",
    },
    Code {
        code: DUPLICATE_KEY,
        explanation: "A key appears twice in the same YAML map. YAML forbids it, and taking either value would silently drop the other; remove one of the two.",
    },
    Code {
        code: DUPLICATE_MOUNT,
        explanation: "Two mounts have the same target inside the container (after removing `.` and repeated `/`), so one would hide the other. Give each storage entry its own target; the standard mounts and `/etc/resolv.conf` and `/etc/hosts` count too.",
    },
    Code {
        code: EMPTY_COMMAND,
        explanation: "The program to run, the first word of the command, is empty. Name the program, such as `/app/server`.",
    },
    Code {
        code: EMPTY_SPEC,
        explanation: "The spec text holds no YAML document at all. Write a deployment: `version`, `deployment` and `services`.",
    },
    Code {
        code: ENV_FILE_NOT_PROVIDED,
        explanation: "A Compose service names an `env_file` whose text the options do not give. The CLI reads each env file relative to the compose file into `options.envFiles`, keyed by the path as written; other callers must give the text themselves. Mark the entry `required: false` to let it be missing, as Compose does.",
    },
    Code {
        code: GPU_INDICES_MISMATCH,
        explanation: "The GPU indices given in the options do not fit the request: an index is given twice, or their number is not the number of GPUs the service asks for.",
    },
    Code {
        code: GPU_NO_DRIVER_LIBRARIES,
        explanation: "An NVIDIA GPU was given from the inventory's device nodes alone, because the inventory holds no CDI spec of kind `nvidia.com/gpu`. The container sees the GPU, but CUDA also needs the driver's user-space libraries (`libcuda.so.1`, `libnvidia-ml.so.1`…), which must match the host's kernel driver and which no image can carry. Run `bundlec cdi generate` (or `nvidia-ctk cdi generate`) on the node and probe it again, so that GPU requests bind the driver's libraries into the container.",
    },
    Code {
        code: GPU_NOT_IN_INVENTORY,
        explanation: "A GPU index given in the options is not a GPU of that vendor in the host inventory. Use the indices `bundlec probe` lists for the node.",
    },
    Code {
        code: GPU_SHARED_NODE_MISSING,
        explanation: "A device node that every GPU of the vendor needs (such as `/dev/nvidiactl`, `/dev/nvidia-uvm` or `/dev/kfd`) is not in the inventory. Load the driver fully on the node and probe it again.",
    },
    Code {
        code: GPU_VENDOR_UNSUPPORTED,
        explanation: "The GPU vendor has no Linux device nodes bundlec can grant (Apple GPUs exist only on macOS). Use `nvidia`, `amd` or `intel` for a Linux node.",
    },
    Code {
        code: IGNORED_WHEN_PRIVILEGED,
        explanation: "A warning: a privileged container has every capability, so `cap_add` and `cap_drop` change nothing. Remove `privileged: true` to choose capabilities.",
    },
    Code {
        code: IMAGE_NOT_FOUND,
        explanation: "The `:TAG` or `@DIGEST` given with `--image` names no manifest in the layout's `index.json` (a tag is the `org.opencontainers.image.ref.name` annotation). The message lists the tags the layout has; with no tag, the layout must hold one manifest, or one per platform.",
    },
    Code {
        code: IMAGE_PLATFORM_MISSING,
        explanation: "The image has no manifest for the node's platform: Linux, with the architecture and variant of the inventory's `host.arch` (`x86_64` is `amd64`, `aarch64` is `arm64` v8, `armv7l` is `arm` v7), or of this machine without an inventory. The message lists the platforms the image offers. A single-platform image whose config names another architecture is refused too, since it would not run. Pull the image for the node's platform (`skopeo copy --override-arch`), or give the node's inventory.",
    },
    Code {
        code: INIT_NOT_INJECTED,
        explanation: "The Compose service sets `init: true`. Docker Engine then runs its own init (tini) as process 1, from a binary of the engine; bundlec writes only the config, so no init is injected and the service's own program is process 1. Put an init into the image (and into `entrypoint`) when the program does not reap its children.",
    },
    Code {
        code: INTERNAL,
        explanation: "bundlec could not build the config although the spec was accepted. This is a bug in bundlec; please report it with the spec.",
    },
];
