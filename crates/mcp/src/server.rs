//! The MCP server: who calls (the gate's caller, or the stdio token), in which team, with which
//! tools on, and the protocol methods handed to [`tools`], [`resources`] and [`prompts`].

use std::sync::Arc;

use orgata_core::access::AccessRole;
use orgata_core::page::PageRequest;
use orgata_core::services::{Ctx, Services};
use orgata_core::store::RequestMeta;
use orgata_core::Error;
use rmcp::model::*;
use rmcp::service::RequestContext;
use rmcp::{ErrorData, RoleServer, ServerHandler};
use uuid::Uuid;

use crate::gate::Caller;
use crate::{prompts, resources, tools, McpConfig};

/// The Orgata MCP server; one value serves every request (it keeps no per-client state).
#[derive(Clone)]
pub struct OrgataMcp {
    pub(crate) services: Arc<Services>,
    pub(crate) config: Arc<McpConfig>,
    /// The token of a stdio session, authenticated again on every request.
    stdio_token: Option<Arc<str>>,
}

/// What a session may use: the operator's bounds, narrowed by the token and the request.
#[derive(Debug, Clone, PartialEq)]
pub struct Policy {
    pub read_only: bool,
    /// `None`: every toolset.
    pub toolsets: Option<Vec<String>>,
}

impl Policy {
    /// Whether a tool of `toolset` that does or does not change data may be used.
    pub fn allows(&self, toolset: &str, mutating: bool) -> bool {
        !(mutating && self.read_only)
            && self
                .toolsets
                .as_ref()
                .is_none_or(|sets| sets.iter().any(|s| s == toolset))
    }
}

/// `MCP (client version)`: how the audit trail names this door and the client.
pub fn via(client: Option<&Implementation>, user_agent: Option<&str>) -> String {
    match (client, user_agent) {
        (Some(c), _) => format!("MCP ({} {})", c.name, c.version),
        (None, Some(ua)) => format!("MCP ({ua})"),
        (None, None) => "MCP".to_string(),
    }
}

fn list_param(value: &str) -> Vec<String> {
    value
        .split(',')
        .map(|s| s.trim().to_ascii_lowercase())
        .filter(|s| !s.is_empty())
        .collect()
}

impl OrgataMcp {
    pub fn new(
        services: Arc<Services>,
        config: Arc<McpConfig>,
        stdio_token: Option<Arc<str>>,
    ) -> Self {
        Self {
            services,
            config,
            stdio_token,
        }
    }

    /// The authenticated caller of a request.
    pub(crate) async fn caller(&self, rc: &RequestContext<RoleServer>) -> Result<Ctx, Error> {
        let client = rc
            .client_info()
            .or_else(|| rc.peer.peer_info().map(|info| info.client_info.clone()));
        if let Some(parts) = rc.extensions.get::<http::request::Parts>() {
            let Caller(mut ctx) = parts
                .extensions
                .get::<Caller>()
                .cloned()
                .ok_or_else(|| Error::unauthenticated("no token was checked"))?;
            if client.is_some() {
                ctx.meta.via = Some(via(client.as_ref(), None));
            }
            return Ok(ctx);
        }
        let token = self
            .stdio_token
            .as_deref()
            .ok_or_else(|| Error::unauthenticated("set ORGATA_TOKEN to a personal access token"))?;
        let actor = self.services.authenticate(token).await?;
        Ok(Ctx {
            actor,
            meta: RequestMeta {
                request_id: Some(Uuid::now_v7().to_string()),
                via: Some(format!("{} over stdio", via(client.as_ref(), None))),
                ..RequestMeta::default()
            },
        })
    }

    /// The session's policy: the operator's bounds; a token that may only read is read-only;
    /// a request may narrow further with `X-MCP-Readonly: true` and `X-MCP-Toolsets: a,b`
    /// (or `?readonly=true&toolsets=a,b` on the URL).
    pub(crate) fn policy(&self, rc: &RequestContext<RoleServer>, caller: Option<&Ctx>) -> Policy {
        let mut read_only = self.config.read_only;
        let mut toolsets: Option<Vec<String>> =
            (!self.config.toolsets.is_empty()).then(|| self.config.toolsets.clone());
        if caller.is_some_and(|c| c.actor.role_cap() <= AccessRole::Viewer) {
            read_only = true;
        }
        if let Some(parts) = rc.extensions.get::<http::request::Parts>() {
            let header = |name: &str| {
                parts
                    .headers
                    .get(name)
                    .and_then(|v| v.to_str().ok())
                    .map(str::to_string)
            };
            let query: Vec<(String, String)> = parts
                .uri
                .query()
                .map(|q| {
                    url::form_urlencoded::parse(q.as_bytes())
                        .into_owned()
                        .collect()
                })
                .unwrap_or_default();
            let param = |name: &str| {
                query
                    .iter()
                    .find(|(k, _)| k == name)
                    .map(|(_, v)| v.clone())
            };
            if header("x-mcp-readonly")
                .or_else(|| param("readonly"))
                .is_some_and(|v| matches!(v.trim(), "true" | "1" | "yes"))
            {
                read_only = true;
            }
            if let Some(asked) = header("x-mcp-toolsets").or_else(|| param("toolsets")) {
                let asked = list_param(&asked);
                toolsets = Some(match toolsets {
                    Some(bound) => asked.into_iter().filter(|s| bound.contains(s)).collect(),
                    None => asked,
                });
            }
        }
        Policy {
            read_only,
            toolsets,
        }
    }

