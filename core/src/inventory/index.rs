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
        InventoryIndex {
            inventory: self,
            nodes: first_by_path(self.devices.iter().map(|node| node.path.as_str())),
            links: first_by_path(self.links.iter().map(|link| link.path.as_str())),
        }
    }
}

/// Each path's first position in `paths`.
fn first_by_path<'a>(paths: impl Iterator<Item = &'a str>) -> BTreeMap<&'a str, usize> {
    let mut positions = BTreeMap::new();
    for (i, path) in paths.enumerate() {
        positions.entry(path).or_insert(i);
    }
    positions
}

/// An inventory's nodes and links by path, so that resolving a path costs O(log n) a lookup.
/// Positions rather than references: every index in the core is a `BTreeMap<&str, usize>`,
/// so the WebAssembly module carries one copy of the B-tree code for all of them.
#[derive(Debug, Clone)]
pub struct InventoryIndex<'a> {
    inventory: &'a Inventory,
    nodes: BTreeMap<&'a str, usize>,
    links: BTreeMap<&'a str, usize>,
}

impl<'a> InventoryIndex<'a> {
    pub fn resolve(&self, path: &str) -> Option<&'a DeviceNode> {
        resolve_with(
            path,
            |path| {
                self.nodes
                    .get(path)
                    .and_then(|&i| self.inventory.devices.get(i))
            },
            |path| {
                self.links
                    .get(path)
                    .and_then(|&i| self.inventory.links.get(i))
                    .map(|link| link.target.as_str())
            },
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
