//! `orgata demo` / `orgata serve --demo`: a demo organization and team with realistic playbooks
//! (employee onboarding, purchase approval with a condition, incident response with an agent
//! step and SLAs) and finished and running instances, loaded once through the service layer.

use orgata_core::services::{Ctx, Services, StepCommand};
use orgata_core::store::RequestMeta;
use orgata_core::ErrorCode;
use serde::de::DeserializeOwned;
use serde_json::{json, Value};
use uuid::Uuid;

/// The demo account's email.
pub const EMAIL: &str = "demo@orgata.example";
/// The demo account's password (a demo database is not for real data).
pub const PASSWORD: &str = "orgata-demo-2026";

/// What [`seed`] did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Seeded {
    /// The demo was loaded into team `team_id`.
    Loaded { team_id: Uuid },
    /// The demo account exists already; nothing was changed.
    AlreadyThere,
}

fn input<T: DeserializeOwned>(value: Value) -> Result<T, String> {
    serde_json::from_value(value).map_err(|e| format!("demo data: {e}"))
}

fn fail(what: &str) -> impl Fn(orgata_core::Error) -> String + '_ {
    move |e| format!("demo: {what}: {}", e.public_message())
}

/// Loads the demo unless its account exists already.
pub async fn seed(services: &Services) -> Result<Seeded, String> {
    let meta = RequestMeta::default();
    let session = match services
        .register(
            input(
                json!({"email": EMAIL, "password": PASSWORD, "display_name": "Dana Demo",
                "organization_name": "Acme Corporation", "team_name": "Operations"}),
            )?,
            &meta,
        )
        .await
    {
        Ok(session) => session,
        Err(e) if e.code() == ErrorCode::Conflict => return Ok(Seeded::AlreadyThere),
        Err(e) => return Err(fail("registering the demo account")(e)),
    };
    let team_id = session.team.as_ref().map(|t| t.id).ok_or("demo: no team")?;
    let actor = services
        .authenticate(&session.access_token)
        .await
        .map_err(fail("signing in"))?;
    let ctx = Ctx { actor, meta };
    Demo {
        services,
        ctx: &ctx,
        team_id,
    }
    .load()
    .await?;
    Ok(Seeded::Loaded { team_id })
}

struct Demo<'a> {
    services: &'a Services,
    ctx: &'a Ctx,
    team_id: Uuid,
}

