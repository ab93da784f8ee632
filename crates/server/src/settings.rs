//! Settings: defaults, then an optional TOML file, then `ORGATA_*` environment variables, then
//! command-line flags — each later source wins. Secrets are redacted in `Debug`.

use std::path::PathBuf;

use clap::Args;
use secrecy::{ExposeSecret, SecretString};
use serde::Deserialize;

/// Every setting, with its flag and environment variable. Unset ones fall back to the file.
/// (No `Debug`: it holds secrets as given.)
#[derive(Clone, Default, Args)]
pub struct SettingArgs {
    /// TOML file with settings (any key below, snake_case).
    #[arg(long, env = "ORGATA_CONFIG", global = true)]
    pub config: Option<PathBuf>,
    /// Address to listen on [default: 127.0.0.1:8080].
    #[arg(long, env = "ORGATA_LISTEN", global = true)]
    pub listen: Option<String>,
    /// Database URL: sqlite://path.db?mode=rwc or postgres://user:pw@host/db [default: sqlite://data/orgata.db?mode=rwc].
    #[arg(
        long,
        env = "ORGATA_DATABASE_URL",
        global = true,
        hide_env_values = true
    )]
    pub database_url: Option<String>,
    /// Log format: text or json [default: text].
    #[arg(long, env = "ORGATA_LOG_FORMAT", global = true)]
    pub log_format: Option<String>,
    /// Log filter, e.g. info or orgata=debug [default: info].
    #[arg(long, env = "ORGATA_LOG", global = true)]
    pub log: Option<String>,
    /// Base64 of the 32-byte master key that encrypts secrets at rest [default: a key file].
    #[arg(long, env = "ORGATA_MASTER_KEY", global = true, hide_env_values = true)]
    pub master_key: Option<String>,
    /// Where the master key file lives when no key is given [default: beside the SQLite file, or ./data/master.key].
    #[arg(long, env = "ORGATA_MASTER_KEY_FILE", global = true)]
    pub master_key_file: Option<PathBuf>,
    /// Secret that signs access tokens [default: generated once and kept in the database].
    #[arg(long, env = "ORGATA_JWT_SECRET", global = true, hide_env_values = true)]
    pub jwt_secret: Option<String>,
    /// Access token lifetime in seconds [default: 900].
    #[arg(long, env = "ORGATA_ACCESS_TOKEN_TTL", global = true)]
    pub access_token_ttl: Option<i64>,
    /// Refresh token lifetime in seconds [default: 2592000].
    #[arg(long, env = "ORGATA_REFRESH_TOKEN_TTL", global = true)]
    pub refresh_token_ttl: Option<i64>,
    /// Seconds before a request is abandoned with 503 [default: 30].
    #[arg(long, env = "ORGATA_REQUEST_TIMEOUT", global = true)]
    pub request_timeout: Option<u64>,
    /// Largest request body in bytes [default: 2097152].
    #[arg(long, env = "ORGATA_MAX_BODY_BYTES", global = true)]
    pub max_body_bytes: Option<usize>,
    /// Requests per minute per token [default: 1200].
    #[arg(long, env = "ORGATA_RATE_LIMIT_PER_MINUTE", global = true)]
    pub rate_limit_per_minute: Option<u32>,
    /// Burst size of a token's bucket [default: 300].
    #[arg(long, env = "ORGATA_RATE_LIMIT_BURST", global = true)]
    pub rate_limit_burst: Option<u32>,
    /// Requests per minute per address to the unauthenticated auth endpoints [default: 60].
    #[arg(long, env = "ORGATA_AUTH_RATE_LIMIT_PER_MINUTE", global = true)]
    pub auth_rate_limit_per_minute: Option<u32>,
    /// Host names `/mcp` answers to, comma-separated (`*`: any) [default: localhost,127.0.0.1,[::1]].
    #[arg(long, env = "ORGATA_MCP_ALLOWED_HOSTS", global = true)]
    pub mcp_allowed_hosts: Option<String>,
    /// Browser origins allowed at `/mcp`, comma-separated [default: http(s) on loopback, any port].
    #[arg(long, env = "ORGATA_MCP_ALLOWED_ORIGINS", global = true)]
    pub mcp_allowed_origins: Option<String>,
    /// Serve MCP read-only: no session may use a tool that changes data [default: false].
    #[arg(long, env = "ORGATA_MCP_READ_ONLY", global = true)]
    pub mcp_read_only: Option<bool>,
    /// The MCP toolsets sessions may use, comma-separated (processes, tasks, collaboration,
    /// analytics, team) [default: all].
    #[arg(long, env = "ORGATA_MCP_TOOLSETS", global = true)]
    pub mcp_toolsets: Option<String>,
    /// Serve the MCP conformance suite's diagnostic `test_*` tools [default: false].
    #[arg(long, env = "ORGATA_MCP_DIAGNOSTICS", global = true)]
    pub mcp_diagnostics: Option<bool>,
    /// Refuse loopback and private addresses as webhook targets [default: false].
    #[arg(long, env = "ORGATA_WEBHOOKS_DENY_PRIVATE", global = true)]
    pub webhooks_deny_private: Option<bool>,
    /// Seconds after which event streams and subscriptions read the log again without a
    /// signal (a lost notification delays an event at most this long) [default: 5].
    #[arg(long, env = "ORGATA_EVENTS_RECHECK", global = true)]
    pub events_recheck: Option<u64>,
}

