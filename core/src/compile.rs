//! The compile: picks the service and replica, runs each output section, and assembles
//! the OCI spec only when no section found an error.

use oci_spec::runtime::Spec;

use crate::codes;
use crate::config::{self, Config, Root};
use crate::context::Context;
use crate::diagnostic::{closest, Diagnostic, Diagnostics, Loc};
use crate::identity::Identity;
use crate::image::ImageConfig;
use crate::inventory::Inventory;
use crate::mounts::BundleFile;
use crate::names::{absolute_clean, normalize};
use crate::options::Options;
use crate::request::{RawRequest, Request};
use crate::seccomp::SeccompSection;
use crate::spec::{self, Deployment, Service};
use crate::{compose, devices, linux, mounts, policy, process, resources, seccomp, yaml};

/// A compiled bundle: its canonical JSON, the files `apply` writes beside it, warnings, the
/// config as data ([`Compiled::config`]) and the OCI spec on request ([`Compiled::spec`]).
#[derive(Debug, Clone)]
pub struct Compiled {
    /// Canonical `config.json`: `ociVersion` first, sets sorted, maps in key order, a final newline.
    pub json: String,
    /// Files the config binds from the bundle directory (`resolv.conf`, `hosts`).
    pub files: Vec<BundleFile>,
    /// Warnings found on the way, sorted by position.
    pub warnings: Vec<Diagnostic>,
    config: Config,
    seccomp: SeccompSection,
}

impl Compiled {
    /// The OCI runtime spec `json` is, as oci-spec's types, read back from it: the compile
    /// writes `json` straight from its own [`Config`], so the spec is made only for a caller
    /// who asks.
    pub fn spec(&self) -> Result<Spec, serde_json::Error> {
        serde_json::from_str(&self.json)
    }

    /// The config `json` was written from (without `linux.seccomp`, which is written from
    /// the resolved filter).
    pub fn config(&self) -> &Config {
        &self.config
    }

    /// The uid and gid the process runs as.
    pub fn user(&self) -> Option<(u32, u32)> {
        let user = &self.config.process.user;
        Some((user.uid, user.gid))
    }

    /// Writes `json` again from the config (for the benchmarks of the writer).
    #[doc(hidden)]
    pub fn write_json_again(&self) -> String {
        config::to_json(&self.config, &self.seccomp)
    }
}

/// Parses and compiles a raw request: what every binding calls.
pub fn compile_raw(raw: RawRequest<'_>) -> Result<Compiled, Vec<Diagnostic>> {
    match Request::from_raw(raw) {
        Ok(request) => compile(&request),
        Err(mut errors) => {
            // Report the spec's own faults alongside the bad options or inventory.
            let mut spec_diagnostics = Diagnostics::default();
            if let Some(read) = deployment(raw.spec, &Options::default(), &mut spec_diagnostics) {
                for service in read.services {
                    spec_diagnostics.extend(service.faults);
                }
            }
            errors.extend(spec_diagnostics.into_sorted());
            Err(errors)
        }
    }
}

/// Compiles a request into a config, or returns every error found.
pub fn compile(request: &Request) -> Result<Compiled, Vec<Diagnostic>> {
    let mut diags = Diagnostics::default();
    let Some(deployment) = deployment(&request.spec, &request.options, &mut diags) else {
        return Err(diags.into_sorted());
    };
    // The sections run even after a fault in the spec, so one compile reports every error;
    // a value that failed to read is left out of the model rather than guessed.
    let Some(service) = select_service(&deployment, request.service.as_deref(), &mut diags) else {
        return Err(diags.into_sorted());
    };
    diags.extend(service.faults.iter().cloned());
    compile_service(service, request, diags)
}

/// Reads a spec text: a Compose file (top-level `services`, no `deployment`) through the
/// Compose front end, anything else as a ZLayer spec. The one place that tells them apart.
pub(crate) fn deployment(
    text: &str,
    options: &Options,
    diags: &mut Diagnostics,
) -> Option<Deployment> {
    let root = match yaml::parse(text) {
        Ok(root) => root,
        Err(diagnostic) => {
            diags.push(diagnostic);
            return None;
        }
    };
    if compose::is_compose(&root) {
        compose::read(root, options, diags)
    } else {
        spec::read(&root, diags)
    }
}

/// One service's outcome in [`compile_all`]: its name and its config or errors.
pub type ServiceOutcome = (String, Result<Compiled, Vec<Diagnostic>>);

/// Compiles every service of the deployment, parsing the spec once; `request.service` is ignored.
/// Fails as a whole only when the spec itself has errors.
pub fn compile_all(request: &Request) -> Result<Vec<ServiceOutcome>, Vec<Diagnostic>> {
    let mut diags = Diagnostics::default();
    let deployment = deployment(&request.spec, &request.options, &mut diags);
    let Some(deployment) = deployment.filter(|_| !diags.has_errors()) else {
        return Err(diags.into_sorted());
    };
    let warnings = diags.into_sorted();
    Ok(deployment
        .services
        .iter()
        .map(|service| {
            let mut diags = Diagnostics::default();
            diags.extend(warnings.iter().cloned());
            diags.extend(service.faults.iter().cloned());
            (
                service.name.clone(),
                compile_service(service, request, diags),
            )
        })
        .collect())
}