impl Demo<'_> {
    async fn role(
        &self,
        name: &str,
        description: &str,
        reports_to: Option<Uuid>,
    ) -> Result<Uuid, String> {
        let role = self
            .services
            .create_role(
                self.ctx,
                self.team_id,
                input(json!({"name": name, "description": description, "reports_to": reports_to}))?,
            )
            .await
            .map_err(fail("a role"))?;
        Ok(role.id)
    }

    async fn playbook(&self, body: Value) -> Result<Uuid, String> {
        let playbook = self
            .services
            .save_playbook(self.ctx, self.team_id, None, None, input(body)?)
            .await
            .map_err(fail("a playbook"))?;
        Ok(playbook.id)
    }

    async fn start(&self, playbook: Uuid, name: &str, variables: Value) -> Result<Uuid, String> {
        let instance = self
            .services
            .start_instance(
                self.ctx,
                self.team_id,
                playbook,
                input(json!({"name": name, "variables": variables}))?,
            )
            .await
            .map_err(fail("an instance"))?;
        Ok(instance.id)
    }

    async fn execute(&self, instance: Uuid, step: &str, output: Value) -> Result<(), String> {
        self.services
            .step_command(
                self.ctx,
                self.team_id,
                instance,
                step,
                StepCommand::Execute(input(json!({"output": output}))?),
            )
            .await
            .map_err(fail(step))?;
        Ok(())
    }

    async fn load(&self) -> Result<(), String> {
        let s = self.services;
        let ops = self
            .role(
                "Operations Manager",
                "Runs the team; receives escalations.",
                None,
            )
            .await?;
        let hr = self
            .role("HR Specialist", "Contracts and people matters.", Some(ops))
            .await?;
        let it = self
            .role("IT Support", "Accounts and equipment.", Some(ops))
            .await?;
        let finance = self
            .role(
                "Finance Lead",
                "Approves spending above the limit.",
                Some(ops),
            )
            .await?;
        let purchaser = self
            .role("Purchaser", "Raises and places orders.", Some(finance))
            .await?;
        let commander = self
            .role(
                "Incident Commander",
                "Leads incidents to resolution.",
                Some(ops),
            )
            .await?;
        let on_call = self
            .role(
                "On-call Engineer",
                "First responder to incidents.",
                Some(commander),
            )
            .await?;
        let me = self.ctx.actor.user.id;
        s.update_member(
            self.ctx,
            self.team_id,
            me,
            input(json!({"roles": [ops, hr, it, finance, purchaser, commander, on_call]}))?,
        )
        .await
        .map_err(fail("the demo member's roles"))?;
        s.create_agent(
            self.ctx,
            self.team_id,
            input(json!({"display_name": "Triage Assistant", "access_role": "member", "roles": [on_call]}))?,
        )
        .await
        .map_err(fail("the agent member"))?;

        let request_form = s
            .save_document(
                self.ctx,
                self.team_id,
                None,
                None,
                input(json!({
                    "name": "Purchase request", "type": "form", "category": "finance",
                    "description": "What is bought, from whom, and for how much.",
                    "schema": {"type": "object", "required": ["item", "supplier", "amount"],
                        "properties": {
                            "item": {"type": "string", "minLength": 1, "title": "Item"},
                            "supplier": {"type": "string", "minLength": 1, "title": "Supplier"},
                            "amount": {"type": "number", "exclusiveMinimum": 0, "title": "Amount (EUR)"}}}
                }))?,
            )
            .await
            .map_err(fail("the purchase request form"))?
            .id;
        s.save_rule(
            self.ctx,
            self.team_id,
            None,
            None,
            input(json!({
                "name": "Incidents escalate to the Operations Manager", "category": "escalation",
                "description": "A missed incident SLA is critical.",
                "conditions": {"expression": "true", "step_ids": ["triage", "mitigate"]},
                "actions": {"escalate_to_role": ops, "priority": "critical"}
            }))?,
        )
        .await
        .map_err(fail("the escalation rule"))?;

        let onboarding = self
            .playbook(json!({
                "name": "Employee onboarding", "category": "people", "layer": "L0",
                "description": "From signed offer to a productive first week.",
                "variables_schema": {"type": "object", "required": ["employee", "start_date"],
                    "properties": {"employee": {"type": "string"}, "start_date": {"type": "string", "format": "date"}}},
                "steps": [
                    {"id": "prepare_contract", "name": "Prepare the contract", "type": "human", "assigned_role": hr,
                     "due": {"value": 2, "unit": "days", "working_time": true},
                     "form": {"type": "object", "required": ["signed"], "properties": {"signed": {"type": "boolean"}}},
                     "validation_rules": [{"expression": "output.signed == true", "message": "the contract must be signed"}]},
                    {"id": "create_accounts", "name": "Create accounts", "type": "human", "assigned_role": it,
                     "execution_type": "parallel", "inputs": [{"name": "employee", "expression": "variables.employee"}]},
                    {"id": "ship_equipment", "name": "Ship laptop and equipment", "type": "human", "assigned_role": it,
                     "execution_type": "parallel"},
                    {"id": "welcome_meeting", "name": "Welcome meeting", "type": "human", "assigned_role": ops,
                     "estimated_duration": {"value": 1, "unit": "hours"}},
                    {"id": "mark_onboarded", "name": "Mark as onboarded", "type": "algorithm",
                     "automation_config": {"action": "set_variables", "variables": {"onboarded": "true"}}}
                ]
            }))
            .await?;
        let purchase = self
            .playbook(json!({
                "name": "Purchase approval", "category": "finance", "layer": "L0",
                "description": "Orders above 1,000 EUR need the Finance Lead's approval.",
                "steps": [
                    {"id": "submit_request", "name": "Submit the request", "type": "human", "assigned_role": purchaser,
                     "form_document_id": request_form},
                    {"id": "finance_approval", "name": "Finance approval", "type": "human", "assigned_role": finance,
                     "execution_type": "conditional", "condition": "steps.submit_request.output.amount > 1000",
                     "due": {"value": 1, "unit": "days", "working_time": true},
                     "form": {"type": "object", "required": ["approved"], "properties": {
                         "approved": {"type": "boolean"}, "comment": {"type": "string"}}}},
                    {"id": "auto_approval", "name": "Approve automatically", "type": "algorithm",
                     "execution_type": "conditional", "condition": "steps.submit_request.output.amount <= 1000",
                     "dependencies": ["submit_request"],
                     "automation_config": {"action": "set_variables", "variables": {"approved": "true"}}},
                    {"id": "place_order", "name": "Place the order", "type": "human", "assigned_role": purchaser,
                     "dependencies": ["finance_approval", "auto_approval"], "execution_type": "conditional",
                     "condition": "steps.auto_approval.status == \"completed\" || steps.finance_approval.output.approved == true"}
                ]
            }))
            .await?;
        let incident = self
            .playbook(json!({
                "name": "Incident response", "category": "operations", "layer": "L0",
                "description": "Detect, triage, mitigate and learn; triage is done by an AI agent.",
                "variables_schema": {"type": "object", "required": ["service", "severity"], "properties": {
                    "service": {"type": "string"}, "severity": {"enum": ["sev1", "sev2", "sev3"]}}},
                "steps": [
                    {"id": "triage", "name": "Triage the alert", "type": "agent", "assigned_role": on_call,
                     "due": {"value": 15, "unit": "minutes"},
                     "agent_config": {"instructions": "Read the alert and recent deploys; classify the impact and suggest a first mitigation."},
                     "form": {"type": "object", "required": ["impact"], "properties": {
                         "impact": {"enum": ["none", "degraded", "outage"]}, "suggestion": {"type": "string"}}}},
                    {"id": "mitigate", "name": "Mitigate", "type": "human", "assigned_role": on_call,
                     "due": {"value": 2, "unit": "hours"}},
                    {"id": "customer_update", "name": "Update customers", "type": "human", "assigned_role": commander,
                     "execution_type": "conditional", "condition": "steps.triage.output.impact != \"none\""},
                    {"id": "postmortem", "name": "Write the post-mortem", "type": "human", "assigned_role": commander,
                     "due": {"value": 5, "unit": "days", "working_time": true}}
                ]
            }))
            .await?;

        // Finished work.
        let priya = self
            .start(
                onboarding,
                "Onboarding: Priya Shah",
                json!({"employee": "Priya Shah", "start_date": "2026-11-02"}),
            )
            .await?;
        self.execute(priya, "prepare_contract", json!({"signed": true}))
            .await?;
        self.execute(
            priya,
            "create_accounts",
            json!({"email": "priya.shah@acme.example"}),
        )
        .await?;
        self.execute(
            priya,
            "ship_equipment",
            json!({"tracking": "DHL 00340434161234567890"}),
        )
        .await?;
        self.execute(priya, "welcome_meeting", json!({})).await?;
        let chairs = self.start(purchase, "Office chairs", json!({})).await?;
        self.execute(
            chairs,
            "submit_request",
            json!({"item": "4 office chairs", "supplier": "Seat & Co", "amount": 640}),
        )
        .await?;
        self.execute(chairs, "place_order", json!({"order": "PO-2026-0117"}))
            .await?;
        let outage = self
            .start(
                incident,
                "Login errors after deploy",
                json!({"service": "auth", "severity": "sev2"}),
            )
            .await?;
        self.execute(
            outage,
            "triage",
            json!({"impact": "degraded", "suggestion": "Roll back release 4.12.1"}),
        )
        .await?;
        self.execute(outage, "mitigate", json!({"action": "rolled back"}))
            .await?;
        self.execute(outage, "customer_update", json!({})).await?;
        self.execute(outage, "postmortem", json!({"document": "PM-42"}))
            .await?;

        // Running work.
        let luis = self
            .start(
                onboarding,
                "Onboarding: Luis Ortega",
                json!({"employee": "Luis Ortega", "start_date": "2026-12-01"}),
            )
            .await?;
        self.execute(luis, "prepare_contract", json!({"signed": true}))
            .await?;
        let laptops = self.start(purchase, "Developer laptops", json!({})).await?;
        self.execute(
            laptops,
            "submit_request",
            json!({"item": "6 laptops", "supplier": "Northwind", "amount": 9600}),
        )
        .await?;
        self.start(
            incident,
            "Checkout latency above 2 s",
            json!({"service": "checkout", "severity": "sev1"}),
        )
        .await?;
        Ok(())
    }
}
