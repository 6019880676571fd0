//! The dynamic loader's cache, `/etc/ld.so.cache`, in glibc's format (`glibc-ld.so.cache1.1`,
//! described in glibc's `elf/cache.c` and `sysdeps/generic/dl-cache.h`): a 48-byte header, then
//! 24-byte entries whose key (the soname) and value (the path) are offsets of NUL-terminated
//! strings from the header's start. A file may begin with the old `ld.so-1.7.0` table, which
//! is skipped. This is how the node's loader finds a library, so it is how the generator does.

/// The old format's magic, and the new one's magic and version.
const OLD_MAGIC: &[u8] = b"ld.so-1.7.0";
const NEW_MAGIC: &[u8] = b"glibc-ld.so.cache1.1";
const NEW_HEADER: usize = 48;
const NEW_ENTRY: usize = 24;
const OLD_HEADER: usize = 16;
const OLD_ENTRY: usize = 12;
/// An ELF library for glibc (`FLAG_ELF_LIBC6`), in the low byte of an entry's flags.
const FLAG_ELF_LIBC6: i32 = 0x0003;
const FLAG_TYPE_MASK: i32 = 0x00ff;
/// The cache file's largest size bundlec reads; real ones are below 1 MiB.
pub const MAX_CACHE_BYTES: usize = 64 << 20;

/// One library the cache lists.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CacheEntry {
    /// The soname (`libcuda.so.1`).
    pub soname: String,
    /// The path the loader opens (`/usr/lib/x86_64-linux-gnu/libcuda.so.1`).
    pub path: String,
    /// The entry's flags: the library type in the low byte, the architecture above it.
    pub flags: i32,
}

impl CacheEntry {
    /// Whether the entry is a glibc ELF library built for this machine's architecture (the
    /// cache also lists 32-bit libraries, which a 64-bit container cannot load).
    pub fn is_native(&self) -> bool {
        let required = native_arch_flag();
        self.flags & FLAG_TYPE_MASK == FLAG_ELF_LIBC6 && (self.flags & !FLAG_TYPE_MASK) == required
    }
}

/// The architecture bits glibc's ldconfig gives this machine's 64-bit libraries.
fn native_arch_flag() -> i32 {
    if cfg!(target_arch = "x86_64") {
        0x0300 // FLAG_X8664_LIB64
    } else if cfg!(target_arch = "aarch64") {
        0x0a00 // FLAG_AARCH64_LIB64
    } else if cfg!(target_arch = "powerpc64") {
        0x0500 // FLAG_POWERPC_LIB64
    } else if cfg!(target_arch = "riscv64") {
        0x1000 // FLAG_RISCV_FLOAT_ABI_DOUBLE
    } else {
        0
    }
}

/// Why a cache could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CacheError {
    #[error("the file is not an ld.so cache of the glibc-ld.so.cache1.1 format")]
    NotACache,
    #[error("the cache is cut short or an offset points outside it")]
    Truncated,
    #[error("the cache is larger than {MAX_CACHE_BYTES} bytes")]
    TooLarge,
}

/// The entries of a cache file, in its order (the loader's order of preference).
pub fn parse(bytes: &[u8]) -> Result<Vec<CacheEntry>, CacheError> {
    if bytes.len() > MAX_CACHE_BYTES {
        return Err(CacheError::TooLarge);
    }
    let start = new_format_start(bytes)?;
    let cache = bytes.get(start..).ok_or(CacheError::Truncated)?;
    if !cache.starts_with(NEW_MAGIC) {
        return Err(CacheError::NotACache);
    }
    // Byte 28 holds the endianness: 2 little, 3 big, 0 unknown (the writer's own, taken as little).
    let big = matches!(cache.get(28), Some(3));
    let u32_at = |at: usize| -> Result<u32, CacheError> {
        let word: [u8; 4] = cache
            .get(at..at + 4)
            .and_then(|b| b.try_into().ok())
            .ok_or(CacheError::Truncated)?;
        Ok(if big {
            u32::from_be_bytes(word)
        } else {
            u32::from_le_bytes(word)
        })
    };
    let count = usize::try_from(u32_at(20)?).map_err(|_| CacheError::Truncated)?;
    if count.saturating_mul(NEW_ENTRY) > cache.len() {
        return Err(CacheError::Truncated);
    }
    let string = |offset: u32| -> Result<String, CacheError> {
        let from = usize::try_from(offset).map_err(|_| CacheError::Truncated)?;
        let rest = cache.get(from..).ok_or(CacheError::Truncated)?;
        let end = rest
            .iter()
            .position(|&b| b == 0)
            .ok_or(CacheError::Truncated)?;
        Ok(String::from_utf8_lossy(rest.get(..end).unwrap_or_default()).into_owned())
    };
    let mut entries = Vec::with_capacity(count);
    for i in 0..count {
        let at = NEW_HEADER + i * NEW_ENTRY;
        let flags = u32_at(at)? as i32;
        entries.push(CacheEntry {
            soname: string(u32_at(at + 4)?)?,
            path: string(u32_at(at + 8)?)?,
            flags,
        });
    }
    Ok(entries)
}

