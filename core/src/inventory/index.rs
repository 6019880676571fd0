//! The inventory by path: resolving a container path to a node, through recorded links.

use std::collections::BTreeMap;

use super::{DeviceNode, Inventory};
use crate::names::resolve_dots;

/// How many links a device path may go through before it must be a node.
const MAX_LINK_HOPS: usize = 8;

impl Inventory {
    /// The node a container path names, following recorded links inside /dev: the plain
    /// lookup the index is tested against (compiles use [`Inventory::index`]).
    #[cfg(test)]
    pub(super) fn resolve(&self, path: &str) -> Option<&DeviceNode> {
        resolve_with(
            path,
            |path| self.devices.iter().find(|node| node.path == path),
            |path| {
                self.links
                    .iter()
                    .find(|link| link.path == path)
                    .map(|link| link.target.as_str())
            },
        )
    }

    /// Nodes and links by path, for compiles that resolve many paths.
    pub(crate) fn index(&self) -> InventoryIndex<'_> {
        let mut nodes = BTreeMap::new();
        for node in &self.devices {
            // The first entry of a path wins.
            nodes.entry(node.path.as_str()).or_insert(node);
        }
        let mut links = BTreeMap::new();
        for link in &self.links {
            links
                .entry(link.path.as_str())
                .or_insert(link.target.as_str());
        }
        InventoryIndex { nodes, links }
    }
}

/// An inventory's nodes and links by path, so that resolving a path costs O(log n) a lookup.
#[derive(Debug, Clone)]
pub struct InventoryIndex<'a> {
    nodes: BTreeMap<&'a str, &'a DeviceNode>,
    links: BTreeMap<&'a str, &'a str>,
}

impl<'a> InventoryIndex<'a> {
    pub fn resolve(&self, path: &str) -> Option<&'a DeviceNode> {
        resolve_with(
            path,
            |path| self.nodes.get(path).copied(),
            |path| self.links.get(path).copied(),
        )
    }
}

/// Follows links (at most [`MAX_LINK_HOPS`]) from `path` to a node, staying inside `/`.
fn resolve_with<'a>(
    path: &str,
    node: impl Fn(&str) -> Option<&'a DeviceNode>,
    link: impl Fn(&str) -> Option<&'a str>,
) -> Option<&'a DeviceNode> {
    let mut current = resolve_dots(path)?;
    for _ in 0..=MAX_LINK_HOPS {
        if let Some(node) = node(&current) {
            return Some(node);
        }
        let target = link(&current)?;
        current = if target.starts_with('/') {
            resolve_dots(target)?
        } else {
            let parent = current.rsplit_once('/').map_or("", |(parent, _)| parent);
            resolve_dots(&format!("{parent}/{target}"))?
        };
    }
    None
}
