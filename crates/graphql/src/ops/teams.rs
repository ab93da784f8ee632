//! The caller, organizations, teams, members, roles, tokens, two-factor sign-in and secrets.

use super::Arg::*;
use super::Ret::*;
use super::{deleted, one, page, Root};
use crate::r;

pub fn fields(root: &mut Root) {
    // The caller.
    root.query(
        "me",
        One("Me"),
        &[],
        "The caller with their team memberships.",
        r!(c => {
            let (s, ctx) = c.caller()?;
            one(s.me(&ctx).await)
        }),
    );
    root.query(
        "personalTokens",
        Page("PersonalToken"),
        &[],
        "The caller's personal access tokens.",
        r!(c => {
            let (s, ctx) = c.caller()?;
            page(s.list_personal_tokens(&ctx, c.page()?).await)
        }),
    );
    root.mutation(
        "createPersonalToken",
        One("CreatedPersonalToken"),
        &[Input("input", "NewPersonalToken")],
        "Create a personal access token; its secret is shown only in this answer.",
        r!(c => {
            let (s, ctx) = c.caller()?;
            one(s.create_personal_token(&ctx, c.input("input")?).await)
        }),
    );
    root.mutation(
        "revokePersonalToken",
        One("Deleted"),
        &[Id("tokenId")],
        "Revoke one of the caller's tokens.",
        r!(c => {
            let (s, ctx) = c.caller()?;
            deleted(&c, "tokenId", s.revoke_personal_token(&ctx, c.id("tokenId")?).await)
        }),
    );
    root.mutation(
        "enrolTotp",
        One("TotpEnrolment"),
        &[],
        "Start two-factor enrolment: a TOTP secret and recovery codes.",
        r!(c => {
            let (s, ctx) = c.caller()?;
            one(s.enrol_totp(&ctx).await)
        }),
    );
    root.mutation(
        "verifyTotp",
        One("User"),
        &[Input("input", "TotpCode")],
        "Confirm enrolment with a current code.",
        r!(c => {
            let (s, ctx) = c.caller()?;
            one(s.verify_totp(&ctx, c.input("input")?).await)
        }),
    );
    root.mutation(
        "disableTotp",
        One("User"),
        &[Input("input", "TotpCode")],
        "Turn two-factor sign-in off (a current code).",
        r!(c => {
            let (s, ctx) = c.caller()?;
            one(s.disable_totp(&ctx, c.input("input")?).await)
        }),
    );

    // Organizations and teams.
    root.query(
        "organizations",
        Page("Organization"),
        &[],
        "The organizations the caller belongs to.",
        r!(c => {
            let (s, ctx) = c.caller()?;
            page(s.list_organizations(&ctx, c.page()?).await)
        }),
    );
    root.query(
        "organization",
        One("Organization"),
        &[Id("id")],
        "One organization.",
        r!(c => {
            let (s, ctx) = c.caller()?;
            one(s.organization(&ctx, c.id("id")?).await)
        }),
    );
    root.mutation(
        "createOrganization",
        One("Organization"),
        &[Input("input", "NewOrganization")],
        "Create an organization; the caller becomes its owner.",
        r!(c => {
            let (s, ctx) = c.caller()?;
            one(s.create_organization(&ctx, c.input("input")?).await)
        }),
    );
    root.query(
        "teams",
        Page("Team"),
        &[],
        "The teams the caller belongs to.",
        r!(c => {
            let (s, ctx) = c.caller()?;
            page(s.list_teams(&ctx, c.page()?).await)
        }),
    );
    root.query(
        "team",
        One("Team"),
        &[Id("id")],
        "One team, with its lists as nested fields.",
        r!(c => {
            let (s, ctx) = c.caller()?;
            one(s.team(&ctx, c.id("id")?).await)
        }),
    );
    root.mutation(
        "createTeam",
        One("Team"),
        &[Input("input", "NewTeam")],
        "Create a team in an organization.",
        r!(c => {
            let (s, ctx) = c.caller()?;
            one(s.create_team(&ctx, c.input("input")?).await)
        }),
    );
    root.mutation(
        "updateTeam",
        One("Team"),
        &[Id("teamId"), Input("input", "TeamUpdate")],
        "Change a team's name, description or settings (owners).",
        r!(c => {
            let (s, ctx) = c.caller()?;
            one(s.update_team(&ctx, c.id("teamId")?, c.input("input")?).await)
        }),
    );
    root.mutation(
        "deleteTeam",
        One("Deleted"),
        &[Id("teamId")],
        "Delete a team (owners).",
        r!(c => {
            let (s, ctx) = c.caller()?;
            deleted(&c, "teamId", s.delete_team(&ctx, c.id("teamId")?).await)
        }),
    );

    // Members and invitations.
    root.query(
        "members",
        Page("TeamMember"),
        &[Id("teamId")],
        "The team's members.",
        r!(c => {
            let (s, ctx) = c.caller()?;
            page(s.list_members(&ctx, c.id("teamId")?, c.page()?).await)
        }),
    );
    root.query(
        "member",
        One("TeamMember"),
        &[Id("teamId"), Id("userId")],
        "One member.",
        r!(c => {
            let (s, ctx) = c.caller()?;
            one(s.member(&ctx, c.id("teamId")?, c.id("userId")?).await)
        }),
    );
    root.mutation(
        "addMember",
        One("TeamMember"),
        &[Id("teamId"), Input("input", "NewMember")],
        "Add a member by email (admins); an unknown email gets an invitation.",
        r!(c => {
            let (s, ctx) = c.caller()?;
            one(s.add_member(&ctx, c.id("teamId")?, c.input("input")?).await)
        }),
    );
    root.mutation(
        "updateMember",
        One("TeamMember"),
        &[Id("teamId"), Id("userId"), Input("input", "MemberUpdate")],
        "Change a member's access role, business roles or status (admins).",
        r!(c => {
            let (s, ctx) = c.caller()?;
            one(s.update_member(&ctx, c.id("teamId")?, c.id("userId")?, c.input("input")?).await)
        }),
    );
    root.mutation(
        "removeMember",
        One("Deleted"),
        &[Id("teamId"), Id("userId")],
        "Remove a member (admins).",
        r!(c => {
            let (s, ctx) = c.caller()?;
            deleted(&c, "userId", s.remove_member(&ctx, c.id("teamId")?, c.id("userId")?).await)
        }),
    );
    root.query(
        "invitations",
        Page("Invitation"),
        &[Id("teamId")],
        "The team's open invitations (admins).",
        r!(c => {
            let (s, ctx) = c.caller()?;
            page(s.list_invitations(&ctx, c.id("teamId")?, c.page()?).await)
        }),
    );
    root.mutation(
        "revokeInvitation",
        One("Deleted"),
        &[Id("teamId"), Id("invitationId")],
        "Revoke an invitation (admins).",
        r!(c => {
            let (s, ctx) = c.caller()?;
            deleted(&c, "invitationId", s.revoke_invitation(&ctx, c.id("teamId")?, c.id("invitationId")?).await)
        }),
    );
    root.mutation(
        "createAgent",
        One("CreatedAgent"),
        &[Id("teamId"), Input("input", "NewAgent")],
        "Create an AI agent member and its token (shown only in this answer).",
        r!(c => {
            let (s, ctx) = c.caller()?;
            one(s.create_agent(&ctx, c.id("teamId")?, c.input("input")?).await)
        }),
    );

    // Business roles.
    root.query(
        "roles",
        Page("Role"),
        &[Id("teamId")],
        "The team's business roles.",
        r!(c => {
            let (s, ctx) = c.caller()?;
            page(s.list_roles(&ctx, c.id("teamId")?, c.page()?).await)
        }),
    );
    root.query(
        "role",
        One("Role"),
        &[Id("teamId"), Id("roleId")],
        "One business role.",
        r!(c => {
            let (s, ctx) = c.caller()?;
            one(s.role(&ctx, c.id("teamId")?, c.id("roleId")?).await)
        }),
    );
    root.mutation(
        "createRole",
        One("Role"),
        &[Id("teamId"), Input("input", "RoleInput")],
        "Create a business role (admins).",
        r!(c => {
            let (s, ctx) = c.caller()?;
            one(s.create_role(&ctx, c.id("teamId")?, c.input("input")?).await)
        }),
    );
    root.mutation(
        "updateRole",
        One("Role"),
        &[Id("teamId"), Id("roleId"), Input("input", "RoleInput")],
        "Replace a business role (admins).",
        r!(c => {
            let (s, ctx) = c.caller()?;
            one(s.update_role(&ctx, c.id("teamId")?, c.id("roleId")?, c.input("input")?).await)
        }),
    );
    root.mutation(
        "deleteRole",
        One("Deleted"),
        &[Id("teamId"), Id("roleId")],
        "Delete a business role (admins).",
        r!(c => {
            let (s, ctx) = c.caller()?;
            deleted(&c, "roleId", s.delete_role(&ctx, c.id("teamId")?, c.id("roleId")?).await)
        }),
    );

    // Secrets (values are never read back).
    root.query(
        "secrets",
        Page("SecretInfo"),
        &[Id("teamId")],
        "The team's secrets, without their values (admins).",
        r!(c => {
            let (s, ctx) = c.caller()?;
            page(s.list_secrets(&ctx, c.id("teamId")?, c.page()?).await)
        }),
    );
    root.mutation(
        "createSecret",
        One("SecretInfo"),
        &[Id("teamId"), Input("input", "NewSecret")],
        "Store a secret for automation (admins).",
        r!(c => {
            let (s, ctx) = c.caller()?;
            one(s.create_secret(&ctx, c.id("teamId")?, c.input("input")?).await)
        }),
    );
    root.mutation("updateSecret", One("SecretInfo"), &[Id("teamId"), Text("name"), Input("input", "SecretValue")], "Replace a secret's value (admins).", r!(c => {
        let (s, ctx) = c.caller()?;
        one(s.update_secret(&ctx, c.id("teamId")?, &c.required_text("name")?, c.input("input")?).await)
    }));
    root.mutation(
        "deleteSecret",
        One("Deleted"),
        &[Id("teamId"), Text("name")],
        "Delete a secret (admins).",
        r!(c => {
            let (s, ctx) = c.caller()?;
            deleted(&c, "name", s.delete_secret(&ctx, c.id("teamId")?, &c.required_text("name")?).await)
        }),
    );
}
