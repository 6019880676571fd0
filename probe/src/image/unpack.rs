//! Applies an image's layers, in order, to an empty rootfs: tar, tar+gzip and tar+zstd;
//! whiteouts (`.wh.NAME`) and opaque directories (`.wh..wh..opq`) as the image spec says;
//! regular files, directories, symbolic and hard links, and (as root) device nodes, with FIFOs
//! always; modes, owners (as root) and modification times kept, directory times set last.
//!
//! Safety: an entry named with `..` or an absolute name, or a hard link to one, is refused;
//! every directory is reached through `within::Root` (openat2, `RESOLVE_IN_ROOT`), so links on
//! the way resolve inside the rootfs, and the last component is never followed. A layer's
//! verifier checks its size and digest as it streams; the caller unpacks into the temporary
//! bundle, so a layer that fails leaves nothing at the bundle path. Decompression bombs: a
//! layer may expand to its first 64 MiB, past that to `max_layer_ratio` times its compressed
//! size; all layers together to `max_image_bytes`.

use std::cell::Cell;
use std::collections::{BTreeMap, HashSet};
use std::ffi::OsStr;
use std::fs::File;
use std::io::{self, BufRead, Read, Write};
use std::os::fd::OwnedFd;
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};
use std::rc::Rc;

use bundlec_core::image_layout::{Compression, Descriptor};
use nix::fcntl::{openat, AtFlags, OFlag};
use nix::sys::stat::{
    fchmod, fchmodat, futimens, mkdirat, mknodat, utimensat, FchmodatFlags, Mode, SFlag,
    UtimensatFlags,
};
use nix::sys::time::TimeSpec;
use nix::unistd::{fchownat, linkat, symlinkat, Gid, Uid};

use super::layout::Verifier;
use super::within::{self, Root};
use super::{ImageError, Layout};

/// A layer's expansion allowed whatever its ratio.
pub(super) const RATIO_FLOOR_BYTES: u64 = 64 << 20;
/// Default `--max-layer-ratio`: uncompressed bytes per compressed byte past the floor.
pub const DEFAULT_MAX_LAYER_RATIO: u64 = 200;
/// Default `--max-image-bytes`: all layers together, uncompressed (large GPU images are tens of GB).
pub const DEFAULT_MAX_IMAGE_BYTES: u64 = 128 << 30;

/// The decompression limits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    pub max_layer_ratio: u64,
    pub max_image_bytes: u64,
}

impl Default for Limits {
    fn default() -> Limits {
        Limits {
            max_layer_ratio: DEFAULT_MAX_LAYER_RATIO,
            max_image_bytes: DEFAULT_MAX_IMAGE_BYTES,
        }
    }
}

/// Unpacks `layers` (lowest first) of `layout` into `rootfs`, an empty directory.
pub fn unpack(
    layout: &Layout,
    layers: &[(Descriptor, Compression)],
    rootfs: &Path,
    limits: Limits,
) -> Result<(), ImageError> {
    let root = Root::open(rootfs).map_err(|error| {
        if error.raw_os_error() == Some(nix::libc::ENOSYS) {
            ImageError::NoOpenat2
        } else {
            ImageError::Io {
                action: "open the rootfs",
                path: rootfs.to_path_buf(),
                source: error,
            }
        }
    })?;
    let mut unpacker = Unpacker {
        root,
        is_root: nix::unistd::geteuid().is_root(),
        dir_times: BTreeMap::new(),
        budget: limits.max_image_bytes,
        buffer: vec![0; 1 << 20],
    };
    for (descriptor, compression) in layers {
        unpacker.layer(layout, descriptor, *compression, limits)?;
    }
    unpacker.finish_dirs()
}

/// Why a layer's stream stopped: a limit, not a fault of its bytes.
#[derive(Clone, Copy)]
enum Stop {
    None,
    Ratio(u64),
    Total(u64),
}

/// Counts the uncompressed bytes and fails the read past the limit.
struct Counting<R> {
    inner: R,
    count: u64,
    ratio_limit: u64,
    total_limit: u64,
    stop: Rc<Cell<Stop>>,
}

impl<R: Read> Read for Counting<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let read = self.inner.read(buf)?;
        self.count += read as u64;
        if self.count > self.ratio_limit {
            self.stop.set(Stop::Ratio(self.ratio_limit));
        } else if self.count > self.total_limit {
            self.stop.set(Stop::Total(self.total_limit));
        } else {
            return Ok(read);
        }
        Err(io::Error::other("the layer expands past its limit"))
    }
}

