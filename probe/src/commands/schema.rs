//! `bundlec schema NAME`: a JSON Schema the core publishes, on stdout.

use bundlec_core::Diagnostic;

use crate::cli::SchemaArgs;
use crate::failure::Failure;
use crate::{codes, output};

pub fn run(args: &SchemaArgs) -> Result<(), Failure> {
    let Some(schema) = bundlec_core::schema(&args.name) else {
        let unknown = Diagnostic::error(
            codes::UNKNOWN_SCHEMA,
            args.name.clone(),
            format!("bundlec has no schema named `{}`", args.name),
        )
        .with_hint("see `bundlec schema --help` for the names");
        return Err(Failure::Usage(Box::new(unknown)));
    };
    let mut text = schema.to_string();
    if !text.ends_with('\n') {
        text.push('\n');
    }
    output::stdout(&text)?;
    Ok(())
}