fn compile_service(
    service: &Service,
    request: &Request,
    mut diags: Diagnostics,
) -> Result<Compiled, Vec<Diagnostic>> {
    let replica = request.replica.unwrap_or(1);
    check_replica(service, replica, &mut diags);
    let empty_inventory = Inventory::default();
    let empty_image = ImageConfig::default();
    let context = Context {
        service,
        replica,
        inventory: request.inventory.as_ref().unwrap_or(&empty_inventory),
        image: request.image_config.as_ref().unwrap_or(&empty_image),
        identity: Identity::new(
            request.options.passwd.as_deref(),
            request.options.group.as_deref(),
        ),
        options: &request.options,
    };
    match assemble(&context, &mut diags) {
        Some((config, seccomp, files)) if !diags.has_errors() => Ok(Compiled {
            json: config::to_json(&config, &seccomp),
            files,
            warnings: diags.into_sorted(),
            config,
            seccomp,
        }),
        _ => Err(diags.into_sorted()),
    }
}

/// Runs every section, so that all their errors are reported together.
fn assemble(
    ctx: &Context<'_>,
    diags: &mut Diagnostics,
) -> Option<(Config, SeccompSection, Vec<BundleFile>)> {
    let devices::DevicePlan {
        nodes,
        rules,
        env,
        cdi,
    } = devices::devices(ctx, diags);
    let capabilities = process::capabilities(ctx, diags);
    let (process, uid) = process::process(ctx, &env, &capabilities, diags);
    let seccomp = seccomp::seccomp(ctx, &capabilities, diags);
    // On the values the sections computed, so the policy judges the config as it will be.
    let facts = policy::Facts {
        capabilities: &capabilities,
        uid,
        no_new_privileges: process.no_new_privileges,
        seccomp: !matches!(seccomp, SeccompSection::None),
    };
    policy::check(ctx, &facts, diags);
    let (mounts, files) = mounts::mounts(ctx, diags);
    let resources = resources::resources(ctx, rules, diags);
    let linux = linux::linux(ctx, nodes, resources, diags);
    let hostname = linux::hostname(ctx, diags);
    let root_path = ctx.options.rootfs.as_deref().unwrap_or("rootfs");
    if ctx.options.rootfs.is_some() && !absolute_clean(root_path) {
        diags.error(
            codes::BAD_PATH,
            &Loc::at("options.rootfs"),
            format!("the rootfs `{root_path}` must be an absolute path without `..`"),
        );
    } else if ctx.options.rootfs.is_some() && normalize(root_path) == "/" {
        // Legal (runc runs it), but the container then writes the host's own files.
        diags.warning_hint(codes::DANGEROUS_BIND, &Loc::at("options.rootfs"), "the rootfs `/` is the host's own filesystem: the container can change every file of the host", "give the image's root filesystem, not the host's `/`");
    }
    if diags.has_errors() {
        return None;
    }
    let mut config = Config {
        root: Root {
            path: root_path.to_string(),
            readonly: ctx.service.read_only_root_fs,
        },
        mounts,
        process,
        hostname,
        domainname: ctx
            .service
            .domainname
            .as_ref()
            .map(|name| name.value.clone()),
        hooks: Vec::new(),
        annotations: ctx.service.labels.clone(),
        linux,
    };
    devices::finish(&mut config, cdi);
    Some((config, seccomp, files))
}

fn select_service<'a>(
    deployment: &'a Deployment,
    wanted: Option<&str>,
    diags: &mut Diagnostics,
) -> Option<&'a Service> {
    let names = || deployment.services.iter().map(|s| s.name.as_str());
    match wanted {
        Some(name) => {
            let found = deployment.services.iter().find(|s| s.name == name);
            if found.is_none() {
                let mut error = Diagnostic::error_at(
                    codes::UNKNOWN_SERVICE,
                    &Loc::at("service"),
                    format!("the deployment has no service `{name}`"),
                );
                error = match closest(name, names()) {
                    Some(near) => error.with_hint(format!("did you mean `{near}`?")),
                    None => error.with_hint(format!(
                        "services: {}",
                        names().collect::<Vec<_>>().join(", ")
                    )),
                };
                diags.push(error);
            }
            found
        }
        None => match deployment.services.as_slice() {
            [only] => Some(only),
            [] => None,
            _ => {
                diags.error_hint(
                    codes::SERVICE_REQUIRED,
                    &Loc::at("service"),
                    "the deployment has several services; name one",
                    format!("services: {}", names().collect::<Vec<_>>().join(", ")),
                );
                None
            }
        },
    }
}

fn check_replica(service: &Service, replica: u32, diags: &mut Diagnostics) {
    let at = Loc::at("replica");
    if replica == 0 {
        diags.error_hint(
            codes::BAD_REPLICA,
            &at,
            "replicas are numbered from 1",
            "use --replica 1 for the first",
        );
    } else if let Some(replicas) = service.fixed_replicas().filter(|&n| replica > n) {
        diags.error(
            codes::BAD_REPLICA,
            &at,
            format!(
                "replica {replica} is beyond the {replicas} of service `{}`",
                service.name
            ),
        );
    }
}
