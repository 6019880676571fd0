//! The command line: subcommands and their arguments (clap derive).
//! Parsing only; `main.rs` runs the commands.

use std::path::PathBuf;

use bundlec_core::{Options, PolicyLevel, PolicyMode};
use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::image::{ImageRef, DEFAULT_MAX_IMAGE_BYTES, DEFAULT_MAX_LAYER_RATIO};
use crate::input::DEFAULT_MAX_INPUT_BYTES;

/// Compiles ZLayer v1 deployment specs into OCI runtime bundles, and probes hosts for devices.
#[derive(Debug, Parser)]
#[command(name = "bundlec", version, about, propagate_version = true)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
    /// How diagnostics and failures are written on stderr
    #[arg(long, global = true, value_enum, default_value_t = DiagnosticsFormat::Human)]
    pub diagnostics: DiagnosticsFormat,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Compile a spec into the OCI config.json, printed on stdout
    Compile(CompileArgs),
    /// Compile a spec and write an OCI bundle that `runc run -b` starts
    Apply(ApplyArgs),
    /// Scan a host's /dev, /proc and /sys and print its inventory
    Probe(ProbeArgs),
    /// Print a JSON Schema bundlec publishes (inventory, options, spec)
    Schema(SchemaArgs),
    /// Explain a diagnostic code (`bundlec explain bad-memory`), or list every code
    Explain(ExplainArgs),
    /// Check every service against a Pod Security Standards level; exit 1 on any violation
    ///
    /// Takes the inputs of `compile`. Secrets, host variables and volume paths may be left
    /// out: no control reads them, so placeholders stand in for them. Stdout says, per service,
    /// whether it passes; the violations are reported like compile errors.
    Check(CheckArgs),
    /// Container Device Interface specs for this host's GPUs
    #[command(subcommand)]
    Cdi(CdiCommand),
}

