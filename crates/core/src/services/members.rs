//! Members, invitations by email, and AI agent members.

use chrono::Duration;
use serde_json::json;
use uuid::Uuid;

use super::{Ctx, Services};
use crate::access::{AccessRole, Permission};
use crate::auth::opaque;
use crate::error::{Error, Result, Violations};
use crate::model::*;
use crate::page::{Page, PageRequest};
use crate::store::Tx;
use crate::validate;

/// Agents never administer or own a team.
fn check_agent_role(role: AccessRole) -> Result<()> {
    if role >= AccessRole::Admin {
        return Err(Error::forbidden(
            "an agent may be a viewer, a member or an editor, never an admin or an owner",
        ));
    }
    Ok(())
}

impl Services {
    /// Checks that every id names a business role of the team.
    async fn check_roles(
        &self,
        tx: &mut dyn Tx,
        team_id: Uuid,
        roles: &[Uuid],
        field: &str,
    ) -> Result<Vec<Uuid>> {
        let mut roles = roles.to_vec();
        roles.sort();
        roles.dedup();
        if roles.len() > 100 {
            return Err(Error::invalid(field, "too_many", "at most 100 roles"));
        }
        if tx.count_roles(team_id, &roles).await? != roles.len() as i64 {
            return Err(Error::unknown_reference(
                field,
                "every role must be a business role of this team",
            ));
        }
        Ok(roles)
    }

    /// `GET /v1/teams/{team_id}/members`.
    pub async fn list_members(
        &self,
        ctx: &Ctx,
        team_id: Uuid,
        page: PageRequest,
    ) -> Result<Page<TeamMember>> {
        let mut tx = self.store.read().await?;
        self.team_access(tx.as_mut(), &ctx.actor, team_id, Permission::Read)
            .await?;
        tx.list_members(team_id, page).await
    }

    /// `GET /v1/teams/{team_id}/members/{user_id}`.
    pub async fn member(&self, ctx: &Ctx, team_id: Uuid, user_id: Uuid) -> Result<TeamMember> {
        let mut tx = self.store.read().await?;
        self.team_access(tx.as_mut(), &ctx.actor, team_id, Permission::Read)
            .await?;
        tx.member(team_id, user_id)
            .await?
            .ok_or_else(|| Error::not_found("member"))
    }

    /// `POST /v1/teams/{team_id}/members`: a known user joins at once; an unknown email becomes
    /// a pending invitation that registering with that email accepts.
    pub async fn add_member(
        &self,
        ctx: &Ctx,
        team_id: Uuid,
        input: NewMember,
    ) -> Result<TeamMember> {
        let mut tx = self.store.begin().await?;
        let access = self
            .team_access(tx.as_mut(), &ctx.actor, team_id, Permission::Administer)
            .await?;
        let mut v = Violations::new();
        validate::email(&mut v, "/email", input.email.trim());
        v.finish()?;
        if input.access_role == AccessRole::Owner && access.role < AccessRole::Owner {
            return Err(Error::forbidden("only owners make owners"));
        }
        let roles = self
            .check_roles(tx.as_mut(), team_id, &input.roles, "/roles")
            .await?;
        let email = validate::normalize_email(&input.email);
        let now = now();
        if let Some(user) = tx.user_by_email(&email).await? {
            if user.kind == UserKind::Agent {
                check_agent_role(input.access_role)?;
            }
            if tx.member(team_id, user.id).await?.is_some() {
                return Err(Error::conflict("this user is a member already"));
            }
            tx.insert_member(team_id, user.id, input.access_role, &roles, now)
                .await?;
            tx.put_organization_member(access.team.organization_id, user.id, "member")
                .await?;
            let data =
                json!({"user_id": user.id, "access_role": input.access_role, "roles": roles});
            tx.append_event(ctx.team_event(team_id, "member.added", ("user", user.id), data))
                .await?;
            let member = tx
                .member(team_id, user.id)
                .await?
                .ok_or_else(|| Error::internal("member vanished"))?;
            tx.commit().await?;
            return Ok(member);
        }
        if tx.pending_invitation(team_id, &email).await?.is_some() {
            return Err(Error::conflict(
                "this email has a pending invitation already",
            ));
        }
        let invitation = Invitation {
            id: new_id(),
            team_id,
            email: email.clone(),
            access_role: input.access_role,
            roles: roles.clone(),
            invited_by: ctx.actor.user.id,
            created_at: now,
            expires_at: now + Duration::days(self.config.invitation_ttl_days),
        };
        tx.insert_invitation(&invitation).await?;
        let data = json!({"access_role": input.access_role, "roles": roles});
        tx.append_event(ctx.team_event(
            team_id,
            "invitation.created",
            ("invitation", invitation.id),
            data,
        ))
        .await?;
        tx.commit().await?;
        Ok(TeamMember {
            team_id,
            user_id: None,
            email,
            display_name: None,
            kind: None,
            access_role: invitation.access_role,
            roles,
            status: MemberStatus::Pending,
            invitation_id: Some(invitation.id),
            joined_at: None,
        })
    }

