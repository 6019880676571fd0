//! `bundlec`: runs the subcommands the command line names and maps outcomes to exit codes
//! (0 ok, 1 invalid input, 2 usage). Every failure is a diagnostic with a stable code: under
//! `--diagnostics json` stderr holds exactly one `{"diagnostics":[...]}` document, whatever
//! happened.

use std::collections::BTreeMap;
use std::ffi::OsString;
use std::io::Write;
use std::path::Path;
use std::process::ExitCode;

use bundlec::cli::{
    ApplyArgs, Cli, Command, CompileArgs, CompileOptions, DiagnosticsFormat, ProbeArgs, SchemaArgs,
};
use bundlec::failure::{self, Coded};
use bundlec::render::{self, Source};
use bundlec::request::{self, SpecSource};
use bundlec::{apply, output, probe, volumes};
use bundlec_core::{Compiled, Diagnostic, Request, Severity};
use clap::Parser;

const INVALID: u8 = 1;
const USAGE: u8 = 2;

/// Runs before std's runtime, which reopens a closed stdout on /dev/null (see `output`).
extern "C" fn note_stdout_state() {
    output::note_stdout_state();
}

#[used]
#[link_section = ".init_array"]
static NOTE_STDOUT_STATE: extern "C" fn() = note_stdout_state;

fn main() -> ExitCode {
    let args: Vec<OsString> = std::env::args_os().collect();
    let cli = match Cli::try_parse_from(&args) {
        Ok(cli) => cli,
        Err(error) => return usage_error(&error, wants_json(&args)),
    };
    let mut reporter = Reporter::new(cli.diagnostics);
    let code = match run(cli.command, &mut reporter) {
        Ok(code) => code,
        Err(failure) => {
            reporter.plain(*failure.diagnostic);
            ExitCode::from(failure.exit)
        }
    };
    reporter.finish();
    code
}

/// A failure of a command: its diagnostic, and the exit code.
struct Failure {
    diagnostic: Box<Diagnostic>,
    exit: u8,
}

impl<E: Coded> From<E> for Failure {
    fn from(error: E) -> Failure {
        Failure {
            diagnostic: Box::new(failure::diagnostic(&error)),
            exit: INVALID,
        }
    }
}

/// Diagnostics on stderr: written as they come in human form, gathered into one document in JSON.
struct Reporter {
    format: DiagnosticsFormat,
    gathered: Vec<Diagnostic>,
}

impl Reporter {
    fn new(format: DiagnosticsFormat) -> Reporter {
        Reporter {
            format,
            gathered: Vec::new(),
        }
    }

    /// Diagnostics of the spec, shown with its lines.
    fn spec(&mut self, diagnostics: &[Diagnostic], spec: &SpecSource) {
        match self.format {
            DiagnosticsFormat::Human if diagnostics.is_empty() => {}
            DiagnosticsFormat::Human => stderr(&render::human(
                diagnostics,
                Source {
                    name: &spec.name,
                    text: &spec.text,
                },
            )),
            DiagnosticsFormat::Json => self.gathered.extend_from_slice(diagnostics),
        }
    }

    /// A diagnostic of the command line: `error: message` and its hint in human form.
    fn plain(&mut self, diagnostic: Diagnostic) {
        match self.format {
            DiagnosticsFormat::Human => {
                let severity = match diagnostic.severity {
                    Severity::Error => "error",
                    Severity::Warning => "warning",
                };
                let mut text = format!(
                    "{severity}: {}\n",
                    render::escape_controls(&diagnostic.message)
                );
                if let Some(hint) = &diagnostic.hint {
                    text.push_str(&format!("  = hint: {}\n", render::escape_controls(hint)));
                }
                stderr(&text);
            }
            DiagnosticsFormat::Json => self.gathered.push(diagnostic),
        }
    }

    fn warning(&mut self, code: &str, message: String) {
        self.plain(Diagnostic {
            severity: Severity::Warning,
            code: code.to_string(),
            message,
            path: String::new(),
            line: None,
            column: None,
            hint: None,
        });
    }

    /// The JSON document, written even when there is nothing in it.
    fn finish(self) {
        if self.format == DiagnosticsFormat::Json {
            stderr(&render::json(&self.gathered));
        }
    }
}

fn stderr(text: &str) {
    let _ = std::io::stderr().write_all(text.as_bytes());
}

/// Whether the arguments ask for JSON diagnostics, read without clap (which just failed).
fn wants_json(args: &[OsString]) -> bool {
    args.iter().enumerate().any(|(at, arg)| {
        arg == "--diagnostics=json"
            || (arg == "--diagnostics" && args.get(at + 1).is_some_and(|next| next == "json"))
    })
}