/// Decompressed chunks queued between the two threads of a layer.
const CHUNKS_IN_FLIGHT: usize = 4;
const CHUNK_BYTES: usize = 256 << 10;

/// The producer thread: decompresses the blob into chunks until its end, an error (sent on),
/// or the consumer hanging up (it stopped early).
fn produce(
    reader: Box<dyn Read + Send + '_>,
    compression: Compression,
    sender: &std::sync::mpsc::SyncSender<io::Result<Vec<u8>>>,
) {
    let mut decoded = match decoder(reader, compression) {
        Ok(decoded) => decoded,
        Err(error) => {
            let _ = sender.send(Err(error));
            return;
        }
    };
    loop {
        let mut chunk = vec![0; CHUNK_BYTES];
        let mut filled = 0;
        while filled < chunk.len() {
            match decoded.read(&mut chunk[filled..]) {
                Ok(0) => break,
                Ok(read) => filled += read,
                Err(error) if error.kind() == io::ErrorKind::Interrupted => {}
                Err(error) => {
                    let _ = sender.send(Err(error));
                    return;
                }
            }
        }
        chunk.truncate(filled);
        if filled == 0 || sender.send(Ok(chunk)).is_err() {
            return;
        }
    }
}

/// The consumer's side: the chunks as one stream; the producer's error is this reader's.
struct Chunks {
    receiver: std::sync::mpsc::Receiver<io::Result<Vec<u8>>>,
    chunk: Vec<u8>,
    at: usize,
}

impl Read for Chunks {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        while self.at == self.chunk.len() {
            match self.receiver.recv() {
                Ok(chunk) => {
                    self.chunk = chunk?;
                    self.at = 0;
                }
                // The producer is done: the end of the stream.
                Err(_) => return Ok(0),
            }
        }
        let available = &self.chunk[self.at..];
        let copied = available.len().min(buf.len());
        buf[..copied].copy_from_slice(&available[..copied]);
        self.at += copied;
        Ok(copied)
    }
}

/// The uncompressed tar stream of a layer blob.
pub(super) fn decoder<'a>(
    reader: Box<dyn Read + Send + 'a>,
    compression: Compression,
) -> io::Result<Box<dyn Read + Send + 'a>> {
    Ok(match compression {
        Compression::None => reader,
        Compression::Gzip => Box::new(flate2::read::MultiGzDecoder::new(
            io::BufReader::with_capacity(1 << 16, reader),
        )),
        Compression::Zstd => Box::new(ZstdFrames::new(io::BufReader::with_capacity(
            1 << 16,
            reader,
        ))?),
    })
}

/// zstd frames one after another, as `zstd` writes them for large inputs.
struct ZstdFrames<R: BufRead> {
    decoder: Option<ruzstd::decoding::StreamingDecoder<R, ruzstd::decoding::FrameDecoder>>,
}

impl<R: BufRead> ZstdFrames<R> {
    fn new(reader: R) -> io::Result<ZstdFrames<R>> {
        let decoder = ruzstd::decoding::StreamingDecoder::new(reader).map_err(io::Error::other)?;
        Ok(ZstdFrames {
            decoder: Some(decoder),
        })
    }
}

impl<R: BufRead> Read for ZstdFrames<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        loop {
            let Some(decoder) = self.decoder.as_mut() else {
                return Ok(0);
            };
            let read = decoder.read(buf)?;
            if read > 0 || buf.is_empty() {
                return Ok(read);
            }
            let Some(decoder) = self.decoder.take() else {
                return Ok(0);
            };
            let mut reader = decoder.into_inner();
            if reader.fill_buf()?.is_empty() {
                return Ok(0);
            }
            self.decoder =
                Some(ruzstd::decoding::StreamingDecoder::new(reader).map_err(io::Error::other)?);
        }
    }
}

struct Unpacker {
    root: Root,
    is_root: bool,
    /// Directories' modes and times, set after every layer (writing into a directory changes
    /// its time, and a read-only mode would stop the writes).
    dir_times: BTreeMap<PathBuf, (u32, u64)>,
    budget: u64,
    buffer: Vec<u8>,
}

