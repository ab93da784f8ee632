//! The service's one error type at the MCP door: a tool error (`isError: true`) whose text is
//! `{code, message, details?, next}`, `next` saying what to call to get on.

use orgata_core::{Error, ErrorCode};
use rmcp::model::{CallToolResult, ContentBlock};
use serde_json::json;

/// What to do after an error, by code; `lookup` names where the missing thing can be found.
pub fn next_step(code: ErrorCode, lookup: &str) -> String {
    match code {
        ErrorCode::NotFound => format!("check the id; {lookup}"),
        ErrorCode::ValidationFailed | ErrorCode::BadRequest => {
            "correct the fields named in details and call again".into()
        }
        ErrorCode::Forbidden => "this token or your role does not allow it: read team://permissions, or ask a team admin".into(),
        ErrorCode::Unauthenticated => "send a valid personal access token (Authorization: Bearer …)".into(),
        ErrorCode::Conflict => format!("the state changed or does not allow this now; read it again ({lookup}) and decide"),
        ErrorCode::RateLimited => "wait the seconds given, then call again".into(),
        ErrorCode::PayloadTooLarge => "send less data in one call".into(),
        ErrorCode::Timeout | ErrorCode::Internal => "try again later; if it persists, report it with the time of the call".into(),
        ErrorCode::MethodNotAllowed => "use another tool for this".into(),
    }
}

/// A tool error for `err`.
pub fn tool_error(err: &Error, lookup: &str) -> CallToolResult {
    if let Error::Internal(cause) = err {
        tracing::error!(%cause, "internal error in an MCP tool");
    }
    let code = err.code();
    let mut body = json!({
        "code": code.as_str(),
        "message": err.public_message(),
        "next": next_step(code, lookup),
    });
    if let Some(details) = err.public_details() {
        body["details"] = details;
    }
    CallToolResult::error(vec![ContentBlock::text(body.to_string())])
}
