//! The command the container runs (argv) and its working directory.

use crate::codes;
use crate::context::Context;
use crate::diagnostic::{Diagnostics, Loc, Located};

/// Override; spec entrypoint + args; image Entrypoint in front of spec args; image Entrypoint + Cmd.
pub(super) fn args(ctx: &Context<'_>, diags: &mut Diagnostics) -> Vec<String> {
    let service = ctx.service;
    let image_entrypoint = ctx.image.entrypoint.as_deref().unwrap_or_default();
    let image_cmd = ctx.image.cmd.as_deref().unwrap_or_default();
    let from_image = |list: &[String], field: &str| -> Option<Loc> {
        (!list.is_empty()).then(|| Loc::at(format!("imageConfig.{field}[0]")))
    };
    // The argv, and where its first word was written (the list that supplies it).
    let (argv, first_at): (Vec<String>, Option<Loc>) = if let Some(args) = &ctx.options.args {
        (args.clone(), Some(Loc::at("options.args[0]")))
    } else {
        match (&service.entrypoint, &service.args) {
            (Some(entrypoint), Some(args)) => (
                words(entrypoint).chain(words(args)).collect(),
                first_at(entrypoint).or_else(|| first_at(args)),
            ),
            (Some(entrypoint), None) => (words(entrypoint).collect(), first_at(entrypoint)),
            (None, Some(args)) => (
                image_entrypoint
                    .iter()
                    .cloned()
                    .chain(words(args))
                    .collect(),
                from_image(image_entrypoint, "Entrypoint").or_else(|| first_at(args)),
            ),
            (None, None) => (
                [image_entrypoint, image_cmd].concat(),
                from_image(image_entrypoint, "Entrypoint").or_else(|| from_image(image_cmd, "Cmd")),
            ),
        }
    };
    match argv.first() {
        None => diags.error_hint(
            codes::NO_COMMAND,
            &service.at,
            format!("service `{}` has no command to run", service.name),
            "set `command.entrypoint` or `command.args`, or give the image config",
        ),
        // runc would fail only when it starts the container.
        Some(program) if program.is_empty() => diags.error_hint(
            codes::EMPTY_COMMAND,
            &first_at.unwrap_or_else(|| service.at.clone()),
            "the program to run (the first word of the command) is empty",
            "name the program, such as `/app/server`",
        ),
        Some(_) => {}
    }
    argv
}

/// The words of a command, as text.
fn words(list: &[Located<String>]) -> impl Iterator<Item = String> + '_ {
    list.iter().map(|word| word.value.clone())
}

/// Where a command's first word is written.
fn first_at(list: &[Located<String>]) -> Option<Loc> {
    list.first().map(|word| word.at.clone())
}

pub(super) fn cwd(ctx: &Context<'_>, diags: &mut Diagnostics) -> String {
    // The spec's workdir was checked where it was read; the others are checked here.
    let (cwd, unchecked_at) = if let Some(cwd) = &ctx.options.cwd {
        (cwd.clone(), Some("options.cwd"))
    } else if let Some(workdir) = &ctx.service.workdir {
        (workdir.value.clone(), None)
    } else if let Some(dir) = ctx.image.working_dir.clone().filter(|dir| !dir.is_empty()) {
        (dir, Some("imageConfig.WorkingDir"))
    } else {
        ("/".to_string(), None)
    };
    if let Some(path) = unchecked_at.filter(|_| !cwd.starts_with('/')) {
        diags.error(
            codes::BAD_PATH,
            &Loc::at(path),
            format!("the working directory `{cwd}` must be absolute"),
        );
    }
    cwd
}
