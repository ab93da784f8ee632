//! Diagnostic tools the official MCP conformance suite calls by name (`test_*`), served only
//! when the operator switches them on (`ORGATA_MCP_DIAGNOSTICS=true`). They are not listed in
//! `tools/list` and touch no data: they exist so the suite can check the protocol behaviour
//! every server shares (a missing client capability, a tool that must not log or ask).

use rmcp::model::{CallToolResult, ClientCapabilities, ContentBlock, JsonObject};
use rmcp::service::RequestContext;
use rmcp::{ErrorData, RoleServer};

/// Runs diagnostic tool `name`; `None` when there is no such tool.
pub fn call(
    rc: &RequestContext<RoleServer>,
    name: &str,
    _args: &JsonObject,
) -> Option<Result<CallToolResult, ErrorData>> {
    let done = |text: &str| Ok(CallToolResult::success(vec![ContentBlock::text(text)]));
    Some(match name {
        // Needs sampling, which this server never uses otherwise: refused with the
        // capability named when the client did not declare it.
        "test_missing_capability" => {
            let declared = rc
                .client_capabilities()
                .is_some_and(|c| c.sampling.is_some());
            if declared {
                done("the client declared sampling")
            } else {
                let required: ClientCapabilities =
                    serde_json::from_value(serde_json::json!({"sampling": {}})).unwrap_or_default();
                Err(ErrorData::missing_required_client_capability(required))
            }
        }
        // Answers without asking the client anything on the response stream.
        "test_streaming_elicitation" => done("answered without elicitation"),
        // Answers without sending log notifications.
        "test_logging_tool" => done("answered without logging"),
        _ => return None,
    })
}
