//! The blobs of an OCI layout, in a directory or a tar archive of one, read with their size and
//! digest checked: JSON blobs before they are parsed, layers as they stream (`Verifier`).

use std::collections::HashMap;
use std::fs::File;
use std::io::{self, Read};
use std::os::unix::fs::FileExt;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard};

use bundlec_core::image_layout::{Descriptor, Digest, DigestAlgorithm};
use sha2::{Digest as _, Sha256, Sha512};

use super::{ImageError, ImageRef, Transport};

/// Entries read from an archive's table before giving up: a layout holds a few per image.
const MAX_ARCHIVE_ENTRIES: usize = 1 << 20;

/// A reader and the size of what it reads.
type Sized<'a> = (Box<dyn Read + Send + 'a>, u64);

/// An opened layout: a directory, or an archive indexed by entry name.
#[derive(Debug)]
pub struct Layout {
    source: Source,
}

#[derive(Debug)]
enum Source {
    Dir(PathBuf),
    Archive {
        path: PathBuf,
        file: File,
        /// Entry name (without `./`) → offset and size of its data.
        entries: HashMap<String, (u64, u64)>,
    },
}

impl Layout {
    /// Opens the directory, or reads the archive's table of entries once.
    pub fn open(image: &ImageRef) -> Result<Layout, ImageError> {
        let path = image.path.clone();
        let source = match image.transport {
            Transport::Dir => {
                if !path.is_dir() {
                    return Err(ImageError::Io {
                        action: "open the image layout",
                        path,
                        source: io::Error::from_raw_os_error(nix::libc::ENOTDIR),
                    });
                }
                Source::Dir(path)
            }
            Transport::Archive => {
                let file = File::open(&path).map_err(io_error("open the image archive", &path))?;
                let entries = archive_entries(&file, &path)?;
                Source::Archive {
                    path,
                    file,
                    entries,
                }
            }
        };
        Ok(Layout { source })
    }

    /// A reader of the named file of the layout and its size; `None` when it is missing.
    fn open_file(&self, name: &str) -> Result<Option<Sized<'_>>, ImageError> {
        match &self.source {
            Source::Dir(dir) => {
                let path = dir.join(name);
                let file = match File::open(&path) {
                    Ok(file) => file,
                    Err(error) if error.kind() == io::ErrorKind::NotFound => return Ok(None),
                    Err(error) => return Err(io_error("open", &path)(error)),
                };
                let metadata = file.metadata().map_err(io_error("inspect", &path))?;
                if !metadata.is_file() {
                    return Err(io_error("read", &path)(io::Error::from_raw_os_error(
                        nix::libc::EISDIR,
                    )));
                }
                Ok(Some((
                    Box::new(io::BufReader::with_capacity(1 << 16, file)),
                    metadata.len(),
                )))
            }
            Source::Archive { file, entries, .. } => {
                Ok(entries.get(name).map(|&(offset, size)| {
                    let reader = ArchiveFile {
                        file,
                        position: offset,
                        end: offset + size,
                    };
                    (
                        Box::new(io::BufReader::with_capacity(1 << 16, reader))
                            as Box<dyn Read + Send>,
                        size,
                    )
                }))
            }
        }
    }

    /// What diagnostics call a file of the layout: `DIR/index.json`, `FILE:index.json`.
    pub fn shown(&self, name: &str) -> String {
        match &self.source {
            Source::Dir(dir) => dir.join(name).display().to_string(),
            Source::Archive { path, .. } => format!("{}:{name}", path.display()),
        }
    }

    /// The text of `index.json` (it has no digest to check), at most `limit` bytes.
    pub fn index_text(&self, limit: u64) -> Result<String, ImageError> {
        let shown = self.shown("index.json");
        let (reader, size) = self
            .open_file("index.json")?
            .ok_or_else(|| ImageError::MissingBlob(shown.clone()))?;
        if size > limit {
            return Err(ImageError::BlobTooLarge {
                blob: shown,
                size,
                limit,
            });
        }
        let mut bytes = Vec::new();
        reader
            .take(limit)
            .read_to_end(&mut bytes)
            .map_err(io_error("read", Path::new(&shown)))?;
        String::from_utf8(bytes).map_err(|_| ImageError::NotUtf8(shown))
    }

    /// The text of a JSON blob (an index, a manifest, a config), its size and digest checked
    /// before it is returned.
    pub fn json_blob(&self, descriptor: &Descriptor, limit: u64) -> Result<String, ImageError> {
        let shown = self.shown(&descriptor.digest.blob_path());
        if descriptor.size > limit {
            return Err(ImageError::BlobTooLarge {
                blob: shown,
                size: descriptor.size,
                limit,
            });
        }
        let (mut reader, verifier) = self.blob(descriptor)?;
        let mut bytes = Vec::new();
        let read = reader.read_to_end(&mut bytes);
        verifier.finish()?;
        read.map_err(io_error("read", Path::new(&shown)))?;
        String::from_utf8(bytes).map_err(|_| ImageError::NotUtf8(shown))
    }

    /// Reads a whole blob and checks its size and digest.
    pub fn verify(&self, descriptor: &Descriptor) -> Result<(), ImageError> {
        let (mut reader, verifier) = self.blob(descriptor)?;
        let shown = verifier.shown().to_string();
        io::copy(&mut reader, &mut io::sink()).map_err(io_error("read", Path::new(&shown)))?;
        verifier.finish()
    }

    /// A reader of a blob that hashes and counts what passes, and the `Verifier` that says
    /// after the last byte whether it was the blob the descriptor names. A blob longer than its
    /// descriptor fails the read as soon as the extra byte arrives.
    pub fn blob(
        &self,
        descriptor: &Descriptor,
    ) -> Result<(Box<dyn Read + Send + '_>, Verifier), ImageError> {
        let name = descriptor.digest.blob_path();
        let shown = self.shown(&name);
        let (reader, size) = self
            .open_file(&name)?
            .ok_or_else(|| ImageError::MissingBlob(shown.clone()))?;
        if size != descriptor.size {
            return Err(ImageError::SizeMismatch {
                blob: shown,
                expected: descriptor.size,
                actual: size.to_string(),
            });
        }
        let state = Arc::new(Mutex::new(State {
            hasher: Hasher::new(descriptor.digest.algorithm),
            count: 0,
        }));
        let verifier = Verifier {
            state: Arc::clone(&state),
            digest: descriptor.digest.clone(),
            expected: descriptor.size,
            shown,
        };
        // One byte past the size is read, so that a blob that grew is noticed.
        let hashing = Hashing {
            inner: reader.take(descriptor.size.saturating_add(1)),
            state,
        };
        Ok((Box::new(hashing), verifier))
    }
}

