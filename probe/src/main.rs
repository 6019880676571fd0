//! `bundlec`: parses the command line, runs the subcommand it names (see `commands`) and maps
//! the outcome to an exit status: 0 ok, 1 invalid input, 2 usage. Every failure is a diagnostic
//! with a stable code: under `--diagnostics json` stderr holds exactly one
//! `{"diagnostics":[...]}` document, whatever happened.

use std::ffi::OsString;
use std::process::ExitCode;

use bundlec::cli::Cli;
use bundlec::failure::Failure;
use bundlec::report::{self, Reporter};
use bundlec::{commands, output, render};
use clap::error::ErrorKind;
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
    let code = match commands::run(cli.command, &mut reporter) {
        Ok(()) => ExitCode::SUCCESS,
        Err(Failure::Reported) => ExitCode::from(INVALID),
        Err(Failure::Invalid(diagnostic)) => {
            reporter.plain(*diagnostic);
            ExitCode::from(INVALID)
        }
        Err(Failure::Usage(diagnostic)) => {
            reporter.plain(*diagnostic);
            ExitCode::from(USAGE)
        }
    };
    reporter.finish();
    code
}

/// Whether the arguments ask for JSON diagnostics, read without clap (which just failed).
fn wants_json(args: &[OsString]) -> bool {
    args.iter().enumerate().any(|(at, arg)| {
        arg == "--diagnostics=json"
            || (arg == "--diagnostics" && args.get(at + 1).is_some_and(|next| next == "json"))
    })
}

/// Help and version as clap prints them (exit 0); a usage error as clap prints it, or as one
/// JSON document (exit 2).
fn usage_error(error: &clap::Error, json: bool) -> ExitCode {
    let informational = matches!(
        error.kind(),
        ErrorKind::DisplayHelp | ErrorKind::DisplayVersion
    );
    if !json || informational {
        let _ = error.print();
        return ExitCode::from(u8::try_from(error.exit_code()).unwrap_or(USAGE));
    }
    report::stderr(&render::json(&[report::usage_diagnostic(error)]));
    ExitCode::from(USAGE)
}