#[derive(Debug, Subcommand)]
pub enum CdiCommand {
    /// Write CDI specs for the GPUs this host has, as nvidia-ctk and the vendors' tools do
    Generate(CdiGenerateArgs),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum GpuVendorArg {
    Nvidia,
    Amd,
    Intel,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum CdiFormat {
    Yaml,
    Json,
}

#[derive(Debug, Args)]
pub struct CdiGenerateArgs {
    /// Probe the tree under DIR instead of / (host paths in the spec include DIR)
    #[arg(long, value_name = "DIR", default_value = "/")]
    pub root: PathBuf,
    /// Only this vendor's GPUs (default: every vendor found)
    #[arg(long, value_enum)]
    pub vendor: Option<GpuVendorArg>,
    /// Write DIR/<vendor>.yaml (or .json) instead of printing; DIR is usually /etc/cdi
    #[arg(short, long, value_name = "DIR")]
    pub output: Option<PathBuf>,
    /// The format of the specs
    #[arg(long, value_enum, default_value_t = CdiFormat::Yaml)]
    pub format: CdiFormat,
    /// Replace a spec of the same name in the output directory
    #[arg(long, requires = "output")]
    pub force: bool,
}

/// Inputs shared by `compile` and `apply`.
#[derive(Debug, Clone, Args)]
pub struct CompileOptions {
    /// The service to compile; needed when the deployment has several
    #[arg(long, value_name = "S")]
    pub service: Option<String>,
    /// The replica, numbered from 1
    #[arg(long, value_name = "N")]
    pub replica: Option<u32>,
    /// The host inventory, as `bundlec probe` prints it
    #[arg(long, value_name = "FILE", conflicts_with = "probe")]
    pub inventory: Option<PathBuf>,
    /// Probe this host (/) for the inventory instead of reading one
    #[arg(long)]
    pub probe: bool,
    /// The OCI image config (the whole document or its `config` object)
    #[arg(long, value_name = "FILE", conflicts_with = "image")]
    pub image_config: Option<PathBuf>,
    /// The image, as an OCI layout: `oci:DIR[:TAG|@DIGEST]` or `oci-archive:FILE[:TAG|@DIGEST]`;
    /// its config is used as --image-config is, and `apply` unpacks its layers into BUNDLE/rootfs
    #[arg(long, value_name = "REF", value_parser = ImageRef::parse)]
    pub image: Option<ImageRef>,
    /// With --image: a layer may expand to N times its compressed size (past its first 64 MiB)
    #[arg(long, value_name = "N", default_value_t = DEFAULT_MAX_LAYER_RATIO)]
    pub max_layer_ratio: u64,
    /// With --image: the most bytes all layers may expand to together
    #[arg(long, value_name = "N", default_value_t = DEFAULT_MAX_IMAGE_BYTES)]
    pub max_image_bytes: u64,
    /// Share the host's network namespace
    #[arg(long)]
    pub host_network: bool,
    /// Override the container hostname
    #[arg(long, value_name = "H")]
    pub hostname: Option<String>,
    /// Extra environment variable, applied last (repeatable)
    #[arg(long = "env", value_name = "K=V", value_parser = key_value)]
    pub env: Vec<(String, String)>,
    /// Value of a `$S:NAME` secret; `NAME=@FILE` reads it from FILE, less one final newline (repeatable)
    #[arg(long = "secret", value_name = "NAME=VALUE|NAME=@FILE", value_parser = key_value)]
    pub secrets: Vec<(String, String)>,
    /// Host path of a volume: named volumes by name, anonymous ones by target, S3 ones by bucket (repeatable)
    #[arg(long = "volume", value_name = "NAME=PATH", value_parser = key_value)]
    pub volumes: Vec<(String, String)>,
    /// Inventory index of a GPU this replica gets (repeatable); default the first of the vendor
    #[arg(long = "gpu", value_name = "INDEX")]
    pub gpus: Vec<u32>,
    /// A variable of this environment that `$E:NAME` may read; `PREFIX*` allows every name
    /// starting with PREFIX (repeatable). No other variable is visible to the spec
    #[arg(long = "host-env", value_name = "NAME|PREFIX*", value_parser = env_pattern)]
    pub host_env: Vec<EnvPattern>,
    /// The largest spec, inventory, image config or secret file read, in bytes
    #[arg(long, value_name = "N", default_value_t = DEFAULT_MAX_INPUT_BYTES)]
    pub max_input_bytes: u64,
}

/// A `--host-env` name: exact, or a prefix when it ends in `*`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EnvPattern {
    Exact(String),
    Prefix(String),
}

impl EnvPattern {
    pub fn matches(&self, name: &str) -> bool {
        match self {
            EnvPattern::Exact(exact) => name == exact,
            EnvPattern::Prefix(prefix) => name.starts_with(prefix.as_str()),
        }
    }
}

/// `NAME` or `PREFIX*`: not empty, no `=`, and `*` only at the end.
fn env_pattern(text: &str) -> Result<EnvPattern, String> {
    let (name, prefix) = match text.strip_suffix('*') {
        Some(prefix) => (prefix, true),
        None => (text, false),
    };
    if text.is_empty() || name.contains(['=', '*']) {
        return Err(format!(
            "`{text}` is not a variable name or a PREFIX* pattern"
        ));
    }
    Ok(if prefix {
        EnvPattern::Prefix(name.to_string())
    } else {
        EnvPattern::Exact(name.to_string())
    })
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum DiagnosticsFormat {
    /// rustc-like messages with the YAML line and a caret
    Human,
    /// one `{"diagnostics":[...]}` document
    Json,
}

/// A level of the Kubernetes Pod Security Standards.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum PolicyLevelArg {
    /// no checks
    Privileged,
    /// no host namespaces, host paths, devices or privileged mode; safe capabilities and sysctls; confined LSMs
    Baseline,
    /// baseline, plus: only NET_BIND_SERVICE, no-new-privileges, a non-root uid, a seccomp filter
    Restricted,
}

impl From<PolicyLevelArg> for PolicyLevel {
    fn from(level: PolicyLevelArg) -> PolicyLevel {
        match level {
            PolicyLevelArg::Privileged => PolicyLevel::Privileged,
            PolicyLevelArg::Baseline => PolicyLevel::Baseline,
            PolicyLevelArg::Restricted => PolicyLevel::Restricted,
        }
    }
}

/// What a policy violation does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum PolicyModeArg {
    /// a violation is an error: no config
    Enforce,
    /// a violation is a warning beside the config
    Warn,
}

/// The policy flags of `compile` and `apply`.
#[derive(Debug, Clone, Args)]
pub struct PolicyArgs {
    /// The Pod Security Standards level the service must meet
    #[arg(long, value_enum, value_name = "LEVEL", default_value_t = PolicyLevelArg::Privileged)]
    pub policy: PolicyLevelArg,
    /// Whether a violation stops the compile or is only reported
    #[arg(long, value_enum, value_name = "MODE", default_value_t = PolicyModeArg::Enforce)]
    pub policy_mode: PolicyModeArg,
}

impl PolicyArgs {
    /// Sets `options.policy` and `options.policyMode`.
    pub fn apply_to(&self, options: &mut Options) {
        options.policy = self.policy.into();
        options.policy_mode = match self.policy_mode {
            PolicyModeArg::Enforce => PolicyMode::Enforce,
            PolicyModeArg::Warn => PolicyMode::Warn,
        };
    }
}

