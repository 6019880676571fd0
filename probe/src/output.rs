//! Where a command's result goes: stdout, or `-o FILE` replaced atomically with mode 0600 (see
//! `atomic`). A closed stdout is a failure, not a silent loss of the output.

use std::io::{self, Write};
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};

use crate::atomic;
use crate::path_error::PathError;

/// Whether fd 1 was closed when the process started. std reopens a closed stdout on /dev/null
/// before `main` runs, after which writes "succeed"; the binary records the state before that.
static STDOUT_CLOSED: AtomicBool = AtomicBool::new(false);

/// Records whether fd 1 is closed: `/proc/self/fd/1` is missing exactly then. Without /proc
/// nothing is recorded. Meant to run before std's runtime starts (an `.init_array` entry).
pub fn note_stdout_state() {
    if Path::new("/proc/self/fd").is_dir() && std::fs::symlink_metadata("/proc/self/fd/1").is_err()
    {
        STDOUT_CLOSED.store(true, Ordering::Relaxed);
    }
}

/// `text` on stdout, or in FILE (mode 0600: a config may hold secret values).
pub fn write(path: Option<&Path>, text: &str) -> Result<(), PathError> {
    match path {
        None => stdout(text),
        Some(path) => {
            atomic::replace(path, text.as_bytes(), 0o600).map_err(PathError::io("write", path))
        }
    }
}

/// `text` on stdout, flushed; a closed stdout is an error.
pub fn stdout(text: &str) -> Result<(), PathError> {
    if STDOUT_CLOSED.load(Ordering::Relaxed) {
        return Err(PathError::Stdout(io::Error::new(
            io::ErrorKind::BrokenPipe,
            "it is closed",
        )));
    }
    let mut stdout = io::stdout().lock();
    stdout
        .write_all(text.as_bytes())
        .and_then(|()| stdout.flush())
        .map_err(PathError::Stdout)
}
