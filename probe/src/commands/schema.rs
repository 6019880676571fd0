//! `bundlec schema NAME`: a JSON Schema the core publishes, on stdout.

use bundlec_core::Severity;

use crate::cli::SchemaArgs;
use crate::failure::{self, Failure};
use crate::{codes, output};

pub fn run(args: &SchemaArgs) -> Result<(), Failure> {
    let Some(schema) = bundlec_core::schema(&args.name) else {
        return Err(Failure::Usage(Box::new(failure::without_position(
            Severity::Error,
            codes::UNKNOWN_SCHEMA,
            args.name.clone(),
            format!("bundlec has no schema named `{}`", args.name),
            Some("see `bundlec schema --help` for the names".to_string()),
        ))));
    };
    let mut text = schema.to_string();
    if !text.ends_with('\n') {
        text.push('\n');
    }
    output::stdout(&text)?;
    Ok(())
}