/// An entry's name as components, or why it is refused.
pub(super) fn clean(raw: &[u8]) -> Result<Vec<&OsStr>, &'static str> {
    if raw.first() == Some(&b'/') {
        return Err("its name is absolute");
    }
    let mut parts = Vec::new();
    for part in raw.split(|&b| b == b'/') {
        match part {
            b"" | b"." => {}
            b".." => return Err("its name climbs out with `..`"),
            part => parts.push(OsStr::from_bytes(part)),
        }
    }
    Ok(parts)
}

impl Unpacker {
    fn layer(
        &mut self,
        layout: &Layout,
        descriptor: &Descriptor,
        compression: Compression,
        limits: Limits,
    ) -> Result<(), ImageError> {
        let (reader, verifier) = layout.blob(descriptor)?;
        let layer = verifier.shown().to_string();
        let ratio_limit =
            RATIO_FLOOR_BYTES.max(descriptor.size.saturating_mul(limits.max_layer_ratio));
        let stop = Rc::new(Cell::new(Stop::None));
        let bad = |reason: String| ImageError::BadLayer {
            layer: layer.clone(),
            reason,
        };
        // The blob is read, hashed and decompressed on a second thread while this one writes
        // the files, as `tar -z` runs gzip beside tar.
        let drained = std::thread::scope(|scope| {
            let (sender, receiver) = std::sync::mpsc::sync_channel(CHUNKS_IN_FLIGHT);
            scope.spawn(move || produce(reader, compression, &sender));
            let counting = Counting {
                inner: Chunks {
                    receiver,
                    chunk: Vec::new(),
                    at: 0,
                },
                count: 0,
                ratio_limit,
                total_limit: self.budget,
                stop: Rc::clone(&stop),
            };
            let mut archive = tar::Archive::new(counting);
            let result = self.entries(&mut archive, &layer);
            result.and_then(|()| {
                let mut rest = archive.into_inner();
                io::copy(&mut rest, &mut io::sink()).map_err(|error| bad(error.to_string()))?;
                Ok(rest.count)
            })
        });
        // Whatever stopped the stream, say it in the order that explains it best: a limit, a
        // blob that is not the one named, then the fault itself.
        let stopped = |stop: Stop| match stop {
            Stop::Ratio(limit) => Some(ImageError::TooLarge {
                layer: layer.clone(),
                limit,
                why: "more than its compressed size allows",
                flag: "--max-layer-ratio",
            }),
            Stop::Total(limit) => Some(ImageError::TooLarge {
                layer: layer.clone(),
                limit,
                why: "the image's total limit",
                flag: "--max-image-bytes",
            }),
            Stop::None => None,
        };
        if let Some(error) = stopped(stop.get()) {
            return Err(error);
        }
        match drained {
            Ok(count) => {
                verifier.finish()?;
                self.budget = self.budget.saturating_sub(count);
                Ok(())
            }
            Err(error) => Err(explain(error, verifier, layout, descriptor)),
        }
    }

