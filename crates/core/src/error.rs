//! The one error type of the service. Every door maps it exactly once (REST to a status and
//! the envelope; GraphQL and MCP later to their own shapes).

use serde::Serialize;
use utoipa::ToSchema;

/// Stable, documented error codes. The REST status follows from the code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum ErrorCode {
    BadRequest,
    Unauthenticated,
    Forbidden,
    NotFound,
    MethodNotAllowed,
    Conflict,
    PayloadTooLarge,
    ValidationFailed,
    RateLimited,
    Internal,
    Timeout,
}

impl ErrorCode {
    /// The HTTP status that goes with this code.
    pub fn http_status(self) -> u16 {
        match self {
            ErrorCode::BadRequest => 400,
            ErrorCode::Unauthenticated => 401,
            ErrorCode::Forbidden => 403,
            ErrorCode::NotFound => 404,
            ErrorCode::MethodNotAllowed => 405,
            ErrorCode::Conflict => 409,
            ErrorCode::PayloadTooLarge => 413,
            ErrorCode::ValidationFailed => 422,
            ErrorCode::RateLimited => 429,
            ErrorCode::Internal => 500,
            ErrorCode::Timeout => 503,
        }
    }

    /// The code as it appears on the wire.
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorCode::BadRequest => "BAD_REQUEST",
            ErrorCode::Unauthenticated => "UNAUTHENTICATED",
            ErrorCode::Forbidden => "FORBIDDEN",
            ErrorCode::NotFound => "NOT_FOUND",
            ErrorCode::MethodNotAllowed => "METHOD_NOT_ALLOWED",
            ErrorCode::Conflict => "CONFLICT",
            ErrorCode::PayloadTooLarge => "PAYLOAD_TOO_LARGE",
            ErrorCode::ValidationFailed => "VALIDATION_FAILED",
            ErrorCode::RateLimited => "RATE_LIMITED",
            ErrorCode::Internal => "INTERNAL",
            ErrorCode::Timeout => "TIMEOUT",
        }
    }
}

/// One invalid field of a request: `field` is a JSON Pointer into the body or the query.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct FieldError {
    pub field: String,
    pub code: String,
    pub message: String,
}

impl FieldError {
    pub fn new(field: impl Into<String>, code: &str, message: impl Into<String>) -> Self {
        Self {
            field: field.into(),
            code: code.to_string(),
            message: message.into(),
        }
    }
}

/// The service error. `Internal` keeps its cause for the log and never shows it to callers.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("{message}")]
    Coded {
        code: ErrorCode,
        message: String,
        details: Option<serde_json::Value>,
    },
    #[error("validation failed")]
    Validation(Vec<FieldError>),
    #[error("rate limited")]
    RateLimited { retry_after_secs: u64 },
    #[error("internal error: {0}")]
    Internal(String),
}

/// Result with the service error.
pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    fn coded(code: ErrorCode, message: impl Into<String>) -> Self {
        Error::Coded {
            code,
            message: message.into(),
            details: None,
        }
    }
    pub fn bad_request(message: impl Into<String>) -> Self {
        Self::coded(ErrorCode::BadRequest, message)
    }
    pub fn unauthenticated(message: impl Into<String>) -> Self {
        Self::coded(ErrorCode::Unauthenticated, message)
    }
    pub fn forbidden(message: impl Into<String>) -> Self {
        Self::coded(ErrorCode::Forbidden, message)
    }
    pub fn not_found(what: &str) -> Self {
        Self::coded(ErrorCode::NotFound, format!("{what} not found"))
    }
    pub fn conflict(message: impl Into<String>) -> Self {
        Self::coded(ErrorCode::Conflict, message)
    }
    pub fn conflict_with(message: impl Into<String>, details: serde_json::Value) -> Self {
        Error::Coded {
            code: ErrorCode::Conflict,
            message: message.into(),
            details: Some(details),
        }
    }
    pub fn internal(cause: impl std::fmt::Display) -> Self {
        Error::Internal(cause.to_string())
    }
    /// A body field that names something that does not exist (or is not the caller's): 404,
    /// with the field in the details.
    pub fn unknown_reference(field: &str, message: &str) -> Self {
        Error::Coded {
            code: ErrorCode::NotFound,
            message: message.to_string(),
            details: serde_json::to_value(vec![FieldError::new(
                field,
                "unknown_reference",
                message,
            )])
            .ok(),
        }
    }
    /// A single invalid field.
    pub fn invalid(field: &str, code: &str, message: impl Into<String>) -> Self {
        Error::Validation(vec![FieldError::new(field, code, message)])
    }

    /// The stable code of this error.
    pub fn code(&self) -> ErrorCode {
        match self {
            Error::Coded { code, .. } => *code,
            Error::Validation(_) => ErrorCode::ValidationFailed,
            Error::RateLimited { .. } => ErrorCode::RateLimited,
            Error::Internal(_) => ErrorCode::Internal,
        }
    }

    /// The message a caller may see (never internal detail).
    pub fn public_message(&self) -> String {
        match self {
            Error::Coded { message, .. } => message.clone(),
            Error::Validation(fields) => match fields.as_slice() {
                [one] => format!("{}: {}", one.field, one.message),
                _ => format!("{} fields are invalid", fields.len()),
            },
            Error::RateLimited { retry_after_secs } => {
                format!("too many requests; retry in {retry_after_secs} s")
            }
            Error::Internal(_) => "internal error".to_string(),
        }
    }

    /// Extra structured detail a caller may see.
    pub fn public_details(&self) -> Option<serde_json::Value> {
        match self {
            Error::Coded { details, .. } => details.clone(),
            Error::Validation(fields) => serde_json::to_value(fields).ok(),
            _ => None,
        }
    }
}

/// Collects field errors during validation and turns them into one `Error::Validation`.
#[derive(Default)]
pub struct Violations(Vec<FieldError>);

impl Violations {
    pub fn new() -> Self {
        Self::default()
    }
    pub fn add(&mut self, field: &str, code: &str, message: impl Into<String>) {
        self.0.push(FieldError::new(field, code, message));
    }
    /// The errors collected so far.
    pub fn into_errors(self) -> Vec<FieldError> {
        self.0
    }
    /// `Ok(())` when nothing was added.
    pub fn finish(self) -> Result<()> {
        if self.0.is_empty() {
            Ok(())
        } else {
            Err(Error::Validation(self.0))
        }
    }
}
