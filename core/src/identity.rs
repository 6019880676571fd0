//! User and group names, resolved through the text of the rootfs `/etc/passwd` and `/etc/group`.
//! Lookups scan the text line by line: most compiles look up one name; many group names share
//! one table.

use std::collections::btree_map::Entry;
use std::collections::BTreeMap;

/// One `/etc/passwd` line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PasswdEntry<'a> {
    pub name: &'a str,
    pub uid: u32,
    pub gid: u32,
}

/// One `/etc/group` line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GroupEntry<'a> {
    pub name: &'a str,
    pub gid: u32,
    members: &'a str,
}

impl GroupEntry<'_> {
    pub fn has_member(&self, user: &str) -> bool {
        self.members.split(',').any(|member| member.trim() == user)
    }
}

/// Group ids by name. Positions into `gids` rather than the ids themselves: every index in
/// the core is a `BTreeMap<&str, usize>`, one copy of the B-tree code in WebAssembly.
#[derive(Debug, Clone, Default)]
pub struct GroupIds<'a> {
    gids: Vec<u32>,
    by_name: BTreeMap<&'a str, usize>,
}

impl GroupIds<'_> {
    pub fn get(&self, name: &str) -> Option<u32> {
        self.by_name
            .get(name)
            .and_then(|&i| self.gids.get(i))
            .copied()
    }
}

/// The identity files of a rootfs; either may be absent.
#[derive(Debug, Clone, Copy, Default)]
pub struct Identity<'a> {
    pub passwd: Option<&'a str>,
    pub groups: Option<&'a str>,
}

impl<'a> Identity<'a> {
    pub fn new(passwd: Option<&'a str>, group: Option<&'a str>) -> Identity<'a> {
        Identity {
            passwd,
            groups: group,
        }
    }

    pub fn user_by_name(&self, name: &str) -> Option<PasswdEntry<'a>> {
        // Lines of other users are skipped before their fields are read.
        let prefix = |line: &&str| {
            line.trim_start()
                .strip_prefix(name)
                .is_some_and(|rest| rest.trim_start().starts_with(':'))
        };
        self.passwd
            .unwrap_or("")
            .lines()
            .filter(prefix)
            .filter_map(passwd_entry)
            .find(|entry| entry.name == name)
    }

    pub fn user_by_uid(&self, uid: u32) -> Option<PasswdEntry<'a>> {
        self.users().find(|entry| entry.uid == uid)
    }

    /// Every group's gid by name; the first line of a name wins.
    pub fn group_ids_by_name(&self) -> GroupIds<'a> {
        let mut ids = GroupIds::default();
        for entry in self.group_entries() {
            if let Entry::Vacant(slot) = ids.by_name.entry(entry.name) {
                slot.insert(ids.gids.len());
                ids.gids.push(entry.gid);
            }
        }
        ids
    }

    /// Gids of the groups that list `user` as a member, in file order.
    pub fn memberships(&self, user: &str) -> Vec<u32> {
        self.group_entries()
            .filter(|group| group.has_member(user))
            .map(|group| group.gid)
            .collect()
    }

    fn users(&self) -> impl Iterator<Item = PasswdEntry<'a>> {
        self.passwd.unwrap_or("").lines().filter_map(passwd_entry)
    }

    fn group_entries(&self) -> impl Iterator<Item = GroupEntry<'a>> {
        self.groups.unwrap_or("").lines().filter_map(|line| {
            let mut fields = line.split(':');
            let name = fields.next()?.trim();
            let _password = fields.next()?;
            let gid = fields.next()?.parse().ok()?;
            let members = fields.next().unwrap_or("");
            (!name.is_empty() && !name.starts_with('#')).then_some(GroupEntry {
                name,
                gid,
                members,
            })
        })
    }
}

/// Lines that are blank, comments or malformed are skipped, as libc does.
fn passwd_entry(line: &str) -> Option<PasswdEntry<'_>> {
    let mut fields = line.split(':');
    let name = fields.next()?.trim();
    let _password = fields.next()?;
    let uid = fields.next()?.parse().ok()?;
    let gid = fields.next()?.parse().ok()?;
    (!name.is_empty() && !name.starts_with('#')).then_some(PasswdEntry { name, uid, gid })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_entries_and_memberships() {
        let identity = Identity::new(
            Some("root:x:0:0:root:/root:/bin/sh\n# comment\nnginx:x:101:101::/:/sbin/nologin\nbroken\n"),
            Some("root:x:0:\nvideo:x:44:nginx,ops\nstaff:x:50:\n"),
        );
        assert_eq!(
            identity.user_by_name("nginx").map(|u| (u.uid, u.gid)),
            Some((101, 101))
        );
        assert_eq!(identity.group_ids_by_name().get("staff"), Some(50));
        assert_eq!(identity.memberships("nginx"), vec![44]);
        assert_eq!(identity.user_by_name("broken"), None);
        assert_eq!(identity.user_by_uid(0).map(|u| u.name), Some("root"));
    }
}