    fn entries<R: Read>(
        &mut self,
        archive: &mut tar::Archive<R>,
        layer: &str,
    ) -> Result<(), ImageError> {
        let bad = |error: io::Error| ImageError::BadLayer {
            layer: layer.to_string(),
            reason: error.to_string(),
        };
        let mut this_layer: HashSet<Vec<u8>> = HashSet::new();
        let mut cached: Option<(Vec<u8>, OwnedFd)> = None;
        for entry in archive.entries().map_err(bad)? {
            let mut entry = entry.map_err(bad)?;
            let raw = entry.path_bytes().into_owned();
            let shown = String::from_utf8_lossy(&raw).into_owned();
            let unsafe_entry = |reason: &'static str| ImageError::UnsafeEntry {
                layer: layer.to_string(),
                entry: shown.clone(),
                reason,
            };
            let parts = clean(&raw).map_err(unsafe_entry)?;
            let Some((&name, parents)) = parts.split_last() else {
                continue; // the root itself
            };
            let failed = |action: &'static str| {
                let (layer, entry) = (layer.to_string(), shown.clone());
                move |source: io::Error| ImageError::Entry {
                    layer,
                    entry,
                    action,
                    source,
                }
            };
            // The directory of the previous entry is reused while nothing on its path changes:
            // an entry at it or above it (which may replace it) or a whiteout drops it.
            let full_key = raw_key(&parts);
            let name_bytes = name.as_bytes();
            if name_bytes.starts_with(b".wh.")
                || cached.as_ref().is_some_and(|(key, _)| {
                    key.starts_with(&full_key)
                        && matches!(key.get(full_key.len()), None | Some(b'/'))
                })
            {
                cached = None;
            }
            if name_bytes == b".wh..wh..opq" {
                let Some(dir) = self
                    .root
                    .dir(parents, true)
                    .map_err(failed("open the directory of"))?
                else {
                    continue;
                };
                let prefix = key(parents);
                within::remove_children(&dir, |child| {
                    this_layer.contains(&child_key(&prefix, child))
                })
                .map_err(failed("empty the opaque directory of"))?;
                continue;
            }
            if let Some(hidden) = name_bytes.strip_prefix(b".wh.") {
                if hidden.starts_with(b".wh.") {
                    continue; // aufs metadata such as `.wh..wh.plnk`
                }
                if hidden.is_empty() || hidden == b"." || hidden == b".." || hidden.contains(&b'/')
                {
                    return Err(unsafe_entry("its whiteout names no file"));
                }
                let hidden = OsStr::from_bytes(hidden);
                if this_layer.contains(&child_key(&key(parents), hidden)) {
                    continue;
                }
                if let Some(dir) = self
                    .root
                    .dir(parents, false)
                    .map_err(failed("open the directory of"))?
                {
                    within::remove(&dir, hidden)
                        .map_err(failed("remove what the whiteout hides at"))?;
                }
                continue;
            }
            let parents_key = key(parents);
            let reuse = cached.as_ref().is_some_and(|(key, _)| *key == parents_key);
            if !reuse {
                let opened = self
                    .root
                    .dir(parents, true)
                    .map_err(failed("create the directory of"))?
                    .ok_or_else(|| {
                        failed("create the directory of")(io::ErrorKind::NotFound.into())
                    })?;
                cached = Some((parents_key, opened));
            }
            let Some((_, dir)) = cached.as_ref() else {
                continue;
            };
            let header = entry.header();
            let mode = header.mode().map_err(bad)? & 0o7777;
            // An empty numeric field is 0, as Go's archive/tar (and so umoci) reads it.
            let old = header.as_old();
            let uid = numeric(&old.uid, || header.uid()).map_err(bad)?;
            let gid = numeric(&old.gid, || header.gid()).map_err(bad)?;
            let mtime = numeric(&old.mtime, || header.mtime()).map_err(bad)?;
            let kind = header.entry_type();
            let owner = Owner {
                uid,
                gid,
                apply: self.is_root,
            };
            match kind {
                tar::EntryType::Directory => {
                    if within::kind_of(dir, name).map_err(failed("inspect"))?
                        != Some(SFlag::S_IFDIR)
                    {
                        within::remove(dir, name).map_err(failed("replace"))?;
                        mkdirat(dir, name, Mode::from_bits_truncate(0o700))
                            .map_err(|e| failed("create")(e.into()))?;
                    }
                    owner.set(dir, name).map_err(failed("set the owner of"))?;
                    self.dir_times.insert(parts.iter().collect(), (mode, mtime));
                }
                tar::EntryType::Regular | tar::EntryType::Continuous => {
                    let fd = create_file(dir, name).map_err(failed("create"))?;
                    let mut file = File::from(fd);
                    copy(&mut entry, &mut file, &mut self.buffer).map_err(|error| match error {
                        Copy::Read(error) => bad(error),
                        Copy::Write(error) => failed("write")(error),
                    })?;
                    owner.set_fd(&file).map_err(failed("set the owner of"))?;
                    // After chown, which clears the set-user-ID bit.
                    fchmod(&file, Mode::from_bits_truncate(mode))
                        .map_err(|e| failed("set the mode of")(e.into()))?;
                    let time = TimeSpec::new(i64::try_from(mtime).unwrap_or(i64::MAX), 0);
                    futimens(&file, &time, &time)
                        .map_err(|e| failed("set the time of")(e.into()))?;
                }
                tar::EntryType::Symlink => {
                    let target = entry
                        .link_name_bytes()
                        .ok_or_else(|| unsafe_entry("its link has no target"))?
                        .into_owned();
                    within::remove(dir, name).map_err(failed("replace"))?;
                    symlinkat(OsStr::from_bytes(&target), dir, name)
                        .map_err(|e| failed("create the link")(e.into()))?;
                    owner.set(dir, name).map_err(failed("set the owner of"))?;
                    set_time(dir, name, mtime).map_err(failed("set the time of"))?;
                }
                tar::EntryType::Link => {
                    let target = entry
                        .link_name_bytes()
                        .ok_or_else(|| unsafe_entry("its link has no target"))?
                        .into_owned();
                    let target_parts = clean(&target).map_err(|_| {
                        unsafe_entry("it is a hard link to a path outside the rootfs")
                    })?;
                    let Some((&target_name, target_parents)) = target_parts.split_last() else {
                        return Err(unsafe_entry("it is a hard link to the rootfs itself"));
                    };
                    let target_dir = self
                        .root
                        .dir(target_parents, false)
                        .map_err(failed("open the link target of"))?
                        .ok_or_else(|| {
                            failed("find the link target of")(io::ErrorKind::NotFound.into())
                        })?;
                    if parts == target_parts {
                        continue;
                    }
                    within::remove(dir, name).map_err(failed("replace"))?;
                    linkat(&target_dir, target_name, dir, name, AtFlags::empty())
                        .map_err(|e| failed("create the hard link")(e.into()))?;
                }
                tar::EntryType::Char | tar::EntryType::Block | tar::EntryType::Fifo => {
                    let file_type = match kind {
                        tar::EntryType::Char => SFlag::S_IFCHR,
                        tar::EntryType::Block => SFlag::S_IFBLK,
                        _ => SFlag::S_IFIFO,
                    };
                    if file_type != SFlag::S_IFIFO && !self.is_root {
                        continue; // device nodes need root, and runtimes add /dev themselves
                    }
                    let (major, minor) = if file_type == SFlag::S_IFIFO {
                        (0, 0)
                    } else {
                        let major = header.device_major().map_err(bad)?.unwrap_or(0);
                        (major, header.device_minor().map_err(bad)?.unwrap_or(0))
                    };
                    within::remove(dir, name).map_err(failed("replace"))?;
                    mknodat(
                        dir,
                        name,
                        file_type,
                        Mode::from_bits_truncate(0o600),
                        nix::sys::stat::makedev(major.into(), minor.into()),
                    )
                    .map_err(|e| failed("create the node")(e.into()))?;
                    owner.set(dir, name).map_err(failed("set the owner of"))?;
                    // The node was just made here, so following the name cannot leave the rootfs.
                    fchmodat(
                        dir,
                        name,
                        Mode::from_bits_truncate(mode),
                        FchmodatFlags::FollowSymlink,
                    )
                    .map_err(|e| failed("set the mode of")(e.into()))?;
                    set_time(dir, name, mtime).map_err(failed("set the time of"))?;
                }
                // PAX and GNU headers are read by `tar` itself; other types carry no file.
                _ => continue,
            }
            this_layer.insert(full_key);
        }
        Ok(())
    }

    /// Sets the directories' modes and times, deepest first.
    fn finish_dirs(&mut self) -> Result<(), ImageError> {
        for (path, (mode, mtime)) in self.dir_times.iter().rev() {
            let parts: Vec<&OsStr> = path.iter().collect();
            let failed = |action: &'static str| {
                let path = self.root.path().join(path);
                move |source: io::Error| ImageError::Io {
                    action,
                    path,
                    source,
                }
            };
            // A directory a later layer removed or replaced is skipped.
            let Some((&name, parents)) = parts.split_last() else {
                continue;
            };
            let Some(parent) = self.root.dir(parents, false).map_err(failed("open"))? else {
                continue;
            };
            if within::kind_of(&parent, name).map_err(failed("inspect"))? != Some(SFlag::S_IFDIR) {
                continue;
            }
            let dir = Root::open_child_dir(&parent, name).map_err(failed("open"))?;
            fchmod(&dir, Mode::from_bits_truncate(*mode))
                .map_err(|e| failed("set the mode of")(e.into()))?;
            let time = TimeSpec::new(i64::try_from(*mtime).unwrap_or(i64::MAX), 0);
            futimens(&dir, &time, &time).map_err(|e| failed("set the time of")(e.into()))?;
        }
        Ok(())
    }
}

