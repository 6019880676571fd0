//! The node's platform in OCI's words, and choosing the manifest that runs on it from an index.

use std::fmt;

use super::Descriptor;
use crate::codes;
use crate::diagnostic::{Diagnostic, Loc};

/// An OCI platform: `os`, `architecture` and the optional `variant`.
#[derive(Debug, Clone, PartialEq, Eq, serde::Deserialize)]
pub struct Platform {
    /// `os` (bundlec runs `linux` containers).
    pub os: String,
    /// `architecture` in Go's names (`amd64`, `arm64`).
    pub architecture: String,
    /// `variant` (`v8` for arm64, `v7` for 32-bit arm), when there is one.
    #[serde(default)]
    pub variant: Option<String>,
}

impl fmt::Display for Platform {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.os, self.architecture)?;
        match &self.variant {
            Some(variant) => write!(f, "/{variant}"),
            None => Ok(()),
        }
    }
}

/// The Linux platform of a machine whose `uname -m` is `machine` (the inventory's `host.arch`);
/// OCI's own names are taken as they are. `None` for a name OCI has no architecture for.
pub fn platform_for_arch(machine: &str) -> Option<Platform> {
    let (architecture, variant) = match machine {
        "x86_64" | "amd64" => ("amd64", None),
        "i386" | "i486" | "i586" | "i686" | "386" => ("386", None),
        "aarch64" | "arm64" | "aarch64_be" => ("arm64", Some("v8")),
        "armv7l" | "armv7" | "armv8l" => ("arm", Some("v7")),
        "armv6l" | "armv6" => ("arm", Some("v6")),
        "armv5tel" | "armv5tejl" | "armv5l" => ("arm", Some("v5")),
        "ppc64le" => ("ppc64le", None),
        "ppc64" => ("ppc64", None),
        "s390x" => ("s390x", None),
        "riscv64" => ("riscv64", None),
        "mips64" => ("mips64", None),
        "mips64el" | "mips64le" => ("mips64le", None),
        "mips" => ("mips", None),
        "mipsel" | "mipsle" => ("mipsle", None),
        "loongarch64" | "loong64" => ("loong64", None),
        _ => return None,
    };
    Some(Platform {
        os: "linux".to_string(),
        architecture: architecture.to_string(),
        variant: variant.map(str::to_string),
    })
}

/// How well an image for `offered` runs on `node`: `None` when it does not; higher is better.
/// The exact variant is best, then none named; a 32-bit arm node also runs older arm variants
/// (a v7 node runs v6 and v5 images), newest first.
pub fn platform_score(offered: &Platform, node: &Platform) -> Option<u32> {
    if offered.os != node.os || offered.architecture != node.architecture {
        return None;
    }
    let architecture = node.architecture.as_str();
    match (&offered.variant, &node.variant) {
        (None, _) => Some(100),
        (Some(offered), Some(node)) if offered == node => Some(200),
        (Some(offered), Some(node)) if node_runs_older_arm(architecture, offered, node) => {
            arm_version(offered)
        }
        _ => None,
    }
    .or_else(|| {
        // `arm64` with no variant on the node side: `v8` is the only one.
        (node.variant.is_none() && offered.variant.as_deref() == Some("v8")).then_some(150)
    })
}

fn node_runs_older_arm(architecture: &str, offered: &str, node: &str) -> bool {
    architecture == "arm"
        && matches!((arm_version(offered), arm_version(node)), (Some(o), Some(n)) if o < n)
}

fn arm_version(variant: &str) -> Option<u32> {
    variant.strip_prefix('v')?.parse().ok()
}

/// The entry that runs on `node`: among several, the best platform match (the first of equal
/// ones, in index order); a lone entry without a platform is taken as it is. None matching is
/// an error listing the platforms offered; several untagged entries without platforms are
/// ambiguous.
pub fn choose_platform<'a>(
    candidates: &[&'a Descriptor],
    node: &Platform,
    at: &str,
) -> Result<&'a Descriptor, Diagnostic> {
    if let [only] = candidates {
        if only.platform.is_none() {
            return Ok(only);
        }
    }
    let mut best: Option<(u32, &Descriptor)> = None;
    for candidate in candidates {
        let score = candidate
            .platform
            .as_ref()
            .and_then(|offered| platform_score(offered, node));
        if let Some(score) = score {
            if best.is_none_or(|(top, _)| score > top) {
                best = Some((score, candidate));
            }
        }
    }
    if let Some((_, chosen)) = best {
        return Ok(chosen);
    }
    let offered: Vec<String> = candidates
        .iter()
        .map(|candidate| {
            candidate
                .platform
                .as_ref()
                .map_or_else(|| "no platform".to_string(), Platform::to_string)
        })
        .collect();
    let message = if candidates
        .iter()
        .all(|candidate| candidate.platform.is_none())
    {
        let tags: Vec<String> = candidates
            .iter()
            .map(|c| c.tag.clone().unwrap_or_else(|| c.digest.to_string()))
            .map(|t| format!("`{t}`"))
            .collect();
        format!(
            "the image index has {} manifests and none was chosen; name one: {}",
            candidates.len(),
            tags.join(", ")
        )
    } else {
        format!(
            "the image has no manifest for the node's platform {node}; it has {}",
            offered.join(", ")
        )
    };
    Err(Diagnostic::error_at(
        codes::IMAGE_PLATFORM_MISSING,
        &Loc::at(at),
        message,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn platform(text: &str) -> Platform {
        let mut parts = text.split('/');
        Platform {
            os: parts.next().unwrap().to_string(),
            architecture: parts.next().unwrap().to_string(),
            variant: parts.next().map(str::to_string),
        }
    }

    #[test]
    fn uname_names_map_to_oci_names() {
        let cases = [
            ("x86_64", "linux/amd64"),
            ("aarch64", "linux/arm64/v8"),
            ("armv7l", "linux/arm/v7"),
            ("armv6l", "linux/arm/v6"),
            ("i686", "linux/386"),
            ("ppc64le", "linux/ppc64le"),
            ("s390x", "linux/s390x"),
            ("riscv64", "linux/riscv64"),
            ("loongarch64", "linux/loong64"),
            ("amd64", "linux/amd64"),
        ];
        for (machine, expected) in cases {
            assert_eq!(
                platform_for_arch(machine).unwrap().to_string(),
                expected,
                "{machine}"
            );
        }
        assert_eq!(platform_for_arch("vax"), None);
    }

    #[test]
    fn variants_are_matched_as_runtimes_do() {
        let arm64 = platform("linux/arm64/v8");
        assert_eq!(
            platform_score(&platform("linux/arm64/v8"), &arm64),
            Some(200)
        );
        assert_eq!(platform_score(&platform("linux/arm64"), &arm64), Some(100));
        assert_eq!(platform_score(&platform("linux/amd64"), &arm64), None);
        assert_eq!(platform_score(&platform("windows/arm64"), &arm64), None);
        let arm7 = platform("linux/arm/v7");
        assert_eq!(platform_score(&platform("linux/arm/v6"), &arm7), Some(6));
        assert_eq!(platform_score(&platform("linux/arm/v8"), &arm7), None);
        let arm6 = platform("linux/arm/v6");
        assert_eq!(platform_score(&platform("linux/arm/v7"), &arm6), None);
        let bare_arm64 = platform("linux/arm64");
        assert_eq!(
            platform_score(&platform("linux/arm64/v8"), &bare_arm64),
            Some(150)
        );
    }
}
