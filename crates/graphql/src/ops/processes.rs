//! Playbooks (processes), documents and business rules: versioned definitions read from and
//! saved on a branch (`ref`, default `main`).

use orgata_core::versioning::DefKind;

use super::Arg::*;
use super::Ret::*;
use super::{deleted, one, page, Root};
use crate::r;

pub fn fields(root: &mut Root) {
    root.query(
        "processes",
        Page("Playbook"),
        &[Id("teamId"), OptText("ref")],
        "The team's playbooks as of a branch or commit.",
        r!(c => {
            let (s, ctx) = c.caller()?;
            let reference = c.text("ref")?;
            page(s.list_playbooks(&ctx, c.id("teamId")?, reference.as_deref(), c.page()?).await)
        }),
    );
    root.query("process", One("Playbook"), &[Id("teamId"), Id("processId"), OptText("ref")],
        "One playbook as of a branch or commit.", r!(c => {
        let (s, ctx) = c.caller()?;
        let reference = c.text("ref")?;
        one(s.get_playbook(&ctx, c.id("teamId")?, c.id("processId")?, reference.as_deref()).await)
    }));
    root.mutation("createProcess", One("Playbook"), &[Id("teamId"), Input("input", "PlaybookInput"), OptText("ref")],
        "Create a playbook (a process definition) on a branch (editors).", r!(c => {
        let (s, ctx) = c.caller()?;
        let reference = c.text("ref")?;
        one(s.save_playbook(&ctx, c.id("teamId")?, None, reference.as_deref(), c.input("input")?).await)
    }));
    root.mutation("updateProcess", One("Playbook"), &[Id("teamId"), Id("processId"), Input("input", "PlaybookInput"), OptText("ref")],
        "Save a new version of a playbook (editors); `input.version` names the version the edit \
         was based on (CONFLICT if it changed since).", r!(c => {
        let (s, ctx) = c.caller()?;
        let reference = c.text("ref")?;
        one(s.save_playbook(&ctx, c.id("teamId")?, Some(c.id("processId")?), reference.as_deref(), c.input("input")?).await)
    }));
    root.mutation("archiveProcess", One("Playbook"), &[Id("teamId"), Id("processId"), OptText("ref"), OptText("expectedVersion")],
        "Archive a playbook (editors); running instances continue.", r!(c => {
        let (s, ctx) = c.caller()?;
        let (reference, expected) = (c.text("ref")?, c.text("expectedVersion")?);
        one(s.archive_playbook(&ctx, c.id("teamId")?, c.id("processId")?, reference.as_deref(), expected.as_deref()).await)
    }));
    root.query("processHistory", Page("Commit"), &[Id("teamId"), Id("processId"), OptText("ref"), OptText("stepId")],
        "The commits that changed a playbook (or one of its steps), newest first.", r!(c => {
        let (s, ctx) = c.caller()?;
        let (reference, step) = (c.text("ref")?, c.text("stepId")?);
        page(s.playbook_history(&ctx, c.id("teamId")?, c.id("processId")?, reference.as_deref(), step.as_deref(), c.page()?).await)
    }));

    root.query(
        "documents",
        Page("Document"),
        &[Id("teamId"), OptText("ref")],
        "The team's documents.",
        r!(c => {
            let (s, ctx) = c.caller()?;
            let reference = c.text("ref")?;
            page(s.list_documents(&ctx, c.id("teamId")?, reference.as_deref(), c.page()?).await)
        }),
    );
    root.query("document", One("Document"), &[Id("teamId"), Id("documentId"), OptText("ref")], "One document.", r!(c => {
        let (s, ctx) = c.caller()?;
        let reference = c.text("ref")?;
        one(s.get_document(&ctx, c.id("teamId")?, c.id("documentId")?, reference.as_deref()).await)
    }));
    root.mutation("createDocument", One("Document"), &[Id("teamId"), Input("input", "DocumentInput"), OptText("ref")],
        "Create a document on a branch (editors).", r!(c => {
        let (s, ctx) = c.caller()?;
        let reference = c.text("ref")?;
        one(s.save_document(&ctx, c.id("teamId")?, None, reference.as_deref(), c.input("input")?).await)
    }));
    root.mutation("updateDocument", One("Document"), &[Id("teamId"), Id("documentId"), Input("input", "DocumentInput"), OptText("ref")],
        "Save a new version of a document (editors).", r!(c => {
        let (s, ctx) = c.caller()?;
        let reference = c.text("ref")?;
        one(s.save_document(&ctx, c.id("teamId")?, Some(c.id("documentId")?), reference.as_deref(), c.input("input")?).await)
    }));
    root.mutation("deleteDocument", One("Deleted"), &[Id("teamId"), Id("documentId"), OptText("ref")],
        "Delete a document from a branch (editors).", r!(c => {
        let (s, ctx) = c.caller()?;
        let reference = c.text("ref")?;
        deleted(&c, "documentId", s.delete_definition(&ctx, c.id("teamId")?, DefKind::Document, c.id("documentId")?, reference.as_deref()).await)
    }));

    root.query(
        "rules",
        Page("BusinessRule"),
        &[Id("teamId"), OptText("ref")],
        "The team's business rules.",
        r!(c => {
            let (s, ctx) = c.caller()?;
            let reference = c.text("ref")?;
            page(s.list_rules(&ctx, c.id("teamId")?, reference.as_deref(), c.page()?).await)
        }),
    );
    root.query(
        "rule",
        One("BusinessRule"),
        &[Id("teamId"), Id("ruleId"), OptText("ref")],
        "One business rule.",
        r!(c => {
            let (s, ctx) = c.caller()?;
            let reference = c.text("ref")?;
            one(s.get_rule(&ctx, c.id("teamId")?, c.id("ruleId")?, reference.as_deref()).await)
        }),
    );
    root.mutation("createRule", One("BusinessRule"), &[Id("teamId"), Input("input", "BusinessRuleInput"), OptText("ref")],
        "Create a business rule on a branch (editors).", r!(c => {
        let (s, ctx) = c.caller()?;
        let reference = c.text("ref")?;
        one(s.save_rule(&ctx, c.id("teamId")?, None, reference.as_deref(), c.input("input")?).await)
    }));
    root.mutation("updateRule", One("BusinessRule"), &[Id("teamId"), Id("ruleId"), Input("input", "BusinessRuleInput"), OptText("ref")],
        "Save a new version of a business rule (editors).", r!(c => {
        let (s, ctx) = c.caller()?;
        let reference = c.text("ref")?;
        one(s.save_rule(&ctx, c.id("teamId")?, Some(c.id("ruleId")?), reference.as_deref(), c.input("input")?).await)
    }));
    root.mutation("deleteRule", One("Deleted"), &[Id("teamId"), Id("ruleId"), OptText("ref")],
        "Delete a business rule from a branch (editors).", r!(c => {
        let (s, ctx) = c.caller()?;
        let reference = c.text("ref")?;
        deleted(&c, "ruleId", s.delete_definition(&ctx, c.id("teamId")?, DefKind::Rule, c.id("ruleId")?, reference.as_deref()).await)
    }));
}