/// The same settings as a TOML file holds them. (No `Debug`: it holds secrets as given.)
#[derive(Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileSettings {
    listen: Option<String>,
    database_url: Option<String>,
    log_format: Option<String>,
    log: Option<String>,
    master_key: Option<String>,
    master_key_file: Option<PathBuf>,
    jwt_secret: Option<String>,
    access_token_ttl: Option<i64>,
    refresh_token_ttl: Option<i64>,
    request_timeout: Option<u64>,
    max_body_bytes: Option<usize>,
    rate_limit_per_minute: Option<u32>,
    rate_limit_burst: Option<u32>,
    auth_rate_limit_per_minute: Option<u32>,
    mcp_allowed_hosts: Option<Vec<String>>,
    mcp_allowed_origins: Option<Vec<String>>,
    mcp_read_only: Option<bool>,
    mcp_toolsets: Option<Vec<String>>,
    mcp_diagnostics: Option<bool>,
    webhooks_deny_private: Option<bool>,
    events_recheck: Option<u64>,
}

/// The settings in force.
#[derive(Debug, Clone)]
pub struct Settings {
    pub listen: String,
    pub database_url: String,
    pub log_format: String,
    pub log: String,
    pub master_key: Option<SecretString>,
    pub master_key_file: PathBuf,
    pub jwt_secret: Option<SecretString>,
    pub access_token_ttl: i64,
    pub refresh_token_ttl: i64,
    pub request_timeout: u64,
    pub max_body_bytes: usize,
    pub rate_limit_per_minute: u32,
    pub rate_limit_burst: u32,
    pub auth_rate_limit_per_minute: u32,
    /// The MCP door's hosts, origins, read-only bound, toolsets and diagnostics.
    pub mcp: orgata_mcp::McpConfig,
    pub webhooks_deny_private: bool,
    /// Seconds between reads of the log by an idle event reader.
    pub events_recheck: u64,
}

/// The database used when none is configured.
pub const DEFAULT_DATABASE_URL: &str = "sqlite://data/orgata.db?mode=rwc";

impl Settings {
    /// Resolves the layers.
    pub fn load(args: &SettingArgs) -> Result<Self, String> {
        let file: FileSettings = match &args.config {
            Some(path) => {
                let text = std::fs::read_to_string(path)
                    .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
                toml::from_str(&text).map_err(|e| format!("{}: {e}", path.display()))?
            }
            None => FileSettings::default(),
        };
        let file_mcp = FileMcp {
            allowed_hosts: file.mcp_allowed_hosts.clone(),
            allowed_origins: file.mcp_allowed_origins.clone(),
            read_only: file.mcp_read_only,
            toolsets: file.mcp_toolsets.clone(),
            diagnostics: file.mcp_diagnostics,
        };
        let database_url = args
            .database_url
            .clone()
            .or(file.database_url)
            .unwrap_or_else(|| DEFAULT_DATABASE_URL.into());
        let master_key_file = args
            .master_key_file
            .clone()
            .or(file.master_key_file)
            .unwrap_or_else(|| default_key_file(&database_url));
        let log_format = args
            .log_format
            .clone()
            .or(file.log_format)
            .unwrap_or_else(|| "text".into());
        if !matches!(log_format.as_str(), "text" | "json") {
            return Err(format!(
                "log_format must be text or json, not {log_format:?}"
            ));
        }
        let max_body_bytes = args
            .max_body_bytes
            .or(file.max_body_bytes)
            .unwrap_or(2 * 1024 * 1024);
        Ok(Settings {
            listen: args
                .listen
                .clone()
                .or(file.listen)
                .unwrap_or_else(|| "127.0.0.1:8080".into()),
            database_url,
            log_format,
            log: args
                .log
                .clone()
                .or(file.log)
                .unwrap_or_else(|| "info".into()),
            master_key: args
                .master_key
                .clone()
                .or(file.master_key)
                .map(SecretString::from),
            master_key_file,
            jwt_secret: args
                .jwt_secret
                .clone()
                .or(file.jwt_secret)
                .map(SecretString::from),
            access_token_ttl: args
                .access_token_ttl
                .or(file.access_token_ttl)
                .unwrap_or(900),
            refresh_token_ttl: args
                .refresh_token_ttl
                .or(file.refresh_token_ttl)
                .unwrap_or(30 * 24 * 3600),
            request_timeout: args.request_timeout.or(file.request_timeout).unwrap_or(30),
            max_body_bytes,
            rate_limit_per_minute: args
                .rate_limit_per_minute
                .or(file.rate_limit_per_minute)
                .unwrap_or(1200),
            rate_limit_burst: args
                .rate_limit_burst
                .or(file.rate_limit_burst)
                .unwrap_or(300),
            auth_rate_limit_per_minute: args
                .auth_rate_limit_per_minute
                .or(file.auth_rate_limit_per_minute)
                .unwrap_or(60),
            mcp: mcp_config(args, file_mcp, max_body_bytes)?,
            webhooks_deny_private: args
                .webhooks_deny_private
                .or(file.webhooks_deny_private)
                .unwrap_or(false),
            events_recheck: args
                .events_recheck
                .or(file.events_recheck)
                .unwrap_or(5)
                .max(1),
        })
    }

