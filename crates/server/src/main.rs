//! `orgata`: the Orgata Runtime service in one binary.

use clap::{Parser, Subcommand};
use orgata::{SettingArgs, Settings};
use tracing_subscriber::EnvFilter;

/// Orgata Runtime: run a team's business processes, and improve them like code.
#[derive(Parser)]
#[command(
    name = "orgata",
    version,
    about = "Orgata Runtime: run a team's business processes, and improve them like code."
)]
struct Cli {
    #[command(flatten)]
    settings: SettingArgs,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Start the service (migrating the database first).
    Serve {
        /// Load the demo organization, team, playbooks and instances first (once).
        #[arg(long)]
        demo: bool,
    },
    /// Start the service with the demo loaded: the same as `serve --demo`.
    Demo,
    /// Apply database migrations and exit.
    Migrate,
    /// Print the OpenAPI document of the REST API.
    Openapi,
    /// Serve MCP to one AI agent over stdin and stdout (the token comes from ORGATA_TOKEN).
    Mcp {
        /// Speak MCP on stdin and stdout (the only transport of this command; `serve` has
        /// Streamable HTTP at /mcp).
        #[arg(long)]
        stdio: bool,
        /// A personal access token (or access token) to act as.
        #[arg(long, env = "ORGATA_TOKEN", hide_env_values = true)]
        token: Option<String>,
    },
}

fn init_logging(settings: &Settings) {
    let filter = EnvFilter::try_new(&settings.log).unwrap_or_else(|_| EnvFilter::new("info"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    if settings.log_format == "json" {
        builder
            .json()
            .with_current_span(true)
            .with_span_list(false)
            .init();
    } else {
        builder.init();
    }
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        if let Ok(mut s) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        {
            s.recv().await;
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! { _ = ctrl_c => {}, _ = terminate => {} }
    tracing::info!("shutting down");
}

#[tokio::main]
async fn main() {
    let cli = Cli::parse();
    let settings = match Settings::load(&cli.settings) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("orgata: {e}");
            std::process::exit(2);
        }
    };
    init_logging(&settings);
    let result = match cli.command {
        Command::Serve { demo } => serve(settings, demo).await,
        Command::Demo => serve(settings, true).await,
        Command::Migrate => orgata_store::connect(&settings.database_url)
            .await
            .map(|_| tracing::info!("migrations applied"))
            .map_err(|e| e.to_string()),
        Command::Mcp { stdio, token } => match (stdio, token) {
            (false, _) => Err(
                "mcp: pass --stdio (Streamable HTTP is served by `orgata serve` at /mcp)".into(),
            ),
            (true, None) => Err("mcp: set ORGATA_TOKEN to a personal access token".into()),
            (true, Some(token)) => orgata::serve_mcp_stdio(&settings, token).await,
        },
        Command::Openapi => {
            println!(
                "{}",
                serde_json::to_string_pretty(&orgata_rest::openapi()).unwrap_or_default()
            );
            Ok(())
        }
    };
    if let Err(e) = result {
        tracing::error!("{e}");
        eprintln!("orgata: {e}");
        std::process::exit(1);
    }
}

async fn serve(settings: Settings, demo: bool) -> Result<(), String> {
    let services = orgata::open(&settings, None).await?;
    if demo {
        match orgata::demo::seed(&services).await? {
            orgata::demo::Seeded::Loaded { .. } => tracing::info!("demo loaded"),
            orgata::demo::Seeded::AlreadyThere => tracing::info!("demo already loaded"),
        }
        tracing::info!(
            email = orgata::demo::EMAIL,
            password = orgata::demo::PASSWORD,
            "demo: sign in with this account"
        );
    }
    let router = orgata::router(services, &settings);
    let listener = tokio::net::TcpListener::bind(&settings.listen)
        .await
        .map_err(|e| format!("cannot listen on {}: {e}", settings.listen))?;
    tracing::info!(listen = %settings.listen, database = %redact_url(&settings.database_url), "orgata is serving");
    orgata::serve(listener, router, shutdown_signal())
        .await
        .map_err(|e| e.to_string())
}

/// The URL without its password, for logs.
fn redact_url(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme_end), Some(at)) if at > scheme_end => {
            let userinfo = &url[scheme_end + 3..at];
            let user = userinfo.split(':').next().unwrap_or("");
            format!("{}://{}:***@{}", &url[..scheme_end], user, &url[at + 1..])
        }
        _ => url.to_string(),
    }
}
