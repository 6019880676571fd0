//! Blob digests: `sha256:HEX` and `sha512:HEX`, checked for form so that a digest is always
//! safe as a file name under `blobs/`.

use std::fmt;

/// A digest algorithm bundlec verifies.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DigestAlgorithm {
    /// `sha256`: 64 lowercase hex digits.
    Sha256,
    /// `sha512`: 128 lowercase hex digits.
    Sha512,
}

/// A blob's digest, `ALGORITHM:HEX`, checked for form.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Digest {
    /// The algorithm.
    pub algorithm: DigestAlgorithm,
    /// The encoded hash, lowercase hex of the algorithm's length (safe as a file name).
    pub hex: String,
}

impl Digest {
    /// Reads `sha256:HEX` or `sha512:HEX`; any other form is refused with the reason.
    pub fn parse(text: &str) -> Result<Digest, String> {
        let (algorithm, hex) = text
            .split_once(':')
            .ok_or_else(|| format!("`{text}` is not a digest (ALGORITHM:HEX)"))?;
        let (algorithm, length) = match algorithm {
            "sha256" => (DigestAlgorithm::Sha256, 64),
            "sha512" => (DigestAlgorithm::Sha512, 128),
            other => {
                return Err(format!(
                    "digest algorithm `{other}` is not sha256 or sha512"
                ))
            }
        };
        let lower_hex = hex
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b));
        if hex.len() != length || !lower_hex {
            return Err(format!(
                "`{text}` does not have {length} lowercase hex digits"
            ));
        }
        Ok(Digest {
            algorithm,
            hex: hex.to_string(),
        })
    }

    /// The algorithm's name, which is also the folder under `blobs/`.
    pub fn algorithm_name(&self) -> &'static str {
        match self.algorithm {
            DigestAlgorithm::Sha256 => "sha256",
            DigestAlgorithm::Sha512 => "sha512",
        }
    }

    /// `blobs/ALGORITHM/HEX`, the blob's path in a layout.
    pub fn blob_path(&self) -> String {
        format!("blobs/{}/{}", self.algorithm_name(), self.hex)
    }
}

impl fmt::Display for Digest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.algorithm_name(), self.hex)
    }
}