    /// `PUT /v1/teams/{team_id}/members/{user_id}`: admins change roles; only owners touch
    /// owners; the last owner stays an owner.
    pub async fn update_member(
        &self,
        ctx: &Ctx,
        team_id: Uuid,
        user_id: Uuid,
        input: MemberUpdate,
    ) -> Result<TeamMember> {
        let mut tx = self.store.begin().await?;
        let access = self
            .team_access(tx.as_mut(), &ctx.actor, team_id, Permission::Administer)
            .await?;
        let current = tx
            .member(team_id, user_id)
            .await?
            .ok_or_else(|| Error::not_found("member"))?;
        let role = input.access_role.unwrap_or(current.access_role);
        let roles = match &input.roles {
            Some(r) => self.check_roles(tx.as_mut(), team_id, r, "/roles").await?,
            None => current.roles.clone(),
        };
        let touches_owner = current.access_role == AccessRole::Owner || role == AccessRole::Owner;
        if touches_owner && role != current.access_role && access.role < AccessRole::Owner {
            return Err(Error::forbidden("only owners change owners"));
        }
        if current.access_role == AccessRole::Owner
            && role != AccessRole::Owner
            && tx.count_owners(team_id).await? <= 1
        {
            return Err(Error::conflict(
                "the last owner cannot step down; make another owner first",
            ));
        }
        if current.kind == Some(UserKind::Agent) && role != current.access_role {
            check_agent_role(role)?;
        }
        tx.update_member(team_id, user_id, role, &roles).await?;
        let data = json!({"user_id": user_id, "access_role": role, "previous_access_role": current.access_role, "roles": roles});
        tx.append_event(ctx.team_event(team_id, "member.updated", ("user", user_id), data))
            .await?;
        let member = tx
            .member(team_id, user_id)
            .await?
            .ok_or_else(|| Error::internal("member vanished"))?;
        tx.commit().await?;
        Ok(member)
    }

    /// `DELETE /v1/teams/{team_id}/members/{user_id}`: admins remove members, anyone leaves;
    /// only owners remove owners; the last owner cannot leave.
    pub async fn remove_member(
        &self,
        ctx: &Ctx,
        team_id: Uuid,
        user_id: Uuid,
    ) -> Result<TeamMember> {
        let mut tx = self.store.begin().await?;
        let leaving = user_id == ctx.actor.user.id;
        let needed = if leaving {
            Permission::Read
        } else {
            Permission::Administer
        };
        let access = self
            .team_access(tx.as_mut(), &ctx.actor, team_id, needed)
            .await?;
        let current = tx
            .member(team_id, user_id)
            .await?
            .ok_or_else(|| Error::not_found("member"))?;
        if current.access_role == AccessRole::Owner {
            if !leaving && access.role < AccessRole::Owner {
                return Err(Error::forbidden("only owners remove owners"));
            }
            if tx.count_owners(team_id).await? <= 1 {
                return Err(Error::conflict(
                    "the last owner cannot leave; make another owner first or delete the team",
                ));
            }
        }
        tx.delete_member(team_id, user_id).await?;
        let kind = if leaving {
            "member.left"
        } else {
            "member.removed"
        };
        tx.append_event(ctx.team_event(
            team_id,
            kind,
            ("user", user_id),
            json!({"user_id": user_id}),
        ))
        .await?;
        tx.commit().await?;
        Ok(current)
    }

