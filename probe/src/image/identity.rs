//! `/etc/passwd` and `/etc/group` of an image read from its layers without unpacking them, for
//! `compile --image` (which writes no rootfs): each layer is streamed once, verified, and the
//! last version of each file wins, unless a whiteout or an opaque directory above removes it.
//! A file that is a link in the image is not followed (it is taken as absent).

use std::io::{self, Read};

use bundlec_core::image_layout::{Compression, Descriptor};

use super::unpack::{clean, decoder, RATIO_FLOOR_BYTES};
use super::{ImageError, Layout, Limits};

/// The files read, as components of their path.
const FILES: [&[&str]; 2] = [&["etc", "passwd"], &["etc", "group"]];

/// The texts of `/etc/passwd` and `/etc/group` in the image, each at most `limit` bytes; the
/// layers' expansion is bounded as for `unpack`.
pub fn identity_files(
    layout: &Layout,
    layers: &[(Descriptor, Compression)],
    limit: u64,
    limits: Limits,
) -> Result<(Option<String>, Option<String>), ImageError> {
    let mut found: [Option<String>; 2] = [None, None];
    let mut budget = limits.max_image_bytes;
    for (descriptor, compression) in layers {
        let ratio_limit =
            RATIO_FLOOR_BYTES.max(descriptor.size.saturating_mul(limits.max_layer_ratio));
        let (reader, verifier) = layout.blob(descriptor)?;
        let layer = verifier.shown().to_string();
        let bad = |error: io::Error| ImageError::BadLayer {
            layer: layer.clone(),
            reason: error.to_string(),
        };
        let bounded = Bounded {
            inner: decoder(reader, *compression).map_err(bad)?,
            left: ratio_limit.min(budget),
            read: 0,
        };
        let mut archive = tar::Archive::new(bounded);
        let mut set_here = [false, false];
        for entry in archive.entries().map_err(bad)? {
            let mut entry = entry.map_err(bad)?;
            let raw = entry.path_bytes().into_owned();
            let Ok(parts) = clean(&raw) else { continue };
            let parts: Vec<&str> = parts.iter().filter_map(|part| part.to_str()).collect();
            let Some((&name, parents)) = parts.split_last() else {
                continue;
            };
            for (index, file) in FILES.iter().enumerate() {
                let removed = if name == ".wh..wh..opq" {
                    // An opaque directory on the file's way hides lower layers' versions.
                    file.starts_with(parents) && parents.len() < file.len() && !set_here[index]
                } else if let Some(hidden) = name.strip_prefix(".wh.") {
                    let mut path = parents.to_vec();
                    path.push(hidden);
                    file.starts_with(&path) && !set_here[index]
                } else {
                    false
                };
                if removed {
                    found[index] = None;
                } else if parts == *file {
                    found[index] = if entry.header().entry_type().is_file() {
                        let mut text = String::new();
                        (&mut entry)
                            .take(limit)
                            .read_to_string(&mut text)
                            .map_err(bad)?;
                        Some(text)
                    } else {
                        None
                    };
                    set_here[index] = true;
                }
            }
        }
        let mut rest = archive.into_inner();
        io::copy(&mut rest, &mut io::sink()).map_err(bad)?;
        verifier.finish()?;
        budget = budget.saturating_sub(rest.read);
    }
    let [passwd, group] = found;
    Ok((passwd, group))
}

/// Fails the read once more than `left` bytes have come out of the decoder.
struct Bounded<R> {
    inner: R,
    left: u64,
    read: u64,
}

impl<R: Read> Read for Bounded<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let read = self.inner.read(buf)?;
        self.read += read as u64;
        if self.read > self.left {
            return Err(io::Error::other(
                "it expands past --max-layer-ratio or --max-image-bytes",
            ));
        }
        Ok(read)
    }
}
