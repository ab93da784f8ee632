//! Access roles and what each may do: the contract's "Who may do what" table, in one place.

use serde::{Deserialize, Serialize};
use std::str::FromStr;
use utoipa::ToSchema;

/// A member's access role in a team, from least to most powerful.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, ToSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum AccessRole {
    Viewer,
    Member,
    Editor,
    Admin,
    Owner,
}

impl AccessRole {
    pub fn as_str(self) -> &'static str {
        match self {
            AccessRole::Viewer => "viewer",
            AccessRole::Member => "member",
            AccessRole::Editor => "editor",
            AccessRole::Admin => "admin",
            AccessRole::Owner => "owner",
        }
    }
}

impl FromStr for AccessRole {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        Ok(match s {
            "viewer" => AccessRole::Viewer,
            "member" => AccessRole::Member,
            "editor" => AccessRole::Editor,
            "admin" => AccessRole::Admin,
            "owner" => AccessRole::Owner,
            other => return Err(format!("unknown access role {other:?}")),
        })
    }
}

/// Something a caller may want to do within a team.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Permission {
    /// Read the team's records (not the audit trail, not secrets).
    Read,
    /// Start instances, work tasks assigned to them, comment.
    Work,
    /// Edit definitions, branches, proposals; steer instances.
    Edit,
    /// Members, invitations, business roles, agents, webhooks, secrets, the audit trail.
    Administer,
    /// Team settings, branch protection, deleting the team, changing owners.
    Own,
}

impl Permission {
    /// The least access role that holds this permission.
    pub fn minimum_role(self) -> AccessRole {
        match self {
            Permission::Read => AccessRole::Viewer,
            Permission::Work => AccessRole::Member,
            Permission::Edit => AccessRole::Editor,
            Permission::Administer => AccessRole::Admin,
            Permission::Own => AccessRole::Owner,
        }
    }

    /// Whether `role` holds this permission.
    pub fn allowed_for(self, role: AccessRole) -> bool {
        role >= self.minimum_role()
    }
}

/// What a personal access token may do, on top of its user's rights.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, ToSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum TokenScope {
    /// Reads only (acts at most as a viewer).
    Read,
    /// Reads and everyday work and editing (acts at most as an editor).
    Write,
    /// Everything the user may do.
    Admin,
}

impl TokenScope {
    /// The most powerful access role a token with this scope acts as.
    pub fn role_cap(self) -> AccessRole {
        match self {
            TokenScope::Read => AccessRole::Viewer,
            TokenScope::Write => AccessRole::Editor,
            TokenScope::Admin => AccessRole::Owner,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_contract_table_holds() {
        use AccessRole::*;
        use Permission::*;
        let table = [
            (Viewer, vec![Read]),
            (Member, vec![Read, Work]),
            (Editor, vec![Read, Work, Edit]),
            (Admin, vec![Read, Work, Edit, Administer]),
            (Owner, vec![Read, Work, Edit, Administer, Own]),
        ];
        for (role, allowed) in table {
            for p in [Read, Work, Edit, Administer, Own] {
                assert_eq!(p.allowed_for(role), allowed.contains(&p), "{role:?} {p:?}");
            }
        }
    }

    #[test]
    fn roles_parse_from_their_names() {
        for r in [
            AccessRole::Viewer,
            AccessRole::Member,
            AccessRole::Editor,
            AccessRole::Admin,
            AccessRole::Owner,
        ] {
            assert_eq!(r.as_str().parse::<AccessRole>().unwrap(), r);
        }
        assert!("root".parse::<AccessRole>().is_err());
    }
}