/// Help and version as clap prints them; a usage error as clap prints it, or as one JSON
/// document (code `usage`, the offending argument as its path).
fn usage_error(error: &clap::Error, json: bool) -> ExitCode {
    use clap::error::{ContextKind, ErrorKind};
    let informational = matches!(
        error.kind(),
        ErrorKind::DisplayHelp | ErrorKind::DisplayVersion
    );
    if !json || informational {
        let _ = error.print();
        return ExitCode::from(u8::try_from(error.exit_code()).unwrap_or(USAGE));
    }
    let rendered = error.render().to_string();
    let mut lines = rendered.lines().peekable();
    let first = lines.next().unwrap_or_default();
    let mut message = first.strip_prefix("error: ").unwrap_or(first).to_string();
    // `the following required arguments were not provided:` lists them on indented lines.
    while let Some(more) = lines.next_if(|line| line.starts_with("  ") && !line.contains("tip:")) {
        message.push(' ');
        message.push_str(more.trim());
    }
    let tips: Vec<&str> = lines
        .filter_map(|line| line.trim().strip_prefix("tip: "))
        .collect();
    let hint = if tips.is_empty() {
        "run `bundlec help` for the usage".to_string()
    } else {
        tips.join("; ")
    };
    let path = error
        .get(ContextKind::InvalidArg)
        .map(ToString::to_string)
        .unwrap_or_default();
    let diagnostic = Diagnostic {
        severity: Severity::Error,
        code: "usage".to_string(),
        message,
        path,
        line: None,
        column: None,
        hint: Some(hint),
    };
    stderr(&render::json(&[diagnostic]));
    ExitCode::from(USAGE)
}

fn run(command: Command, reporter: &mut Reporter) -> Result<ExitCode, Failure> {
    match command {
        Command::Compile(args) => compile(args, reporter),
        Command::Apply(args) => apply(args, reporter),
        Command::Probe(args) => probe(&args, reporter),
        Command::Schema(args) => schema(&args),
    }
}

fn compile(args: CompileArgs, reporter: &mut Reporter) -> Result<ExitCode, Failure> {
    let spec = request::read_spec(&args.spec, args.options.max_input_bytes)?;
    let Some(request) = build_request(&spec, &args.options, args.rootfs.as_deref(), reporter)?
    else {
        return Ok(ExitCode::from(INVALID));
    };
    let Some(compiled) = run_compile(&spec, &request, reporter) else {
        return Ok(ExitCode::from(INVALID));
    };
    output::write(args.output.as_deref(), &compiled.json)?;
    Ok(ExitCode::SUCCESS)
}

fn apply(args: ApplyArgs, reporter: &mut Reporter) -> Result<ExitCode, Failure> {
    let spec = request::read_spec(&args.spec, args.options.max_input_bytes)?;
    // The bundle and rootfs are checked once, before anything is compiled or created.
    let target = apply::check(&args.bundle, &args.rootfs, args.force)?;
    let rootfs = Some(Path::new(&target.rootfs));
    let Some(mut request) = build_request(&spec, &args.options, rootfs, reporter)? else {
        return Ok(ExitCode::from(INVALID));
    };
    request.options.rootfs = Some(target.rootfs.clone());
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
    let Some(compiled) = run_compile(&spec, &request, reporter) else {
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
    let bundle = apply::write_bundle(&target, contents)?;
    output::stdout(&format!("{}\n", bundle.display()))?;
    Ok(ExitCode::SUCCESS)
}

fn probe(args: &ProbeArgs, reporter: &mut Reporter) -> Result<ExitCode, Failure> {
    let inventory = probe::probe(&args.root)?;
    for warning in &inventory.warnings {
        reporter.warning("probe-warning", warning.clone());
    }
    output::write(args.output.as_deref(), &inventory.to_json())?;
    Ok(ExitCode::SUCCESS)
}

fn schema(args: &SchemaArgs) -> Result<ExitCode, Failure> {
    let Some(schema) = bundlec_core::schema(&args.name) else {
        return Err(Failure {
            diagnostic: Box::new(Diagnostic {
                severity: Severity::Error,
                code: "unknown-schema".to_string(),
                message: format!("bundlec has no schema named `{}`", args.name),
                path: args.name.clone(),
                line: None,
                column: None,
                hint: Some("see `bundlec schema --help` for the names".to_string()),
            }),
            exit: USAGE,
        });
    };
    let mut text = schema.to_string();
    if !text.ends_with('\n') {
        text.push('\n');
    }
    output::stdout(&text)?;
    Ok(ExitCode::SUCCESS)
}

/// The request, or `None` once the diagnostics of its inputs have been reported.
fn build_request(
    spec: &SpecSource,
    options: &CompileOptions,
    rootfs: Option<&Path>,
    reporter: &mut Reporter,
) -> Result<Option<Request>, Failure> {
    let mut probe_warnings = Vec::new();
    let built = request::build(spec, options, rootfs, &mut probe_warnings)?;
    for warning in probe_warnings {
        reporter.warning("probe-warning", format!("probe: {warning}"));
    }
    match built {
        Ok(request) => Ok(Some(request)),
        Err(diagnostics) => {
            reporter.spec(&diagnostics, spec);
            Ok(None)
        }
    }
}

/// Compiles and reports the diagnostics; `None` when the compile failed.
fn run_compile(spec: &SpecSource, request: &Request, reporter: &mut Reporter) -> Option<Compiled> {
    match bundlec_core::compile(request) {
        Ok(compiled) => {
            reporter.spec(&compiled.warnings, spec);
            Some(compiled)
        }
        Err(diagnostics) => {
            reporter.spec(&diagnostics, spec);
            None
        }
    }
}