    /// `GET /v1/teams/{team_id}/invitations`.
    pub async fn list_invitations(
        &self,
        ctx: &Ctx,
        team_id: Uuid,
        page: PageRequest,
    ) -> Result<Page<Invitation>> {
        let mut tx = self.store.read().await?;
        self.team_access(tx.as_mut(), &ctx.actor, team_id, Permission::Administer)
            .await?;
        tx.list_invitations(team_id, page).await
    }

    /// `DELETE /v1/teams/{team_id}/invitations/{invitation_id}`.
    pub async fn revoke_invitation(
        &self,
        ctx: &Ctx,
        team_id: Uuid,
        invitation_id: Uuid,
    ) -> Result<()> {
        let mut tx = self.store.begin().await?;
        self.team_access(tx.as_mut(), &ctx.actor, team_id, Permission::Administer)
            .await?;
        if !tx.delete_invitation(team_id, invitation_id).await? {
            return Err(Error::not_found("invitation"));
        }
        tx.append_event(ctx.team_event(
            team_id,
            "invitation.revoked",
            ("invitation", invitation_id),
            json!({}),
        ))
        .await?;
        tx.commit().await
    }

    /// `POST /v1/teams/{team_id}/agents`: an AI agent member with its own team-bound token.
    pub async fn create_agent(
        &self,
        ctx: &Ctx,
        team_id: Uuid,
        input: NewAgent,
    ) -> Result<CreatedAgent> {
        let mut tx = self.store.begin().await?;
        let access = self
            .team_access(tx.as_mut(), &ctx.actor, team_id, Permission::Administer)
            .await?;
        let mut v = Violations::new();
        validate::text(&mut v, "/display_name", &input.display_name, 1, 200);
        let role: AccessRole = input
            .access_role
            .map(Into::into)
            .unwrap_or(AccessRole::Member);
        if !matches!(role, AccessRole::Member | AccessRole::Editor) {
            v.add(
                "/access_role",
                "agent_role",
                "an agent is a member or an editor",
            );
        }
        v.finish()?;
        let roles = self
            .check_roles(tx.as_mut(), team_id, &input.roles, "/roles")
            .await?;
        let now = now();
        let id = new_id();
        let user = User {
            id,
            email: format!("agent-{}@agents.orgata.invalid", id.simple()),
            display_name: input.display_name.trim().to_string(),
            kind: UserKind::Agent,
            mfa_enabled: false,
            created_at: now,
            updated_at: now,
        };
        tx.insert_user(&user).await?;
        tx.insert_member(team_id, user.id, role, &roles, now)
            .await?;
        tx.put_organization_member(access.team.organization_id, user.id, "member")
            .await?;
        let secret = opaque::generate(opaque::PAT_PREFIX);
        let token = PersonalToken {
            id: new_id(),
            user_id: user.id,
            name: format!("agent token for team {team_id}"),
            scopes: vec![],
            team_id: Some(team_id),
            expires_at: None,
            last_used_at: None,
            created_at: now,
        };
        tx.insert_personal_token(&token, &opaque::digest(&secret))
            .await?;
        let data =
            json!({"user_id": user.id, "access_role": role, "roles": roles, "kind": "agent"});
        tx.append_event(ctx.team_event(team_id, "agent.created", ("user", user.id), data))
            .await?;
        tx.commit().await?;
        Ok(CreatedAgent {
            user,
            token: secret,
        })
    }
}