    /// The JWT secret's bytes, when one is configured.
    pub fn jwt_secret_bytes(&self) -> Option<Vec<u8>> {
        self.jwt_secret
            .as_ref()
            .map(|s| s.expose_secret().as_bytes().to_vec())
    }
}

/// The MCP settings of the file layer.
struct FileMcp {
    allowed_hosts: Option<Vec<String>>,
    allowed_origins: Option<Vec<String>>,
    read_only: Option<bool>,
    toolsets: Option<Vec<String>>,
    diagnostics: Option<bool>,
}

fn comma_list(text: &str) -> Vec<String> {
    text.split(',')
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
        .collect()
}

/// The MCP door's settings; its body limit is the service's (`max_body_bytes`).
fn mcp_config(
    args: &SettingArgs,
    file: FileMcp,
    max_body_bytes: usize,
) -> Result<orgata_mcp::McpConfig, String> {
    let defaults = orgata_mcp::McpConfig::default();
    let toolsets: Vec<String> = args
        .mcp_toolsets
        .as_deref()
        .map(comma_list)
        .or(file.toolsets)
        .unwrap_or_default()
        .into_iter()
        .map(|s| s.to_ascii_lowercase())
        .collect();
    if let Some(unknown) = toolsets
        .iter()
        .find(|s| !orgata_mcp::TOOLSETS.contains(&s.as_str()))
    {
        return Err(format!(
            "mcp_toolsets: unknown toolset {unknown:?} (known: {})",
            orgata_mcp::TOOLSETS.join(", ")
        ));
    }
    Ok(orgata_mcp::McpConfig {
        allowed_hosts: args
            .mcp_allowed_hosts
            .as_deref()
            .map(comma_list)
            .or(file.allowed_hosts)
            .unwrap_or(defaults.allowed_hosts),
        allowed_origins: args
            .mcp_allowed_origins
            .as_deref()
            .map(comma_list)
            .or(file.allowed_origins)
            .unwrap_or(defaults.allowed_origins),
        max_body_bytes,
        read_only: args.mcp_read_only.or(file.read_only).unwrap_or(false),
        toolsets,
        diagnostics: args.mcp_diagnostics.or(file.diagnostics).unwrap_or(false),
    })
}

/// Beside the SQLite file, or `./data/master.key` for PostgreSQL.
fn default_key_file(database_url: &str) -> PathBuf {
    if let Some(rest) = database_url.strip_prefix("sqlite:") {
        let path = rest
            .trim_start_matches("//")
            .split('?')
            .next()
            .unwrap_or("");
        let path = PathBuf::from(path);
        if let Some(dir) = path.parent() {
            return dir.join("master.key");
        }
    }
    PathBuf::from("data/master.key")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn layers_apply_in_order_and_secrets_are_redacted() {
        let dir = std::env::temp_dir().join(format!("orgata-settings-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join("orgata.toml");
        std::fs::write(
            &file,
            "listen = \"0.0.0.0:9000\"\nlog = \"debug\"\njwt_secret = \"file-secret\"\n",
        )
        .unwrap();
        let args = SettingArgs {
            config: Some(file),
            log: Some("warn".into()),
            ..Default::default()
        };
        let s = Settings::load(&args).unwrap();
        assert_eq!(s.listen, "0.0.0.0:9000");
        assert_eq!(s.log, "warn");
        assert_eq!(s.database_url, DEFAULT_DATABASE_URL);
        assert_eq!(s.master_key_file, PathBuf::from("data/master.key"));
        let shown = format!("{s:?}");
        assert!(!shown.contains("file-secret"), "{shown}");
    }

    #[test]
    fn the_key_file_sits_beside_the_sqlite_file() {
        assert_eq!(
            default_key_file("sqlite:///var/lib/orgata/o.db?mode=rwc"),
            PathBuf::from("/var/lib/orgata/master.key")
        );
        assert_eq!(
            default_key_file("postgres://localhost/test"),
            PathBuf::from("data/master.key")
        );
    }
}
