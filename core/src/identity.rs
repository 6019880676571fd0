//! User and group names, resolved through the text of the rootfs `/etc/passwd` and `/etc/group`.

/// One `/etc/passwd` line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PasswdEntry {
    pub name: String,
    pub uid: u32,
    pub gid: u32,
}

/// One `/etc/group` line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GroupEntry {
    pub name: String,
    pub gid: u32,
    pub members: Vec<String>,
}

/// The identity files of a rootfs; either may be absent.
#[derive(Debug, Clone, Default)]
pub struct Identity {
    pub passwd: Option<Vec<PasswdEntry>>,
    pub groups: Option<Vec<GroupEntry>>,
}

impl Identity {
    /// Lines that are blank, comments or malformed are skipped, as libc does.
    pub fn parse(passwd: Option<&str>, group: Option<&str>) -> Identity {
        Identity { passwd: passwd.map(parse_passwd), groups: group.map(parse_group) }
    }

    pub fn user_by_name(&self, name: &str) -> Option<&PasswdEntry> {
        self.passwd.as_ref()?.iter().find(|entry| entry.name == name)
    }

    pub fn user_by_uid(&self, uid: u32) -> Option<&PasswdEntry> {
        self.passwd.as_ref()?.iter().find(|entry| entry.uid == uid)
    }

    pub fn group_by_name(&self, name: &str) -> Option<&GroupEntry> {
        self.groups.as_ref()?.iter().find(|entry| entry.name == name)
    }

    /// Gids of the groups that list `user` as a member, in file order.
    pub fn memberships(&self, user: &str) -> Vec<u32> {
        self.groups
            .iter()
            .flatten()
            .filter(|group| group.members.iter().any(|member| member == user))
            .map(|group| group.gid)
            .collect()
    }
}

fn parse_passwd(text: &str) -> Vec<PasswdEntry> {
    text.lines()
        .filter_map(|line| {
            let mut fields = line.split(':');
            let name = fields.next()?.trim();
            let _password = fields.next()?;
            let uid = fields.next()?.parse().ok()?;
            let gid = fields.next()?.parse().ok()?;
            (!name.is_empty() && !name.starts_with('#')).then(|| PasswdEntry { name: name.to_string(), uid, gid })
        })
        .collect()
}

fn parse_group(text: &str) -> Vec<GroupEntry> {
    text.lines()
        .filter_map(|line| {
            let mut fields = line.split(':');
            let name = fields.next()?.trim();
            let _password = fields.next()?;
            let gid = fields.next()?.parse().ok()?;
            let members = fields
                .next()
                .unwrap_or("")
                .split(',')
                .map(str::trim)
                .filter(|member| !member.is_empty())
                .map(str::to_string)
                .collect();
            (!name.is_empty() && !name.starts_with('#')).then(|| GroupEntry { name: name.to_string(), gid, members })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_entries_and_memberships() {
        let identity = Identity::parse(
            Some("root:x:0:0:root:/root:/bin/sh\n# comment\nnginx:x:101:101::/:/sbin/nologin\nbroken\n"),
            Some("root:x:0:\nvideo:x:44:nginx,ops\nstaff:x:50:\n"),
        );
        assert_eq!(identity.user_by_name("nginx").map(|u| (u.uid, u.gid)), Some((101, 101)));
        assert_eq!(identity.group_by_name("staff").map(|g| g.gid), Some(50));
        assert_eq!(identity.memberships("nginx"), vec![44]);
        assert_eq!(identity.user_by_name("broken"), None);
    }
}