/// Where the new-format table starts: at 0, or after an old-format table (aligned to 8 bytes).
fn new_format_start(bytes: &[u8]) -> Result<usize, CacheError> {
    if bytes.starts_with(NEW_MAGIC) {
        return Ok(0);
    }
    if !bytes.starts_with(OLD_MAGIC) {
        return Err(CacheError::NotACache);
    }
    let count: [u8; 4] = bytes
        .get(12..16)
        .and_then(|b| b.try_into().ok())
        .ok_or(CacheError::Truncated)?;
    let count = u32::from_ne_bytes(count) as usize;
    let end = OLD_HEADER.saturating_add(count.saturating_mul(OLD_ENTRY));
    Ok(end.div_ceil(8) * 8)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A cache with the given (flags, soname, path) entries, as ldconfig lays it out.
    fn cache(entries: &[(i32, &str, &str)]) -> Vec<u8> {
        let mut strings = Vec::new();
        let base = NEW_HEADER + entries.len() * NEW_ENTRY;
        let mut table = Vec::new();
        for (flags, soname, path) in entries {
            let key = base + strings.len();
            strings.extend_from_slice(soname.as_bytes());
            strings.push(0);
            let value = base + strings.len();
            strings.extend_from_slice(path.as_bytes());
            strings.push(0);
            table.extend_from_slice(&flags.to_le_bytes());
            table.extend_from_slice(&(key as u32).to_le_bytes());
            table.extend_from_slice(&(value as u32).to_le_bytes());
            table.extend_from_slice(&[0; 12]);
        }
        let mut bytes = NEW_MAGIC.to_vec();
        bytes.extend_from_slice(&(entries.len() as u32).to_le_bytes());
        bytes.extend_from_slice(&(strings.len() as u32).to_le_bytes());
        bytes.extend_from_slice(&[2, 0, 0, 0]);
        bytes.extend_from_slice(&[0; 16]);
        bytes.extend(table);
        bytes.extend(strings);
        bytes
    }

    #[test]
    fn reads_entries_and_refuses_what_is_not_a_cache() {
        let bytes = cache(&[
            (
                0x0303,
                "libcuda.so.1",
                "/usr/lib/x86_64-linux-gnu/libcuda.so.1",
            ),
            (
                0x0003,
                "libcuda.so.1",
                "/usr/lib/i386-linux-gnu/libcuda.so.1",
            ),
        ]);
        let entries = parse(&bytes).unwrap();
        assert_eq!(entries.len(), 2);
        assert_eq!(entries[0].soname, "libcuda.so.1");
        assert_eq!(entries[1].path, "/usr/lib/i386-linux-gnu/libcuda.so.1");
        if cfg!(target_arch = "x86_64") {
            assert!(entries[0].is_native() && !entries[1].is_native());
        }
        assert_eq!(parse(b"not a cache"), Err(CacheError::NotACache));
        assert_eq!(parse(&bytes[..60]), Err(CacheError::Truncated));
        let mut bad_offset = bytes.clone();
        bad_offset[NEW_HEADER + 4..NEW_HEADER + 8].copy_from_slice(&u32::MAX.to_le_bytes());
        assert_eq!(parse(&bad_offset), Err(CacheError::Truncated));
        // The old table in front is skipped.
        let mut old = OLD_MAGIC.to_vec();
        old.push(0);
        old.extend_from_slice(&1u32.to_ne_bytes());
        old.extend_from_slice(&[0; 12]);
        old.extend_from_slice(&[0; 4]); // pad 28 to 32
        old.extend_from_slice(&bytes);
        assert_eq!(parse(&old).unwrap(), entries);
    }

    /// The cache of the machine running the test, written by its own ldconfig.
    #[test]
    fn reads_this_machines_cache() {
        let Ok(bytes) = std::fs::read("/etc/ld.so.cache") else {
            return;
        };
        let entries = parse(&bytes).unwrap();
        assert!(
            entries.iter().any(|e| e.soname.starts_with("libc.so.")),
            "{entries:?}"
        );
    }
}