/// A header's number, 0 when its field is empty (NULs and spaces only).
fn numeric(field: &[u8], parse: impl FnOnce() -> io::Result<u64>) -> io::Result<u64> {
    if field.iter().all(|&b| b == 0 || b == b' ') {
        Ok(0)
    } else {
        parse()
    }
}

/// The error a failed layer gets: a blob that is not the one named comes first (a corrupt
/// blob fails the decoder before its digest can be checked, so it is read again to the end).
fn explain(
    error: ImageError,
    verifier: Verifier,
    layout: &Layout,
    descriptor: &Descriptor,
) -> ImageError {
    if verifier.overran() {
        return verifier.finish().err().unwrap_or(error);
    }
    drop(verifier);
    match layout.verify(descriptor) {
        Err(mismatch @ (ImageError::DigestMismatch { .. } | ImageError::SizeMismatch { .. })) => {
            mismatch
        }
        _ => error,
    }
}

fn key(parts: &[&OsStr]) -> Vec<u8> {
    raw_key(parts)
}

fn raw_key(parts: &[&OsStr]) -> Vec<u8> {
    let mut key = Vec::new();
    for part in parts {
        key.push(b'/');
        key.extend_from_slice(part.as_bytes());
    }
    key
}

fn child_key(prefix: &[u8], child: &OsStr) -> Vec<u8> {
    let mut key = prefix.to_vec();
    key.push(b'/');
    key.extend_from_slice(child.as_bytes());
    key
}

