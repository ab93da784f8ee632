//! The durable job runner: algorithm steps' work (webhooks, waits) and SLA timers. A node
//! leases due jobs (several nodes on PostgreSQL skip each other's rows), does the work outside
//! any transaction, then applies the result only if it still holds the lease, so a job runs at
//! least once and takes effect once. Webhook calls carry the job id as `Idempotency-Key`.

use std::collections::BTreeMap;
use std::time::Duration;

use serde_json::{json, Map, Value};
use uuid::Uuid;

use super::instances::Driver;
use super::{Services, TeamAccess};
use crate::access::AccessRole;
use crate::engine::automation::{fill_secrets, Automation};
use crate::engine::expr::{Expression, Scope};
use crate::error::{Error, Result};
use crate::model::*;
use crate::store::Tx;

/// How long a claimed job stays leased to its node.
const LEASE_SECS: i64 = 300;

/// The outcome of a webhook call.
struct Response {
    status: u16,
    body: Value,
}

impl Services {
    /// Runs the jobs that are due; returns how many were handled.
    pub async fn run_due_jobs(&self, node: &str, http: &reqwest::Client) -> Result<usize> {
        let now = self.clock.now();
        let mut tx = self.store.begin().await?;
        let jobs = tx
            .claim_jobs(node, now, now + chrono::Duration::seconds(LEASE_SECS), 16)
            .await?;
        tx.commit().await?;
        let count = jobs.len();
        for job in jobs {
            if let Err(e) = self.run_job(node, http, &job).await {
                tracing::warn!(job_id = %job.id, kind = %job.kind, error = %e, "job failed to run");
            }
        }
        Ok(count)
    }

    async fn runtime_access(&self, tx: &mut dyn Tx, team_id: Uuid) -> Result<TeamAccess> {
        let team = tx
            .team(team_id)
            .await?
            .ok_or_else(|| Error::not_found("team"))?;
        Ok(TeamAccess {
            team,
            role: AccessRole::Owner,
        })
    }

    async fn run_job(&self, node: &str, http: &reqwest::Client, job: &Job) -> Result<()> {
        let exec = job.step_execution_id;
        match job.kind.as_str() {
            "sla" => {
                self.finish_with(node, job, |run| run.breach(exec).map(|_| ()))
                    .await
            }
            "wait" => {
                let at = self.clock.now();
                self.finish_with(node, job, |run| {
                    run.complete_by_runtime(exec, json!({"waited_until": at}))
                })
                .await
            }
            "webhook" => self.run_webhook(node, http, job).await,
            super::reports::REPORT_JOB => self.run_report_job(node, job).await,
            super::webhooks::DELIVERY_JOB => self.run_delivery_job(node, http, job).await,
            other => Err(Error::internal(format!("unknown job kind {other}"))),
        }
    }

