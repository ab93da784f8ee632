//! GraphiQL at `/graphql` for browsers. Its files come from npm (`scripts/vendor-graphiql.sh`,
//! versions pinned by `explorer/package-lock.json`) and are embedded gzipped, so the explorer
//! loads nothing from the internet.

use axum::extract::Path;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};

/// The explorer's page: GraphiQL with a fetcher that sends the `Authorization` header of its
/// Headers tab over HTTP and, for subscriptions, in the WebSocket's `connection_init`.
pub const PAGE: &str = r#"<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Orgata GraphQL explorer</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="/graphql/assets/graphiql.min.css">
<style>html, body, #graphiql { height: 100%; margin: 0; }</style>
</head>
<body>
<main id="graphiql" aria-label="GraphQL explorer">Loading the explorer…</main>
<script src="/graphql/assets/react.production.min.js"></script>
<script src="/graphql/assets/react-dom.production.min.js"></script>
<script src="/graphql/assets/graphiql.min.js"></script>
<script>
  const url = new URL('/graphql', location.href).href;
  const subscriptionUrl = url.replace(/^http/, 'ws');
  const fetchers = {};
  function fetcher(params, opts) {
    const headers = (opts && opts.headers) || {};
    const auth = headers.Authorization || headers.authorization || '';
    if (!fetchers[auth]) {
      fetchers[auth] = GraphiQL.createFetcher({
        url, subscriptionUrl, wsConnectionParams: auth ? { authorization: auth } : {},
      });
    }
    return fetchers[auth](params, opts);
  }
  ReactDOM.createRoot(document.getElementById('graphiql')).render(
    React.createElement(GraphiQL, {
      fetcher,
      shouldPersistHeaders: true,
      defaultEditorToolsVisibility: 'headers',
      defaultHeaders: '{\n  "Authorization": "Bearer <an access token or a personal access token>"\n}',
      defaultQuery: '# Put your token in the Headers tab below, then run:\n{\n  me { id email displayName memberships { teamId teamName accessRole } }\n}\n',
    }),
  );
</script>
</body>
</html>
"#;

/// An embedded file: name, content type, gzipped bytes.
const ASSETS: [(&str, &str, &[u8]); 4] = [
    (
        "graphiql.min.js",
        "text/javascript; charset=utf-8",
        include_bytes!("../explorer/dist/graphiql.min.js.gz"),
    ),
    (
        "graphiql.min.css",
        "text/css; charset=utf-8",
        include_bytes!("../explorer/dist/graphiql.min.css.gz"),
    ),
    (
        "react.production.min.js",
        "text/javascript; charset=utf-8",
        include_bytes!("../explorer/dist/react.production.min.js.gz"),
    ),
    (
        "react-dom.production.min.js",
        "text/javascript; charset=utf-8",
        include_bytes!("../explorer/dist/react-dom.production.min.js.gz"),
    ),
];

/// `GET /graphql/assets/{file}`: gzipped when the client accepts it, plain otherwise.
pub async fn asset(Path(file): Path<String>, headers: HeaderMap) -> Response {
    match ASSETS.iter().find(|(name, _, _)| *name == file) {
        Some((_, content_type, gz)) => {
            orgata_rest::static_file::gzipped(&headers, content_type, gz, "public, max-age=86400")
        }
        None => StatusCode::NOT_FOUND.into_response(),
    }
}
