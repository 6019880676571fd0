//! Explanations of the codes from `m` to `z`, sorted by code.

// The constants, by name, so each entry reads as the code it explains.
use super::super::*;
use super::Code;

pub(in crate::codes) const CODES: &[Code] = &[
    Code {
        code: MISSING_FIELD,
        explanation: "A field that must be given is missing, such as `version`, `deployment`, `services`, a service's `image`, or a storage entry's `type` and `target`.",
    },
    Code {
        code: MISSING_HOST_ENV,
        explanation: "An environment value `$E:NAME` takes a variable of the host, but the options give no value for `NAME`. Give it with `--host-env NAME` (or in `options.hostEnv`); bundlec never reads the environment itself.",
    },
    Code {
        code: MISSING_SECRET,
        explanation: "An environment value `$S:ref` takes a secret, but the options give no secret `ref`. Give it in `options.secrets` (or with `--secret`); secrets never come from the spec.",
    },
    Code {
        code: MULTIPLE_DOCUMENTS,
        explanation: "The spec text holds more than one YAML document (separated by `---`). Put one deployment in each file.",
    },
    Code {
        code: NO_COMMAND,
        explanation: "The service has no command to run: neither `command.entrypoint` nor `command.args`, and no image config gives one. Set the command in the spec, or pass the image config.",
    },
    Code {
        code: NO_PRIMARY_GROUP,
        explanation: "A warning: the user is a numeric uid without a passwd entry, so its primary group is 0 (root), as Docker does. Give `user: uid:gid` to choose the group.",
    },
    Code {
        code: NO_PROJECT_DIR,
        explanation: "A Compose file names a relative path (a bind such as `./data:/data`, a secret's or config's `file`) and the options give no `projectDir` to resolve it against. The CLI gives the compose file's folder; other callers set `options.projectDir` to an absolute path.",
    },
    Code {
        code: NO_SERVICES,
        explanation: "The deployment's `services` map is empty. Declare at least one service.",
    },
    Code {
        code: NOT_ENOUGH_GPUS,
        explanation: "The service asks for more GPUs of its vendor than the host inventory has. Lower `resources.gpu.count`, or run it on a node with more GPUs.",
    },
    Code {
        code: POLICY_APPARMOR,
        explanation: "The service asks to run without AppArmor (`apparmor=unconfined`), which the baseline Pod Security Standard forbids. Remove the option to run under the node's default, or name a profile loaded on the node (`apparmor=NAME`). The OCI field: `process.apparmorProfile`.",
    },
    Code {
        code: POLICY_CAPABILITIES,
        explanation: "The service holds a capability its policy level does not allow. Baseline checks what `capabilities`/`cap_add` adds, as Kubernetes checks `capabilities.add`: only AUDIT_WRITE, CHOWN, DAC_OVERRIDE, FOWNER, FSETID, KILL, MKNOD, NET_BIND_SERVICE, SETFCAP, SETGID, SETPCAP, SETUID and SYS_CHROOT may be added (the runtime's default set, NET_RAW included, is not a violation). Restricted checks the final set: it may hold NET_BIND_SERVICE and nothing else, so write `cap_drop: [ALL]` and add back at most `NET_BIND_SERVICE`. The OCI field: `process.capabilities`.",
    },
    Code {
        code: POLICY_HOST_NAMESPACES,
        explanation: "The service shares a namespace of the host, which the baseline Pod Security Standard forbids: with `network_mode: host` (or the `hostNetwork` option) the container sees and can bind every interface of the node, and reach services listening on its loopback. bundlec always gives the container its own PID and IPC namespaces, so the network is the only host namespace a spec can ask for. Remove `network_mode: host` (and the option) to pass. The OCI field: the `network` entry of `linux.namespaces`.",
    },
    Code {
        code: POLICY_HOST_PATH,
        explanation: "The service mounts a directory or file of the host, which the baseline Pod Security Standard forbids (Kubernetes' hostPath volumes): a host path lets the container read or change the node's own files. A `type: bind` storage entry and the `socket` option are host paths; named, anonymous, tmpfs and S3 volumes are not (the platform owns their directories). Use a named volume instead. The OCI field: the `source` of a bind mount in `mounts`.",
    },
    Code {
        code: POLICY_PRIVILEGE_ESCALATION,
        explanation: "The process may gain privileges (setuid binaries, file capabilities), which the restricted Pod Security Standard forbids (Kubernetes' `allowPrivilegeEscalation: false`). bundlec sets no-new-privileges by default; `security_opt: [no-new-privileges:false]` and `privileged: true` turn it off. Remove them to pass. The OCI field: `process.noNewPrivileges`.",
    },
    Code {
        code: POLICY_PRIVILEGED,
        explanation: "The service is privileged, which the baseline Pod Security Standard forbids: a privileged container holds every capability, reaches every device of the node, and runs without seccomp, AppArmor, masked paths or read-only /sys, so it can take over the node. Remove `privileged: true` and add only the capabilities and devices the service needs. The OCI fields: `process.capabilities`, `linux.resources.devices`, `linux.seccomp`, `linux.maskedPaths`.",
    },
    Code {
        code: POLICY_RUN_AS_NON_ROOT,
        explanation: "The process runs as uid 0, which the restricted Pod Security Standard forbids. bundlec checks the uid the compile resolved: a user name that resolves to uid 0 (`root`, or any alias of it in the image's /etc/passwd) fails too, and without `user` (and without an image `User`) the process runs as root. Set `user` to a non-root uid (`user: \"1000:1000\"`) or a name the image maps to one. The OCI field: `process.user.uid`.",
    },
    Code {
        code: POLICY_SECCOMP,
        explanation: "The service runs without the seccomp filter its policy level asks for. Baseline forbids `seccomp=unconfined`; restricted requires a filter in the config: Docker's default profile (what bundlec gives without an option) or a custom one (`seccomp=PATH`). A privileged container has no filter either. Remove `seccomp=unconfined` (and `privileged: true`) to pass. The OCI field: `linux.seccomp`.",
    },
    Code {
        code: POLICY_SELINUX,
        explanation: "The service's SELinux label is one the baseline Pod Security Standard forbids: the type may only be `container_t`, `container_init_t` or `container_kvm_t`, and the user and role may not be set. `label=disable` turns SELinux separation off (the container runs as `spc_t`), which is forbidden too. Remove the `label=user:`, `label=role:` and `label=disable` options and keep the type to one of those three. The OCI field: `process.selinuxLabel`.",
    },
    Code {
        code: POLICY_SYSCTLS,
        explanation: "The service sets a sysctl outside the safe set the baseline Pod Security Standard allows (Kubernetes' list: kernel.shm_rmid_forced, net.ipv4.ip_local_port_range, net.ipv4.ip_local_reserved_ports, net.ipv4.tcp_syncookies, net.ipv4.ping_group_range, net.ipv4.ip_unprivileged_port_start, net.ipv4.tcp_keepalive_time, net.ipv4.tcp_fin_timeout, net.ipv4.tcp_keepalive_intvl, net.ipv4.tcp_keepalive_probes, net.ipv4.tcp_rmem, net.ipv4.tcp_wmem, net.ipv4.tcp_slow_start_after_idle, net.ipv4.tcp_notsent_lowat). Other sysctls, even namespaced ones, can starve or weaken the node's kernel. Remove it, or set it on the node instead. The OCI field: `linux.sysctl`.",
    },
    Code {
        code: POLICY_VOLUME_TYPES,
        explanation: "The service passes a device node of the host through (`devices`), which the baseline level forbids: a raw device is a host path of another kind (Kubernetes would need a hostPath volume of type CharDevice or BlockDevice, which its policies refuse). GPUs requested through `resources.gpu` and devices requested by a CDI name are allowed, since the node describes them. Request the device through a GPU or CDI request, or remove it. The OCI fields: `linux.devices` and `linux.resources.devices`.",
    },
    Code {
        code: PRIVILEGED_WITHOUT_INVENTORY,
        explanation: "A privileged container gets every device node of the host, as in Docker, but without an inventory bundlec does not know the host's devices, so the config lists none beyond what runc creates itself; its capabilities are every capability the kernel knows, which runc refuses when they exceed its own bounding set. Give the node's inventory to list its devices and capabilities.",
    },
    Code {
        code: REQUIRED_VARIABLE,
        explanation: "A Compose file writes `${VAR:?message}` (or `${VAR?message}`) and the variable is unset (or, with `:?`, empty). Compose refuses such a file with the message; so does bundlec, at the value. Give the variable with `--host-env VAR`, in the `.env` file beside the compose file, or in `options.hostEnv`.",
    },
    Code {
        code: SECCOMP_HOST_ASSUMED,
        explanation: "Docker's default seccomp profile depends on the node: its architecture picks the architectures and the architecture-specific rules, and its kernel version the rules with `minKernel`. Without those facts (no inventory, or one without `host.arch` or `host.kernel`) bundlec resolves the profile for x86_64 and a kernel newer than every rule asks for. Give the node's inventory so that the profile matches the node the container will run on.",
    },
    Code {
        code: SECCOMP_PROFILE_MISSING,
        explanation: "The spec asks for `seccomp=PATH`, but the request holds no text for PATH. The bundlec command reads PATH relative to the spec's folder and passes it in `options.seccompProfiles`; other callers (the page, the component, Rust) must pass it there themselves, keyed by PATH exactly as the spec writes it.",
    },
    Code {
        code: SECCOMP_UNCONFINED,
        explanation: "The service runs without a seccomp filter (`seccomp=unconfined`), so every system call reaches the kernel, including those Docker's default profile blocks for containers (such as `keyctl`, `unshare` of a user namespace, `kexec_load`). Remove the option to get the default profile, or give a profile of your own with `seccomp=PATH`.",
    },
    Code {
        code: SELINUX_NOT_ENABLED,
        explanation: "The service sets an SELinux label (`label=...`), but the node's inventory says SELinux is not enabled there, so the label has no effect. The config still carries it, as Docker does.",
    },
    Code {
        code: SERVICE_REQUIRED,
        explanation: "The deployment has several services and the request does not name one. Name the service to compile (`--service NAME`).",
    },
    Code {
        code: SYSCTL_HOST_NETWORK,
        explanation: "A `net.*` sysctl is set while the container shares the host's network, so it would change the host's own network settings. Drop it, or give the container its own network namespace.",
    },
    Code {
        code: SYSCTL_NOT_NAMESPACED,
        explanation: "The sysctl is not isolated by the container's namespaces: setting it would change the whole host, and runc refuses it. Only `net.*`, `fs.mqueue.*` and the IPC `kernel.*` sysctls (shared memory, message queues, semaphores) can be set per container.",
    },
    Code {
        code: UNKNOWN_CAPABILITY,
        explanation: "A name in `cap_add` or `cap_drop` is not a Linux capability. Write capabilities as `NET_ADMIN` or `CAP_NET_ADMIN` (or `ALL`).",
    },
    Code {
        code: UNKNOWN_CDI_DEVICE,
        explanation: "A `devices` entry names a CDI device (`vendor.com/class=name`) that no CDI spec in the inventory defines, or a GPU request found a spec of its vendor's kind without a device for an assigned GPU. The names the inventory's specs define are listed in its `cdi` entries; the hint gives the closest ones. Probe the node again if its CDI specs changed, or correct the name.",
    },
    Code {
        code: UNKNOWN_FIELD,
        explanation: "A key is not a field bundlec knows at that place, often a typo (the hint suggests the nearest field). Unknown fields are errors so that a misspelt setting is never silently ignored.",
    },
    Code {
        code: UNKNOWN_GROUP,
        explanation: "A group named in `user` or `extra_groups` is not in the group file given with the options, or no group file was given. Pass the image's `/etc/group`, or use a numeric gid.",
    },
    Code {
        code: UNKNOWN_SERVICE,
        explanation: "The request names a service the deployment does not have. The hint lists the services, or suggests the nearest name.",
    },
    Code {
        code: UNKNOWN_ULIMIT,
        explanation: "A ulimit name is not one Linux knows. Use names such as `nofile`, `nproc` or `memlock` (the `RLIMIT_` suffix, lowercase).",
    },
    Code {
        code: UNKNOWN_USER,
        explanation: "The user, by name, is not in the passwd file given with the options, or no passwd file was given. Pass the image's `/etc/passwd`, or use a numeric uid.",
    },
    Code {
        code: UNSET_VARIABLE,
        explanation: "A Compose file uses a variable (`${VAR}` or `$VAR`) that neither `options.hostEnv` nor the `.env` file beside the compose file sets, and gives no default. As in Compose, the variable becomes the empty string and the compile goes on; the warning is at the value that uses it. Give the variable with `--host-env VAR` (or in `.env`), or write a default: `${VAR:-default}`.",
    },
    Code {
        code: UNSUPPORTED_COMPOSE_KEY,
        explanation: "The Compose file uses a key the Compose Specification defines but bundlec cannot express in a runtime config (such as `extends`, `pid`, `ipc`, `volumes_from`, `dns_search`), or a form of a key it does not support (a device mapped to another path, a bind with shared propagation, an external secret). It is reported rather than dropped, so the config never silently differs from what the file asks for.",
    },
    Code {
        code: UNSUPPORTED_MEDIA_TYPE,
        explanation: "A descriptor of the image names a media type bundlec does not read. bundlec reads OCI and Docker v2 schema 2 image indexes, manifests and configs, and layers as tar, tar+gzip and tar+zstd; foreign or encrypted layer types and artifacts are refused rather than skipped, since a rootfs with a layer missing is not the image. Convert the image (`skopeo copy --format oci`) or choose another manifest.",
    },
    Code {
        code: UNSUPPORTED_SECURITY_OPT,
        explanation: "A `security_opt` entry is not one bundlec supports. Only `no-new-privileges:true` and `no-new-privileges:false` are read; others (seccomp, apparmor) are not yet.",
    },
    Code {
        code: UNSUPPORTED_TAG,
        explanation: "The spec uses a YAML tag (such as `!!binary` or `!custom`) other than `!!str` and the core schema's own. Remove the tag and write the value as plain YAML.",
    },
    Code {
        code: UNSUPPORTED_VERSION,
        explanation: "The spec's `version` is not `v1`, the only ZLayer spec version bundlec reads.",
    },
    Code {
        code: VOLUME_NOT_PROVIDED,
        explanation: "A named, anonymous or S3 volume has no host path. The host directory of each volume comes from the options (`--volume KEY=PATH` or `options.volumes`), keyed by the volume's name, its target for an anonymous volume, or its bucket for S3; `bundlec apply` places named and anonymous volumes itself.",
    },
    Code {
        code: WRONG_TYPE,
        explanation: "A value has the wrong type for its field: a list where a map is expected, text where a number is, a map key that is not a string. The message names what was expected and what was found.",
    },
    Code {
        code: YAML_SYNTAX,
        explanation: "The spec is not valid YAML (or JSON): the parser stopped at the position given. Also reported for a NUL byte in the text and an alias that names an undefined anchor or expands too far.",
    },
    Code {
        code: YAML_TOO_DEEP,
        explanation: "The spec nests lists and maps more than 64 levels deep. No real spec needs that; the limit keeps a hostile spec from exhausting the stack.",
    },
];
