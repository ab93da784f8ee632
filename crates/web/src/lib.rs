//! The human door: the web UI, a single-page app built from `ui/` by this crate's build script
//! and embedded gzipped. Its pages answer `index.html` (the app routes on the client); its
//! hashed assets are cached for good. Everything else stays with the other doors.

use axum::extract::Path;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;

/// Every file of `ui/dist`: URL path, content type, gzipped bytes (written by `build.rs`).
static ASSETS: &[(&str, &str, &[u8])] = include!(concat!(env!("OUT_DIR"), "/assets.rs"));

/// The first path segments of the app's pages (`ui/src/routes.tsx`, held to this list by the
/// `web_ui` test); `/` is the dashboard.
pub const PAGES: [&str; 13] = [
    "login",
    "register",
    "tasks",
    "playbooks",
    "processes",
    "proposals",
    "branches",
    "library",
    "analytics",
    "integrations",
    "audit",
    "settings",
    "teams",
];

/// What the app's pages may load: only this origin (its API, its event stream and its
/// WebSocket), no inline script, no framing.
const POLICY: &str = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; \
img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'";

/// The UI's routes: `/`, each page prefix (and everything under it) and `/assets/…`.
pub fn router() -> Router {
    let mut router = Router::new()
        .route("/", get(page))
        .route("/assets/{*file}", get(asset))
        .route("/favicon.svg", get(favicon));
    for prefix in PAGES {
        router = router
            .route(&format!("/{prefix}"), get(page))
            .route(&format!("/{prefix}/"), get(page))
            .route(&format!("/{prefix}/{{*rest}}"), get(page));
    }
    router
}

fn find(path: &str) -> Option<&'static (&'static str, &'static str, &'static [u8])> {
    ASSETS.iter().find(|(p, _, _)| *p == path)
}

/// A page of the app: `index.html`, never cached (it names the current assets).
async fn page(headers: HeaderMap) -> Response {
    let (_, content_type, gz) = find("/index.html").expect("ui/dist holds index.html");
    let mut response = orgata_rest::static_file::gzipped(&headers, content_type, gz, "no-cache");
    let page_headers = response.headers_mut();
    page_headers.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(POLICY),
    );
    page_headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("same-origin"),
    );
    response
}

/// A file under `/assets/`: its name holds its content hash, so it is cached for a year.
async fn asset(Path(file): Path<String>, headers: HeaderMap) -> Response {
    match find(&format!("/assets/{file}")) {
        Some((_, content_type, gz)) => orgata_rest::static_file::gzipped(
            &headers,
            content_type,
            gz,
            "public, max-age=31536000, immutable",
        ),
        None => StatusCode::NOT_FOUND.into_response(),
    }
}

async fn favicon(headers: HeaderMap) -> Response {
    match find("/favicon.svg") {
        Some((_, content_type, gz)) => {
            orgata_rest::static_file::gzipped(&headers, content_type, gz, "public, max-age=86400")
        }
        None => StatusCode::NOT_FOUND.into_response(),
    }
}