fn io_error(action: &'static str, path: &Path) -> impl FnOnce(io::Error) -> ImageError {
    let path = path.to_path_buf();
    move |source| ImageError::Io {
        action,
        path,
        source,
    }
}

/// The regular files of an archive: name → (offset, size).
fn archive_entries(file: &File, path: &Path) -> Result<HashMap<String, (u64, u64)>, ImageError> {
    let bad = |reason: String| ImageError::BadArchive {
        path: path.to_path_buf(),
        reason,
    };
    let mut archive = tar::Archive::new(io::BufReader::new(file));
    let mut entries = HashMap::new();
    for (count, entry) in archive
        .entries()
        .map_err(|e| bad(e.to_string()))?
        .enumerate()
    {
        if count >= MAX_ARCHIVE_ENTRIES {
            return Err(bad(format!(
                "it has more than {MAX_ARCHIVE_ENTRIES} entries"
            )));
        }
        let entry = entry.map_err(|e| bad(e.to_string()))?;
        if !entry.header().entry_type().is_file() {
            continue;
        }
        let name = String::from_utf8_lossy(&entry.path_bytes()).into_owned();
        let name = name.trim_start_matches("./").to_string();
        entries.insert(name, (entry.raw_file_position(), entry.size()));
    }
    if !entries.contains_key("index.json") {
        return Err(bad("it has no index.json".to_string()));
    }
    Ok(entries)
}

/// A file's data inside an archive, read with `pread` so that several may be open at once.
struct ArchiveFile<'a> {
    file: &'a File,
    position: u64,
    end: u64,
}

impl Read for ArchiveFile<'_> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let left = usize::try_from(self.end - self.position).unwrap_or(usize::MAX);
        let want = buf.len().min(left);
        if want == 0 {
            return Ok(0);
        }
        let read = self.file.read_at(&mut buf[..want], self.position)?;
        if read == 0 {
            return Err(io::Error::new(
                io::ErrorKind::UnexpectedEof,
                "the archive is truncated",
            ));
        }
        self.position += read as u64;
        Ok(read)
    }
}

enum Hasher {
    Sha256(Sha256),
    Sha512(Sha512),
}

impl Hasher {
    fn new(algorithm: DigestAlgorithm) -> Hasher {
        match algorithm {
            DigestAlgorithm::Sha256 => Hasher::Sha256(Sha256::new()),
            DigestAlgorithm::Sha512 => Hasher::Sha512(Sha512::new()),
        }
    }

    fn update(&mut self, bytes: &[u8]) {
        match self {
            Hasher::Sha256(hasher) => hasher.update(bytes),
            Hasher::Sha512(hasher) => hasher.update(bytes),
        }
    }

    fn hex(&mut self) -> String {
        let bytes: Vec<u8> = match self {
            Hasher::Sha256(hasher) => hasher.finalize_reset().to_vec(),
            Hasher::Sha512(hasher) => hasher.finalize_reset().to_vec(),
        };
        bytes.iter().map(|b| format!("{b:02x}")).collect()
    }
}

/// The state, even if a thread that held it panicked (its counts are still what was read).
fn lock(state: &Mutex<State>) -> MutexGuard<'_, State> {
    state
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

struct State {
    hasher: Hasher,
    count: u64,
}

struct Hashing<R> {
    inner: R,
    state: Arc<Mutex<State>>,
}

impl<R: Read> Read for Hashing<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let read = self.inner.read(buf)?;
        let mut state = lock(&self.state);
        state.hasher.update(&buf[..read]);
        state.count += read as u64;
        Ok(read)
    }
}

/// Says whether the bytes read through its blob's reader were the blob its descriptor names.
pub struct Verifier {
    state: Arc<Mutex<State>>,
    digest: Digest,
    expected: u64,
    shown: String,
}

impl Verifier {
    /// The blob's name as diagnostics show it.
    pub fn shown(&self) -> &str {
        &self.shown
    }

    /// Whether more bytes than the descriptor's size have passed (read on past the end).
    pub fn overran(&self) -> bool {
        lock(&self.state).count > self.expected
    }

    /// After the reader reached its end: the size and digest checked.
    pub fn finish(self) -> Result<(), ImageError> {
        let mut state = lock(&self.state);
        if state.count != self.expected {
            let actual = if state.count > self.expected {
                format!("more than {}", self.expected)
            } else {
                state.count.to_string()
            };
            return Err(ImageError::SizeMismatch {
                blob: self.shown.clone(),
                expected: self.expected,
                actual,
            });
        }
        let actual = state.hasher.hex();
        if actual != self.digest.hex {
            return Err(ImageError::DigestMismatch {
                blob: self.shown.clone(),
                actual: format!("{}:{actual}", self.digest.algorithm_name()),
            });
        }
        Ok(())
    }
}