    /// Applies `command` to the job's instance and ends the job, in one transaction, if this
    /// node still holds the job. A paused instance puts the job back for later.
    async fn finish_with(
        &self,
        node: &str,
        job: &Job,
        command: impl FnOnce(&mut crate::engine::machine::Run<'_>) -> Result<()>,
    ) -> Result<()> {
        let mut tx = self.store.begin().await?;
        let access = self.runtime_access(tx.as_mut(), job.team_id).await?;
        let paused = tx
            .instance(job.team_id, job.process_instance_id, true)
            .await?
            .is_some_and(|(i, _)| i.status == InstanceStatus::Paused);
        if paused {
            let later = self.clock.now() + chrono::Duration::seconds(30);
            tx.retry_job(
                job.id,
                node,
                later,
                job.attempts - 1,
                "the instance is paused",
            )
            .await?;
            return tx.commit().await;
        }
        if !tx.finish_job(job.id, node, "done").await? {
            return Ok(()); // another node took over the lease; its run counts
        }
        match self
            .with_instance(
                tx.as_mut(),
                &Driver::Runtime,
                &access,
                job.process_instance_id,
                command,
            )
            .await
        {
            Ok(_) => tx.commit().await,
            // The step moved on (done by hand, cancelled): nothing left to do.
            Err(e) if e.code() == crate::ErrorCode::Conflict => {
                drop(tx);
                let mut tx = self.store.begin().await?;
                tx.finish_job(job.id, node, "cancelled").await?;
                tx.commit().await
            }
            Err(e) => Err(e),
        }
    }

    async fn run_webhook(&self, node: &str, http: &reqwest::Client, job: &Job) -> Result<()> {
        let (automation, variables) = {
            let mut tx = self.store.read().await?;
            let (instance, _) = tx
                .instance(job.team_id, job.process_instance_id, false)
                .await?
                .ok_or_else(|| Error::not_found("process instance"))?;
            let pinned = self
                .pinned_definition(
                    tx.as_mut(),
                    job.team_id,
                    instance.playbook_id,
                    &instance.playbook_version,
                )
                .await?;
            let exec = instance
                .step_executions
                .iter()
                .find(|e| e.id == job.step_execution_id)
                .ok_or_else(|| Error::not_found("step execution"))?;
            let step = pinned
                .body
                .steps
                .iter()
                .find(|s| s.id == exec.step_id)
                .ok_or_else(|| Error::not_found("step"))?;
            let config = step.automation_config.clone().unwrap_or(Value::Null);
            (
                Automation::parse(&config).map_err(Error::internal)?,
                instance.variables,
            )
        };
        let Automation::Webhook {
            url,
            method,
            headers,
            body,
            timeout_seconds,
            response_mapping,
            ..
        } = automation
        else {
            return Err(Error::internal(
                "a webhook job for a step that is not a webhook",
            ));
        };
        let outcome = self
            .call_webhook(
                job,
                http,
                (&url, &method),
                &headers,
                body.as_ref(),
                timeout_seconds,
            )
            .await;
        let exec = job.step_execution_id;
        match outcome {
            Ok(response) => {
                self.finish_with(node, job, |run| {
                    let output = json!({"status": response.status, "body": response.body});
                    let steps = run.steps_scope();
                    let mut set = Map::new();
                    for (name, source) in &response_mapping {
                        let scope = Scope {
                            variables: &variables,
                            steps: &steps,
                            output: Some(&output),
                        };
                        match Expression::compile(source).and_then(|e| e.evaluate(scope)) {
                            Ok(v) => {
                                set.insert(name.clone(), v);
                            }
                            Err(e) => {
                                return run.fail(
                                    exec,
                                    ExceptionType::ValidationFailure,
                                    format!("response_mapping {name} could not be computed: {e}"),
                                    json!({"status": response.status}),
                                );
                            }
                        }
                    }
                    run.set_variables(&set);
                    run.complete_by_runtime(exec, output)
                })
                .await
            }
            Err(message) if job.attempts < job.max_attempts => {
                let backoff = 2i64.pow(job.attempts.clamp(0, 10) as u32);
                let at = self.clock.now() + chrono::Duration::seconds(backoff);
                let mut tx = self.store.begin().await?;
                tx.retry_job(job.id, node, at, job.attempts, &message)
                    .await?;
                tx.commit().await
            }
            Err(message) => {
                let attempts = job.attempts;
                self.finish_with(node, job, |run| {
                    run.fail(
                        exec,
                        ExceptionType::ResourceUnavailable,
                        format!("the webhook failed after {attempts} attempts: {message}"),
                        json!({"attempts": attempts}),
                    )
                })
                .await
            }
        }
    }

    /// Sends the request with secrets filled in; an error message (never holding a secret)
    /// for a failure or a non-2xx answer.
    async fn call_webhook(
        &self,
        job: &Job,
        http: &reqwest::Client,
        (url, method): (&str, &str),
        headers: &BTreeMap<String, String>,
        body: Option<&Value>,
        timeout_seconds: u64,
    ) -> std::result::Result<Response, String> {
        let mut secrets: BTreeMap<String, Option<String>> = BTreeMap::new();
        let mut names = crate::engine::automation::secret_names(url);
        for v in headers.values() {
            names.extend(crate::engine::automation::secret_names(v));
        }
        let body_text = body.map(|b| b.to_string()).unwrap_or_default();
        names.extend(crate::engine::automation::secret_names(&body_text));
        for name in names {
            let value = self
                .reveal_secret(job.team_id, &name)
                .await
                .map_err(|_| "a secret could not be read".to_string())?;
            secrets.insert(name, value);
        }
        let mut lookup = |name: &str| secrets.get(name).cloned().flatten();
        let url = fill_secrets(url, &mut lookup)?;
        let method = reqwest::Method::from_bytes(method.as_bytes()).map_err(|e| e.to_string())?;
        let mut request = http
            .request(method, &url)
            .timeout(Duration::from_secs(timeout_seconds))
            .header("Idempotency-Key", job.id.to_string())
            .header("Orgata-Job", job.id.to_string());
        for (k, v) in headers {
            request = request.header(k, fill_secrets(v, &mut lookup)?);
        }
        if body.is_some() {
            let filled = fill_secrets(&body_text, &mut lookup)?;
            request = request
                .header("Content-Type", "application/json")
                .body(filled);
        }
        let response = request.send().await.map_err(|e| {
            if e.is_timeout() {
                "the request timed out".to_string()
            } else {
                "the request could not be sent".to_string()
            }
        })?;
        let status = response.status().as_u16();
        if !(200..300).contains(&status) {
            return Err(format!("the endpoint answered {status}"));
        }
        // A success whose body did not arrive whole is a failed attempt, retried: its mapped
        // outputs would otherwise be missing.
        let text = response
            .text()
            .await
            .map_err(|_| "the answer could not be read".to_string())?;
        let body = serde_json::from_str(&text).unwrap_or(Value::String(text));
        Ok(Response { status, body })
    }

    /// `POST /v1/callbacks/{token}`: completes a `wait_for_callback` step with `body` as its
    /// output. The token works once.
    pub async fn callback(&self, token: &str, body: Value) -> Result<ProcessInstance> {
        let mut tx = self.store.begin().await?;
        let (team_id, instance_id, exec) = tx
            .take_callback(&crate::auth::opaque::digest(token))
            .await?
            .ok_or_else(|| Error::not_found("callback"))?;
        let access = self.runtime_access(tx.as_mut(), team_id).await?;
        let instance = self
            .with_instance(tx.as_mut(), &Driver::Runtime, &access, instance_id, |run| {
                run.complete_by_runtime(exec, body)
            })
            .await?;
        tx.commit().await?;
        Ok(instance)
    }
}
