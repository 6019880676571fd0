//! What a Compose file needs from beside it, read for the core's options: the project folder
//! (`options.projectDir`) and name (`options.project`, the folder's name as Compose normalizes
//! it), the project's `.env` and the chosen service's `env_file` texts (`options.envFiles`).
//! Each file is read within `--max-input-bytes`; a ZLayer spec gets none of this.

use std::path::{Component, Path, PathBuf};

use bundlec_core::{Diagnostic, Format, Options, Outline, ServiceOutline};

use crate::failure::{self, Coded};
use crate::input::{read_text, SpecSource};
use crate::path_error::PathError;

/// Fills the Compose options for the spec; unreadable files come back as diagnostics. A file
/// that does not exist is left out: the core reports a required `env_file` it lacks.
/// `outline` is the spec's (`None`: not readable).
pub fn fill(
    spec: &SpecSource,
    outline: Option<&Outline>,
    service: Option<&str>,
    limit: u64,
    options: &mut Options,
) -> Result<Vec<Diagnostic>, PathError> {
    let mut diagnostics = Vec::new();
    let Some(outline) = outline else {
        return Ok(diagnostics);
    };
    if outline.format != Format::Compose {
        return Ok(diagnostics);
    }
    let folder = absolute_folder(&spec.folder)?;
    options.project_dir = Some(folder.to_string_lossy().into_owned());
    options.project = folder
        .file_name()
        .map(|name| project_name(&name.to_string_lossy()))
        .filter(|name| !name.is_empty());
    let mut read = |name: &str, at: Option<(&str, bundlec_core::Span)>| {
        let path = folder.join(name);
        match read_text("the env file", &path, limit) {
            Ok(text) => {
                options.env_files.insert(name.to_string(), text);
            }
            Err(PathError::Io { source, .. }) if source.kind() == std::io::ErrorKind::NotFound => {}
            Err(error) => diagnostics.push(unreadable(&error, at)),
        }
    };
    read(".env", None);
    let chosen: Option<&ServiceOutline> = match service {
        Some(name) => outline.services.iter().find(|s| s.name == name),
        None => match outline.services.as_slice() {
            [only] => Some(only),
            _ => None,
        },
    };
    if let Some(service) = chosen {
        for file in &service.env_files {
            let path = format!("services.{}.env_file", service.name);
            read(&file.name, Some((&path, file.span)));
        }
    }
    Ok(diagnostics)
}

/// The spec's folder as an absolute path, `.` and `..` resolved lexically.
fn absolute_folder(folder: &Path) -> Result<PathBuf, PathError> {
    let joined = if folder.is_absolute() {
        folder.to_path_buf()
    } else {
        std::env::current_dir()
            .map_err(PathError::CurrentDir)?
            .join(folder)
    };
    let mut clean = PathBuf::new();
    for component in joined.components() {
        match component {
            Component::ParentDir => {
                clean.pop();
            }
            Component::CurDir => {}
            other => clean.push(other),
        }
    }
    Ok(clean)
}

/// A project name as Compose makes one from a folder: lower case, only `a-z`, `0-9`, `_` and
/// `-`, starting with a letter or digit.
pub fn project_name(folder: &str) -> String {
    let kept: String = folder
        .to_lowercase()
        .chars()
        .filter(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || *c == '_' || *c == '-')
        .collect();
    kept.trim_start_matches(['_', '-']).to_string()
}

fn unreadable(error: &PathError, at: Option<(&str, bundlec_core::Span)>) -> Diagnostic {
    let (path, span) = match at {
        Some((path, span)) => (path.to_string(), Some(span)),
        None => ("options.envFiles..env".to_string(), None),
    };
    Diagnostic {
        line: span.map(|s| s.line),
        column: span.map(|s| s.column),
        end_line: span.map(|s| s.end_line),
        end_column: span.map(|s| s.end_column),
        ..Diagnostic::error(error.code(), path, failure::message(error))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn project_names_as_compose_normalizes_them() {
        assert_eq!(project_name("My App"), "myapp");
        assert_eq!(project_name("_web.site-2"), "website-2");
        assert_eq!(project_name("déjà"), "dj");
    }

    #[test]
    fn folders_are_made_absolute() {
        let cwd = std::env::current_dir().unwrap();
        assert_eq!(absolute_folder(Path::new("")).unwrap(), cwd);
        assert_eq!(
            absolute_folder(Path::new("/srv/./app/../web")).unwrap(),
            PathBuf::from("/srv/web")
        );
    }
}