struct Owner {
    uid: u64,
    gid: u64,
    apply: bool,
}

impl Owner {
    /// Sets the owner of an open file, as root only.
    fn set_fd(&self, file: &File) -> io::Result<()> {
        if !self.apply {
            return Ok(());
        }
        let (Ok(uid), Ok(gid)) = (u32::try_from(self.uid), u32::try_from(self.gid)) else {
            return Err(io::Error::from_raw_os_error(nix::libc::EINVAL));
        };
        nix::unistd::fchown(file, Some(Uid::from_raw(uid)), Some(Gid::from_raw(gid)))?;
        Ok(())
    }

    /// Sets the owner of `name` in `dir` (the link itself for a link), as root only.
    fn set(&self, dir: &OwnedFd, name: &OsStr) -> io::Result<()> {
        if !self.apply {
            return Ok(());
        }
        let (Ok(uid), Ok(gid)) = (u32::try_from(self.uid), u32::try_from(self.gid)) else {
            return Err(io::Error::from_raw_os_error(nix::libc::EINVAL));
        };
        fchownat(
            dir,
            name,
            Some(Uid::from_raw(uid)),
            Some(Gid::from_raw(gid)),
            AtFlags::AT_SYMLINK_NOFOLLOW,
        )?;
        Ok(())
    }
}

/// Creates `name` in `dir` (0600 until its mode is set), replacing what is there; never through
/// a link.
fn create_file(dir: &OwnedFd, name: &OsStr) -> io::Result<OwnedFd> {
    let flags =
        OFlag::O_WRONLY | OFlag::O_CREAT | OFlag::O_EXCL | OFlag::O_NOFOLLOW | OFlag::O_CLOEXEC;
    let mode = Mode::from_bits_truncate(0o600);
    match openat(dir, name, flags, mode) {
        Err(nix::errno::Errno::EEXIST) => {
            within::remove(dir, name)?;
            Ok(openat(dir, name, flags, mode)?)
        }
        result => Ok(result?),
    }
}

fn set_time(dir: &OwnedFd, name: &OsStr, mtime: u64) -> io::Result<()> {
    let time = TimeSpec::new(i64::try_from(mtime).unwrap_or(i64::MAX), 0);
    utimensat(dir, name, &time, &time, UtimensatFlags::NoFollowSymlink)?;
    Ok(())
}

enum Copy {
    Read(io::Error),
    Write(io::Error),
}

fn copy(from: &mut impl Read, to: &mut File, buffer: &mut [u8]) -> Result<(), Copy> {
    loop {
        let read = match from.read(buffer) {
            Ok(0) => return Ok(()),
            Ok(read) => read,
            Err(error) if error.kind() == io::ErrorKind::Interrupted => continue,
            Err(error) => return Err(Copy::Read(error)),
        };
        to.write_all(&buffer[..read]).map_err(Copy::Write)?;
    }
}
