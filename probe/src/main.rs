//! `bundlec`: runs the subcommands the command line names and maps outcomes to exit codes
//! (0 ok, 1 invalid input, 2 usage).

use std::collections::BTreeMap;
use std::io::Write;
use std::path::Path;
use std::process::ExitCode;

use anyhow::{Context, Result};
use bundlec::cli::{
    ApplyArgs, Cli, Command, CompileArgs, CompileOptions, DiagnosticsFormat, ProbeArgs, SchemaArgs,
};
use bundlec::render::{self, Source};
use bundlec::request::{self, SpecSource};
use bundlec::{apply, probe, volumes};
use bundlec_core::{Compiled, Diagnostic, Request};
use clap::Parser;

const INVALID: u8 = 1;
const USAGE: u8 = 2;

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli) {
        Ok(code) => code,
        Err(error) => {
            eprintln!("error: {error:#}");
            ExitCode::from(INVALID)
        }
    }
}

fn run(cli: Cli) -> Result<ExitCode> {
    match cli.command {
        Command::Compile(args) => compile(args),
        Command::Apply(args) => apply(args),
        Command::Probe(args) => probe(args),
        Command::Schema(args) => Ok(schema(&args)),
    }
}

fn compile(args: CompileArgs) -> Result<ExitCode> {
    let spec = request::read_spec(&args.spec)?;
    let Some(request) = build_request(&spec, &args.options, args.rootfs.as_deref())? else {
        return Ok(ExitCode::from(INVALID));
    };
    let Some(compiled) = run_compile(&spec, &request, args.options.diagnostics) else {
        return Ok(ExitCode::from(INVALID));
    };
    write_output(args.output.as_deref(), &compiled.json)?;
    Ok(ExitCode::SUCCESS)
}

fn apply(args: ApplyArgs) -> Result<ExitCode> {
    let spec = request::read_spec(&args.spec)?;
    // Refuse an existing bundle before anything is compiled or created.
    apply::check_target(&args.bundle, args.force)?;
    let rootfs = apply::resolve_rootfs(&args.rootfs)?;
    let Some(mut request) = build_request(&spec, &args.options, Some(Path::new(&rootfs)))? else {
        return Ok(ExitCode::from(INVALID));
    };
    request.options.rootfs = Some(rootfs.clone());
    let given: BTreeMap<String, String> = args.options.volumes.iter().cloned().collect();
    let planned = volumes::plan(
        &spec.text,
        args.options.service.as_deref(),
        args.options.replica.unwrap_or(1),
        &args.state_dir,
        &given,
    )?;
    for volume in &planned {
        request.options.volumes.insert(
            volume.key.clone(),
            volume.path.to_string_lossy().into_owned(),
        );
    }
    let Some(compiled) = run_compile(&spec, &request, args.options.diagnostics) else {
        return Ok(ExitCode::from(INVALID));
    };
    let (uid, gid) = compiled.spec.process().as_ref().map_or((0, 0), |process| {
        (process.user().uid(), process.user().gid())
    });
    volumes::create(&planned, uid, gid)?;
    let contents = apply::Contents {
        config_json: &compiled.json,
        files: &compiled.files,
    };
    let bundle = apply::write_bundle(&args.bundle, Path::new(&rootfs), contents, args.force)?;
    println!("{}", bundle.display());
    Ok(ExitCode::SUCCESS)
}

fn probe(args: ProbeArgs) -> Result<ExitCode> {
    let inventory = probe::probe(&args.root)?;
    for warning in &inventory.warnings {
        eprintln!("warning: {warning}");
    }
    write_output(args.output.as_deref(), &inventory.to_json())?;
    Ok(ExitCode::SUCCESS)
}

fn schema(args: &SchemaArgs) -> ExitCode {
    match bundlec_core::schema(&args.name) {
        Some(schema) => {
            print!("{schema}");
            if !schema.ends_with('\n') {
                println!();
            }
            ExitCode::SUCCESS
        }
        None => {
            eprintln!("error: bundlec has no schema named `{}`\n  = hint: see `bundlec schema --help` for the names", args.name);
            ExitCode::from(USAGE)
        }
    }
}

/// The request, or `None` once the diagnostics of its inputs have been reported.
fn build_request(
    spec: &SpecSource,
    options: &CompileOptions,
    rootfs: Option<&Path>,
) -> Result<Option<Request>> {
    let mut probe_warnings = Vec::new();
    let built = request::build(spec, options, rootfs, &mut probe_warnings)?;
    for warning in probe_warnings {
        eprintln!("warning: probe: {warning}");
    }
    match built {
        Ok(request) => Ok(Some(request)),
        Err(diagnostics) => {
            report(&diagnostics, spec, options.diagnostics);
            Ok(None)
        }
    }
}

/// Compiles and reports the diagnostics; `None` when the compile failed.
fn run_compile(
    spec: &SpecSource,
    request: &Request,
    format: DiagnosticsFormat,
) -> Option<Compiled> {
    match bundlec_core::compile(request) {
        Ok(compiled) => {
            report(&compiled.warnings, spec, format);
            Some(compiled)
        }
        Err(diagnostics) => {
            report(&diagnostics, spec, format);
            None
        }
    }
}

/// Diagnostics on stderr; the JSON form is written even when there are none.
fn report(diagnostics: &[Diagnostic], spec: &SpecSource, format: DiagnosticsFormat) {
    let text = match format {
        DiagnosticsFormat::Human if diagnostics.is_empty() => return,
        DiagnosticsFormat::Human => render::human(
            diagnostics,
            Source {
                name: &spec.name,
                text: &spec.text,
            },
        ),
        DiagnosticsFormat::Json => render::json(diagnostics),
    };
    let _ = std::io::stderr().write_all(text.as_bytes());
}

/// Stdout; or FILE written beside itself and renamed into place; or, when FILE exists and is
/// not a regular file (`/dev/null`, a FIFO, `/dev/stdout`), written into directly: a rename
/// would replace the device or pipe with a file.
fn write_output(path: Option<&Path>, text: &str) -> Result<()> {
    let Some(path) = path else {
        let mut stdout = std::io::stdout().lock();
        return stdout
            .write_all(text.as_bytes())
            .and_then(|()| stdout.flush())
            .context("cannot write to stdout");
    };
    let existing = std::fs::metadata(path).ok();
    if existing.is_some_and(|meta| !meta.is_file()) {
        return std::fs::OpenOptions::new()
            .write(true)
            .open(path)
            .and_then(|mut file| file.write_all(text.as_bytes()))
            .with_context(|| format!("cannot write `{}`", path.display()));
    }
    let name = path
        .file_name()
        .with_context(|| format!("`{}` is not a file path", path.display()))?;
    let temp = path.with_file_name(format!(
        ".{}.tmp-{}",
        name.to_string_lossy(),
        std::process::id()
    ));
    let written = std::fs::write(&temp, text).and_then(|()| std::fs::rename(&temp, path));
    if written.is_err() {
        let _ = std::fs::remove_file(&temp);
    }
    written.with_context(|| format!("cannot write `{}`", path.display()))
}