#[derive(Debug, Args)]
pub struct CompileArgs {
    /// The deployment spec (YAML or JSON), or `-` for stdin
    #[arg(value_name = "SPEC")]
    pub spec: String,
    #[command(flatten)]
    pub options: CompileOptions,
    #[command(flatten)]
    pub policy: PolicyArgs,
    /// Read user and group names from DIR/etc/passwd and DIR/etc/group
    #[arg(long, value_name = "DIR")]
    pub rootfs: Option<PathBuf>,
    /// Write config.json to FILE instead of stdout
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct ApplyArgs {
    /// The deployment spec (YAML or JSON), or `-` for stdin
    #[arg(value_name = "SPEC")]
    pub spec: String,
    /// The container's root filesystem; the bundle links to it (not with --image)
    #[arg(
        long,
        value_name = "DIR",
        required_unless_present = "image",
        conflicts_with = "image"
    )]
    pub rootfs: Option<PathBuf>,
    /// The bundle directory to write
    #[arg(long, value_name = "DIR")]
    pub bundle: PathBuf,
    #[command(flatten)]
    pub options: CompileOptions,
    #[command(flatten)]
    pub policy: PolicyArgs,
    /// Where named and anonymous volumes live: STATE_DIR/<deployment>/<volume>
    #[arg(long, value_name = "DIR", default_value = "/var/lib/bundlec/volumes")]
    pub state_dir: PathBuf,
    /// Replace an existing bundle
    #[arg(long)]
    pub force: bool,
}

/// `check`: the compile's inputs, every service (or `--service`), violations as errors. Secrets,
/// host variables and volume paths the spec needs may be left out: no control reads them.
#[derive(Debug, Args)]
pub struct CheckArgs {
    /// The deployment spec (YAML or JSON), or `-` for stdin
    #[arg(value_name = "SPEC")]
    pub spec: String,
    /// The Pod Security Standards level every service must meet
    #[arg(long, value_enum, value_name = "LEVEL", default_value_t = PolicyLevelArg::Restricted)]
    pub policy: PolicyLevelArg,
    #[command(flatten)]
    pub options: CompileOptions,
    /// Read user and group names from DIR/etc/passwd and DIR/etc/group
    #[arg(long, value_name = "DIR")]
    pub rootfs: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct ProbeArgs {
    /// Probe the tree under DIR instead of / (arch always comes from this host's uname)
    #[arg(long, value_name = "DIR", default_value = "/")]
    pub root: PathBuf,
    /// Write the inventory to FILE instead of stdout
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct SchemaArgs {
    /// The schema: `inventory`, `options` or `spec`
    #[arg(value_name = "NAME")]
    pub name: String,
}

#[derive(Debug, Args)]
pub struct ExplainArgs {
    /// The code, as a diagnostic shows it (`error[bad-memory]`, `"code":"bad-memory"`)
    #[arg(value_name = "CODE", required_unless_present = "list")]
    pub code: Option<String>,
    /// Print every code, one a line, instead
    #[arg(long, conflicts_with = "code")]
    pub list: bool,
}

/// `KEY=VALUE`, split at the first `=`; the key must not be empty.
fn key_value(text: &str) -> Result<(String, String), String> {
    match text.split_once('=') {
        Some((key, value)) if !key.is_empty() => Ok((key.to_string(), value.to_string())),
        _ => Err(format!("`{text}` is not KEY=VALUE")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn cli_is_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn the_schema_names_in_the_help_are_the_cores() {
        let mut command = Cli::command();
        let schema = command.find_subcommand_mut("schema").unwrap();
        let about = schema.get_about().unwrap().to_string();
        let listed = about
            .split_once('(')
            .and_then(|(_, names)| names.strip_suffix(')'))
            .unwrap();
        let names: Vec<&str> = listed.split(", ").collect();
        assert_eq!(names, ["inventory", "options", "spec"]);
        let help = schema.render_long_help().to_string();
        for name in names {
            assert!(bundlec_core::schema(name).is_some(), "{name}");
            assert!(help.contains(&format!("`{name}`")), "{name}: {help}");
        }
    }

    #[test]
    fn key_value_splits_at_first_equals() {
        assert_eq!(key_value("A=b=c"), Ok(("A".into(), "b=c".into())));
        assert_eq!(key_value("A="), Ok(("A".into(), String::new())));
        assert!(key_value("=x").is_err());
        assert!(key_value("novalue").is_err());
    }

    #[test]
    fn host_env_patterns() {
        let exact = env_pattern("HOME").unwrap();
        assert!(exact.matches("HOME") && !exact.matches("HOMEDIR"));
        let prefix = env_pattern("AWS_*").unwrap();
        assert!(prefix.matches("AWS_REGION") && prefix.matches("AWS_"));
        assert!(!prefix.matches("XAWS_REGION"));
        assert!(env_pattern("*").unwrap().matches("ANY"));
        for bad in ["", "A*B", "A=B", "**"] {
            assert!(env_pattern(bad).is_err(), "{bad}");
        }
    }
}
