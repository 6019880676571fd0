//! Every diagnostic code the core emits, as a constant, with a paragraph for people on each
//! (what `bundlec explain CODE` prints). A code is stable once published: tools match on it.
//! The paragraphs themselves are data, in `explanations`.

mod explanations;

use explanations::TABLES;

/// `apparmor-profile-not-loaded`: see [`explain`].
pub const APPARMOR_PROFILE_NOT_LOADED: &str = "apparmor-profile-not-loaded";
/// `bad-cdi-spec`: see [`explain`].
pub const BAD_CDI_SPEC: &str = "bad-cdi-spec";
/// `bad-compose-reference`: see [`explain`].
pub const BAD_COMPOSE_REFERENCE: &str = "bad-compose-reference";
/// `bad-cpu`: see [`explain`].
pub const BAD_CPU: &str = "bad-cpu";
/// `bad-cpu-shares`: see [`explain`].
pub const BAD_CPU_SHARES: &str = "bad-cpu-shares";
/// `bad-cpuset`: see [`explain`].
pub const BAD_CPUSET: &str = "bad-cpuset";
/// `bad-deployment-name`: see [`explain`].
pub const BAD_DEPLOYMENT_NAME: &str = "bad-deployment-name";
/// `bad-device-access`: see [`explain`].
pub const BAD_DEVICE_ACCESS: &str = "bad-device-access";
/// `bad-device-path`: see [`explain`].
pub const BAD_DEVICE_PATH: &str = "bad-device-path";
/// `bad-device-rule`: see [`explain`].
pub const BAD_DEVICE_RULE: &str = "bad-device-rule";
/// `bad-env-file`: see [`explain`].
pub const BAD_ENV_FILE: &str = "bad-env-file";
/// `bad-env-key`: see [`explain`].
pub const BAD_ENV_KEY: &str = "bad-env-key";
/// `bad-env-value`: see [`explain`].
pub const BAD_ENV_VALUE: &str = "bad-env-value";
/// `bad-extra-host`: see [`explain`].
pub const BAD_EXTRA_HOST: &str = "bad-extra-host";
/// `bad-gpu-count`: see [`explain`].
pub const BAD_GPU_COUNT: &str = "bad-gpu-count";
/// `bad-gpu-vendor`: see [`explain`].
pub const BAD_GPU_VENDOR: &str = "bad-gpu-vendor";
/// `bad-hostname`: see [`explain`].
pub const BAD_HOSTNAME: &str = "bad-hostname";
/// `bad-id`: see [`explain`].
pub const BAD_ID: &str = "bad-id";
/// `bad-image-config`: see [`explain`].
pub const BAD_IMAGE_CONFIG: &str = "bad-image-config";
/// `bad-image-layout`: see [`explain`].
pub const BAD_IMAGE_LAYOUT: &str = "bad-image-layout";
/// `bad-interpolation`: see [`explain`].
pub const BAD_INTERPOLATION: &str = "bad-interpolation";
/// `bad-inventory`: see [`explain`].
pub const BAD_INVENTORY: &str = "bad-inventory";
/// `bad-ip`: see [`explain`].
pub const BAD_IP: &str = "bad-ip";
/// `bad-label`: see [`explain`].
pub const BAD_LABEL: &str = "bad-label";
/// `bad-memory`: see [`explain`].
pub const BAD_MEMORY: &str = "bad-memory";
/// `bad-mode`: see [`explain`].
pub const BAD_MODE: &str = "bad-mode";
/// `bad-mount`: see [`explain`].
pub const BAD_MOUNT: &str = "bad-mount";
/// `bad-network-mode`: see [`explain`].
pub const BAD_NETWORK_MODE: &str = "bad-network-mode";
/// `bad-oom-score-adj`: see [`explain`].
pub const BAD_OOM_SCORE_ADJ: &str = "bad-oom-score-adj";
/// `bad-options`: see [`explain`].
pub const BAD_OPTIONS: &str = "bad-options";
/// `bad-path`: see [`explain`].
pub const BAD_PATH: &str = "bad-path";
/// `bad-pids-limit`: see [`explain`].
pub const BAD_PIDS_LIMIT: &str = "bad-pids-limit";
/// `bad-port`: see [`explain`].
pub const BAD_PORT: &str = "bad-port";
/// `bad-replica`: see [`explain`].
pub const BAD_REPLICA: &str = "bad-replica";
/// `bad-replicas`: see [`explain`].
pub const BAD_REPLICAS: &str = "bad-replicas";
/// `bad-seccomp-profile`: see [`explain`].
pub const BAD_SECCOMP_PROFILE: &str = "bad-seccomp-profile";
/// `bad-storage-type`: see [`explain`].
pub const BAD_STORAGE_TYPE: &str = "bad-storage-type";
/// `bad-swappiness`: see [`explain`].
pub const BAD_SWAPPINESS: &str = "bad-swappiness";
/// `bad-sysctl`: see [`explain`].
pub const BAD_SYSCTL: &str = "bad-sysctl";
/// `bad-ulimit`: see [`explain`].
pub const BAD_ULIMIT: &str = "bad-ulimit";
/// `bad-volume-name`: see [`explain`].
pub const BAD_VOLUME_NAME: &str = "bad-volume-name";
/// `cdi-field-too-new`: see [`explain`].
pub const CDI_FIELD_TOO_NEW: &str = "cdi-field-too-new";
/// `dangerous-bind`: see [`explain`].
pub const DANGEROUS_BIND: &str = "dangerous-bind";
/// `device-not-in-inventory`: see [`explain`].
pub const DEVICE_NOT_IN_INVENTORY: &str = "device-not-in-inventory";
/// `distributed-needs-fixed-scale`: see [`explain`].
pub const DISTRIBUTED_NEEDS_FIXED_SCALE: &str = "distributed-needs-fixed-scale";
/// `duplicate-key`: see [`explain`].
pub const DUPLICATE_KEY: &str = "duplicate-key";
/// `duplicate-mount`: see [`explain`].
pub const DUPLICATE_MOUNT: &str = "duplicate-mount";
/// `empty-command`: see [`explain`].
pub const EMPTY_COMMAND: &str = "empty-command";
/// `empty-spec`: see [`explain`].
pub const EMPTY_SPEC: &str = "empty-spec";
/// `env-file-not-provided`: see [`explain`].
pub const ENV_FILE_NOT_PROVIDED: &str = "env-file-not-provided";
/// `gpu-indices-mismatch`: see [`explain`].
pub const GPU_INDICES_MISMATCH: &str = "gpu-indices-mismatch";
/// `gpu-no-driver-libraries`: see [`explain`].
pub const GPU_NO_DRIVER_LIBRARIES: &str = "gpu-no-driver-libraries";
/// `gpu-not-in-inventory`: see [`explain`].
pub const GPU_NOT_IN_INVENTORY: &str = "gpu-not-in-inventory";
/// `gpu-shared-node-missing`: see [`explain`].
pub const GPU_SHARED_NODE_MISSING: &str = "gpu-shared-node-missing";
/// `gpu-vendor-unsupported`: see [`explain`].
pub const GPU_VENDOR_UNSUPPORTED: &str = "gpu-vendor-unsupported";
/// `ignored-when-privileged`: see [`explain`].
pub const IGNORED_WHEN_PRIVILEGED: &str = "ignored-when-privileged";
/// `image-not-found`: see [`explain`].
pub const IMAGE_NOT_FOUND: &str = "image-not-found";
/// `image-platform-missing`: see [`explain`].
pub const IMAGE_PLATFORM_MISSING: &str = "image-platform-missing";
/// `init-not-injected`: see [`explain`].
pub const INIT_NOT_INJECTED: &str = "init-not-injected";
/// `internal`: see [`explain`].
pub const INTERNAL: &str = "internal";
/// `missing-field`: see [`explain`].
pub const MISSING_FIELD: &str = "missing-field";
/// `missing-host-env`: see [`explain`].
pub const MISSING_HOST_ENV: &str = "missing-host-env";
/// `missing-secret`: see [`explain`].
pub const MISSING_SECRET: &str = "missing-secret";
/// `multiple-documents`: see [`explain`].
pub const MULTIPLE_DOCUMENTS: &str = "multiple-documents";
/// `no-command`: see [`explain`].
pub const NO_COMMAND: &str = "no-command";
/// `no-primary-group`: see [`explain`].
pub const NO_PRIMARY_GROUP: &str = "no-primary-group";
/// `no-project-dir`: see [`explain`].
pub const NO_PROJECT_DIR: &str = "no-project-dir";
/// `no-services`: see [`explain`].
pub const NO_SERVICES: &str = "no-services";
/// `not-enough-gpus`: see [`explain`].
pub const NOT_ENOUGH_GPUS: &str = "not-enough-gpus";
/// `policy-apparmor`: see [`explain`].
pub const POLICY_APPARMOR: &str = "policy-apparmor";
/// `policy-capabilities`: see [`explain`].
pub const POLICY_CAPABILITIES: &str = "policy-capabilities";
/// `policy-host-namespaces`: see [`explain`].
pub const POLICY_HOST_NAMESPACES: &str = "policy-host-namespaces";
/// `policy-host-path`: see [`explain`].
pub const POLICY_HOST_PATH: &str = "policy-host-path";
/// `policy-privilege-escalation`: see [`explain`].
pub const POLICY_PRIVILEGE_ESCALATION: &str = "policy-privilege-escalation";
/// `policy-privileged`: see [`explain`].
pub const POLICY_PRIVILEGED: &str = "policy-privileged";
/// `policy-run-as-non-root`: see [`explain`].
pub const POLICY_RUN_AS_NON_ROOT: &str = "policy-run-as-non-root";
/// `policy-seccomp`: see [`explain`].
pub const POLICY_SECCOMP: &str = "policy-seccomp";
/// `policy-selinux`: see [`explain`].
pub const POLICY_SELINUX: &str = "policy-selinux";
/// `policy-sysctls`: see [`explain`].
pub const POLICY_SYSCTLS: &str = "policy-sysctls";
/// `policy-volume-types`: see [`explain`].
pub const POLICY_VOLUME_TYPES: &str = "policy-volume-types";
/// `privileged-without-inventory`: see [`explain`].
pub const PRIVILEGED_WITHOUT_INVENTORY: &str = "privileged-without-inventory";
/// `required-variable`: see [`explain`].
pub const REQUIRED_VARIABLE: &str = "required-variable";
/// `seccomp-host-assumed`: see [`explain`].
pub const SECCOMP_HOST_ASSUMED: &str = "seccomp-host-assumed";
/// `seccomp-profile-missing`: see [`explain`].
pub const SECCOMP_PROFILE_MISSING: &str = "seccomp-profile-missing";
/// `seccomp-unconfined`: see [`explain`].
pub const SECCOMP_UNCONFINED: &str = "seccomp-unconfined";
/// `selinux-not-enabled`: see [`explain`].
pub const SELINUX_NOT_ENABLED: &str = "selinux-not-enabled";
/// `service-required`: see [`explain`].
pub const SERVICE_REQUIRED: &str = "service-required";
/// `sysctl-host-network`: see [`explain`].
pub const SYSCTL_HOST_NETWORK: &str = "sysctl-host-network";
/// `sysctl-not-namespaced`: see [`explain`].
pub const SYSCTL_NOT_NAMESPACED: &str = "sysctl-not-namespaced";
/// `unknown-capability`: see [`explain`].
pub const UNKNOWN_CAPABILITY: &str = "unknown-capability";
/// `unknown-cdi-device`: see [`explain`].
pub const UNKNOWN_CDI_DEVICE: &str = "unknown-cdi-device";
/// `unknown-field`: see [`explain`].
pub const UNKNOWN_FIELD: &str = "unknown-field";
/// `unknown-group`: see [`explain`].
pub const UNKNOWN_GROUP: &str = "unknown-group";
/// `unknown-service`: see [`explain`].
pub const UNKNOWN_SERVICE: &str = "unknown-service";
/// `unknown-ulimit`: see [`explain`].
pub const UNKNOWN_ULIMIT: &str = "unknown-ulimit";
/// `unknown-user`: see [`explain`].
pub const UNKNOWN_USER: &str = "unknown-user";
/// `unset-variable`: see [`explain`].
pub const UNSET_VARIABLE: &str = "unset-variable";
/// `unsupported-compose-key`: see [`explain`].
pub const UNSUPPORTED_COMPOSE_KEY: &str = "unsupported-compose-key";
/// `unsupported-media-type`: see [`explain`].
pub const UNSUPPORTED_MEDIA_TYPE: &str = "unsupported-media-type";
/// `unsupported-security-opt`: see [`explain`].
pub const UNSUPPORTED_SECURITY_OPT: &str = "unsupported-security-opt";
/// `unsupported-tag`: see [`explain`].
pub const UNSUPPORTED_TAG: &str = "unsupported-tag";
/// `unsupported-version`: see [`explain`].
pub const UNSUPPORTED_VERSION: &str = "unsupported-version";
/// `volume-not-provided`: see [`explain`].
pub const VOLUME_NOT_PROVIDED: &str = "volume-not-provided";
/// `wrong-type`: see [`explain`].
pub const WRONG_TYPE: &str = "wrong-type";
/// `yaml-syntax`: see [`explain`].
pub const YAML_SYNTAX: &str = "yaml-syntax";
/// `yaml-too-deep`: see [`explain`].
pub const YAML_TOO_DEEP: &str = "yaml-too-deep";

/// The paragraph explaining a code, or `None` for a code the core does not emit.
pub fn explain(code: &str) -> Option<&'static str> {
    TABLES.iter().find_map(|table| {
        table
            .binary_search_by(|entry| entry.code.cmp(code))
            .ok()
            .and_then(|at| table.get(at))
            .map(|entry| entry.explanation)
    })
}

/// Every code the core emits, sorted.
pub fn codes() -> impl Iterator<Item = &'static str> {
    TABLES
        .iter()
        .flat_map(|table| table.iter())
        .map(|entry| entry.code)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_sorted_unique_and_kebab_case() {
        let all: Vec<&str> = codes().collect();
        assert!(all.windows(2).all(|pair| pair[0] < pair[1]), "{all:?}");
        for code in all {
            assert!(
                code.bytes().all(|b| b.is_ascii_lowercase() || b == b'-'),
                "{code}"
            );
            assert!(explain(code).is_some_and(|text| !text.is_empty()), "{code}");
        }
    }

    #[test]
    fn explains_known_codes_only() {
        assert!(explain(BAD_MEMORY).is_some_and(|text| text.contains("512Mi")));
        assert_eq!(explain("no-such-code"), None);
        assert_eq!(explain(""), None);
    }
}