    /// The team a call is about: the one named, else the token's team, else the caller's only
    /// team.
    pub(crate) async fn team(&self, caller: &Ctx, team_id: Option<Uuid>) -> Result<Uuid, Error> {
        if let Some(id) = team_id.or(caller.actor.bound_team()) {
            return Ok(id);
        }
        let teams = self
            .services
            .list_teams(caller, PageRequest::window(0, 2))
            .await?;
        match teams.items.as_slice() {
            [one] => Ok(one.id),
            [] => Err(Error::invalid(
                "/team_id",
                "required",
                "you belong to no team yet; a team admin must add you",
            )),
            _ => Err(Error::invalid(
                "/team_id",
                "required",
                "you belong to several teams: pass team_id (team://current lists them)",
            )),
        }
    }
}

impl ServerHandler for OrgataMcp {
    fn get_info(&self) -> ServerConfig {
        ServerConfig::new(
            ServerCapabilities::builder()
                .enable_tools()
                .enable_resources()
                .enable_prompts()
                .enable_completions()
                .build(),
        )
        .with_server_info(
            Implementation::new("orgata", env!("CARGO_PKG_VERSION")).with_title("Orgata Runtime"),
        )
        .with_instructions(
            "Orgata runs a team's business processes. Read tasks://assigned for your work, \
             playbooks://library for the playbooks; get_process_status and complete_task move \
             work on; update_process and create_proposal change a playbook on a branch for \
             people to review. Tools answer for your token's team (or pass team_id).",
        )
    }

    async fn list_tools(
        &self,
        _request: Option<PaginatedRequestParams>,
        rc: RequestContext<RoleServer>,
    ) -> Result<ListToolsResult, ErrorData> {
        let caller = self.caller(&rc).await.ok();
        let policy = self.policy(&rc, caller.as_ref());
        Ok(ListToolsResult::with_all_items(tools::listed(&policy)))
    }

    async fn call_tool(
        &self,
        request: CallToolRequestParams,
        rc: RequestContext<RoleServer>,
    ) -> Result<CallToolResponse, ErrorData> {
        let caller = match self.caller(&rc).await {
            Ok(c) => c,
            Err(e) => return Ok(crate::failure::tool_error(&e, "").into()),
        };
        if self.config.diagnostics {
            let args = request.arguments.clone().unwrap_or_default();
            if let Some(answer) = crate::diagnostics::call(&rc, &request.name, &args) {
                return answer.map(Into::into);
            }
        }
        let policy = self.policy(&rc, Some(&caller));
        Ok(tools::call(self, caller, &policy, request).await.into())
    }

    async fn list_resources(
        &self,
        _request: Option<PaginatedRequestParams>,
        _rc: RequestContext<RoleServer>,
    ) -> Result<ListResourcesResult, ErrorData> {
        Ok(ListResourcesResult::with_all_items(resources::listed()))
    }

    async fn list_resource_templates(
        &self,
        _request: Option<PaginatedRequestParams>,
        _rc: RequestContext<RoleServer>,
    ) -> Result<ListResourceTemplatesResult, ErrorData> {
        Ok(ListResourceTemplatesResult::with_all_items(
            resources::templates(),
        ))
    }

    async fn read_resource(
        &self,
        request: ReadResourceRequestParams,
        rc: RequestContext<RoleServer>,
    ) -> Result<ReadResourceResponse, ErrorData> {
        let caller = self.caller(&rc).await.map_err(protocol_error)?;
        resources::read(self, &caller, &request.uri)
            .await
            .map(Into::into)
    }

    async fn complete(
        &self,
        request: CompleteRequestParams,
        rc: RequestContext<RoleServer>,
    ) -> Result<CompleteResult, ErrorData> {
        let caller = self.caller(&rc).await.map_err(protocol_error)?;
        resources::complete(self, &caller, &request).await
    }

    async fn list_prompts(
        &self,
        _request: Option<PaginatedRequestParams>,
        _rc: RequestContext<RoleServer>,
    ) -> Result<ListPromptsResult, ErrorData> {
        Ok(ListPromptsResult::with_all_items(prompts::listed()))
    }

    async fn get_prompt(
        &self,
        request: GetPromptRequestParams,
        rc: RequestContext<RoleServer>,
    ) -> Result<GetPromptResponse, ErrorData> {
        let caller = self.caller(&rc).await.map_err(protocol_error)?;
        prompts::get(self, &caller, request).await.map(Into::into)
    }
}

/// A service error as a JSON-RPC error (resources and prompts have no tool-error form): the
/// contract's code and message in `data`.
pub(crate) fn protocol_error(err: Error) -> ErrorData {
    let data = serde_json::json!({
        "code": err.code().as_str(),
        "message": err.public_message(),
        "details": err.public_details(),
    });
    match err.code() {
        orgata_core::ErrorCode::Internal | orgata_core::ErrorCode::Timeout => {
            if let Error::Internal(cause) = &err {
                tracing::error!(%cause, "internal error at the MCP door");
            }
            ErrorData::internal_error(err.public_message(), Some(data))
        }
        _ => ErrorData::invalid_params(err.public_message(), Some(data)),
    }
}
