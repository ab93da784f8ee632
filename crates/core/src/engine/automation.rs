//! What an `algorithm` step does: its `automation_config`, parsed. Secrets are never part of a
//! definition: a webhook names them as `{{secrets.NAME}}` in header values or body strings, and
//! the runner fills them in only when it sends the request.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::due::DurationSpec;

/// The built-in actions of algorithm steps.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "action", rename_all = "snake_case", deny_unknown_fields)]
pub enum Automation {
    /// Sets instance variables from CEL expressions (runs as soon as the step is ready).
    SetVariables { variables: BTreeMap<String, String> },
    /// Calls an HTTP endpoint, retrying with backoff; the response is mapped into variables.
    Webhook {
        url: String,
        #[serde(default = "default_method")]
        method: String,
        #[serde(default)]
        headers: BTreeMap<String, String>,
        #[serde(default)]
        body: Option<serde_json::Value>,
        #[serde(default = "default_timeout")]
        timeout_seconds: u64,
        #[serde(default = "default_attempts")]
        max_attempts: u32,
        /// Variable name → CEL over `output` (`{status, body}` of the response).
        #[serde(default)]
        response_mapping: BTreeMap<String, String>,
    },
    /// Waits for a duration, then completes.
    Wait { duration: DurationSpec },
    /// Waits until an outside system posts to the step's callback URL.
    WaitForCallback {},
}

fn default_method() -> String {
    "POST".into()
}
fn default_timeout() -> u64 {
    10
}
fn default_attempts() -> u32 {
    3
}

impl Automation {
    /// Parses a step's `automation_config`; the message says what is wrong.
    pub fn parse(config: &serde_json::Value) -> Result<Self, String> {
        let automation: Automation = serde_json::from_value(config.clone()).map_err(|e| {
            format!("not a valid automation (set_variables, webhook, wait, wait_for_callback): {e}")
        })?;
        if let Automation::Webhook {
            url,
            method,
            timeout_seconds,
            max_attempts,
            ..
        } = &automation
        {
            if !(url.starts_with("http://") || url.starts_with("https://")) {
                return Err("the webhook url must start with http:// or https://".into());
            }
            if !matches!(method.as_str(), "GET" | "POST" | "PUT" | "PATCH" | "DELETE") {
                return Err("method must be GET, POST, PUT, PATCH or DELETE".into());
            }
            if !(1..=300).contains(timeout_seconds) {
                return Err("timeout_seconds must be 1 to 300".into());
            }
            if !(1..=20).contains(max_attempts) {
                return Err("max_attempts must be 1 to 20".into());
            }
        }
        Ok(automation)
    }

    /// The CEL expressions it holds, each with its JSON Pointer below `automation_config`.
    pub fn expressions(&self) -> Vec<(String, &str)> {
        match self {
            Automation::SetVariables { variables } => variables
                .iter()
                .map(|(k, v)| (format!("/variables/{k}"), v.as_str()))
                .collect(),
            Automation::Webhook {
                response_mapping, ..
            } => response_mapping
                .iter()
                .map(|(k, v)| (format!("/response_mapping/{k}"), v.as_str()))
                .collect(),
            _ => Vec::new(),
        }
    }
}

/// Replaces every `{{secrets.NAME}}` in `text` using `lookup`; an unknown name is an error.
pub fn fill_secrets(
    text: &str,
    lookup: &mut dyn FnMut(&str) -> Option<String>,
) -> Result<String, String> {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(start) = rest.find("{{secrets.") {
        out.push_str(&rest[..start]);
        let after = &rest[start + "{{secrets.".len()..];
        let end = after
            .find("}}")
            .ok_or_else(|| "an unclosed {{secrets.…}} placeholder".to_string())?;
        let name = after[..end].trim();
        let value = lookup(name).ok_or_else(|| format!("the team has no secret named {name:?}"))?;
        out.push_str(&value);
        rest = &after[end + 2..];
    }
    out.push_str(rest);
    Ok(out)
}

/// Every secret name a text refers to.
pub fn secret_names(text: &str) -> Vec<String> {
    let mut names = Vec::new();
    let _ = fill_secrets(text, &mut |name| {
        names.push(name.to_string());
        Some(String::new())
    });
    names
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_each_action_and_refuses_bad_ones() {
        let w = Automation::parse(&serde_json::json!({"action": "webhook", "url": "http://x/y"}))
            .unwrap();
        assert!(matches!(
            w,
            Automation::Webhook {
                max_attempts: 3,
                ..
            }
        ));
        assert!(Automation::parse(&serde_json::json!({"action": "wait_for_callback"})).is_ok());
        assert!(Automation::parse(&serde_json::json!({"action": "wait"})).is_err());
        assert!(
            Automation::parse(&serde_json::json!({"action": "webhook", "url": "ftp://x"})).is_err()
        );
        assert!(Automation::parse(&serde_json::json!({"action": "teleport"})).is_err());
    }

    #[test]
    fn fills_secrets_by_name() {
        let mut lookup = |n: &str| (n == "api_key").then(|| "s3cret".to_string());
        assert_eq!(
            fill_secrets("Bearer {{secrets.api_key}}!", &mut lookup).unwrap(),
            "Bearer s3cret!"
        );
        assert!(fill_secrets("{{secrets.nope}}", &mut lookup).is_err());
        assert_eq!(secret_names("a {{secrets.x}} b {{ secrets.y}}"), vec!["x"]);
    }
}
