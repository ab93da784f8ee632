//! The GraphQL door: `POST /graphql` (and `GET` for queries), subscriptions over WebSocket
//! (`graphql-transport-ws`, token in the `connection_init` payload), and the GraphiQL explorer
//! for browsers, bundled into the binary.
//!
//! The schema is built once at start: its object types come from the REST door's OpenAPI
//! components (the same Rust types answer both doors, see [`types`]), its root fields call the
//! service layer ([`ops`]), nested references are batch-loaded ([`nested`]) and subscriptions
//! read the event log ([`live`]). Depth and complexity are limited; errors carry the contract's
//! codes in `extensions.code`; `Idempotency-Key` on a POST replays the first answer (REST's
//! layer, with GraphQL-shaped refusals).

use std::sync::Arc;

use async_graphql::dynamic::{Object, Schema, SchemaError};
use async_graphql::{Data, ServerError};
use async_graphql_axum::{GraphQLProtocol, GraphQLRequest, GraphQLResponse, GraphQLWebSocket};
use axum::extract::{
    DefaultBodyLimit, FromRequest, FromRequestParts, Request, State, WebSocketUpgrade,
};
use axum::http::request::Parts;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use orgata_core::services::{Ctx, Services};
use orgata_core::Error;
use orgata_rest::rate_limit::RateLimiter;

pub mod call;
mod explorer;
mod live;
mod nested;
pub mod ops;
pub mod types;

use call::Caller;

/// Limits of the GraphQL door.
#[derive(Debug, Clone)]
pub struct GraphqlConfig {
    /// The deepest selection a query may have.
    pub max_depth: usize,
    /// The most fields (counted with their children) a query may select.
    pub max_complexity: usize,
    /// The largest request body.
    pub max_body_bytes: usize,
    /// How long a query or mutation may run before it is abandoned (`TIMEOUT`).
    pub request_timeout: std::time::Duration,
}

impl Default for GraphqlConfig {
    fn default() -> Self {
        Self {
            max_depth: 12,
            max_complexity: 2_000,
            max_body_bytes: 1024 * 1024,
            request_timeout: std::time::Duration::from_secs(30),
        }
    }
}

/// The schema (made once; its resolvers read the services from the request data).
pub fn schema(config: &GraphqlConfig) -> Result<Schema, SchemaError> {
    let types = types::Types::from_openapi(&orgata_rest::openapi());
    let mut root = ops::build(types);
    nested::fields(&mut root);
    let subscription = live::subscription(&mut root);
    let ops::Root {
        types,
        query,
        mutation,
        connections,
        inputs,
    } = root;
    let builder = Schema::build("Query", Some("Mutation"), Some("Subscription"))
        .register(query)
        .register(mutation)
        .register(subscription)
        .register(call::page_info())
        .limit_depth(config.max_depth)
        .limit_complexity(config.max_complexity);
    let mut builder = connections
        .iter()
        .flat_map(|node| call::connection_types(node))
        .fold(builder, |b, o: Object| b.register(o));
    for input in inputs {
        builder = builder.register(input);
    }
    let (builder, shapes) = types.register(builder);
    builder.data(Arc::new(shapes)).finish()
}

/// The schema in SDL (the snapshot tests pin it).
pub fn sdl() -> String {
    schema(&GraphqlConfig::default())
        .map(|s| s.sdl())
        .unwrap_or_else(|e| format!("# schema error: {e}"))
}

#[derive(Clone)]
struct GraphqlState {
    schema: Schema,
    services: Arc<Services>,
    limiter: Arc<RateLimiter>,
    config: GraphqlConfig,
}

/// The GraphQL door as an axum router: `/graphql` and the explorer's assets.
pub fn router(
    services: Arc<Services>,
    limiter: Arc<RateLimiter>,
    config: GraphqlConfig,
) -> Result<Router, SchemaError> {
    let idempotency = orgata_rest::middleware::Idempotency {
        services: services.clone(),
        max_body_bytes: config.max_body_bytes,
        render: refused_for,
    };
    let state = GraphqlState {
        schema: schema(&config)?,
        services,
        limiter,
        config: config.clone(),
    };
    Ok(Router::new()
        .route("/graphql", get(get_graphql).post(post_graphql))
        .route("/graphql/assets/{file}", get(explorer::asset))
        .layer(axum::middleware::from_fn_with_state(
            idempotency,
            orgata_rest::middleware::idempotency_at,
        ))
        .layer(DefaultBodyLimit::max(config.max_body_bytes))
        .layer(axum::middleware::from_fn(
            orgata_rest::middleware::request_context,
        ))
        .with_state(state))
}

/// A GraphQL-shaped error answer for failures before execution (no or bad token, rate limit,
/// an `Idempotency-Key` refused).
fn refused(err: Error) -> Response {
    refused_for(&err)
}

/// [`refused`] of a borrowed error (the idempotency layer's renderer).
fn refused_for(err: &Error) -> Response {
    let status =
        StatusCode::from_u16(err.code().http_status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let retry = match err {
        Error::RateLimited { retry_after_secs } => Some(*retry_after_secs),
        _ => None,
    };
    let error = call::gql_error_of(err);
    let mut server = ServerError::new(error.message, None);
    server.extensions = error.extensions;
    let body = serde_json::json!({ "errors": [server] });
    let mut response = (status, axum::Json(body)).into_response();
    if status == StatusCode::UNAUTHORIZED {
        response.headers_mut().insert(
            header::WWW_AUTHENTICATE,
            HeaderValue::from_static("Bearer realm=\"orgata\""),
        );
    }
    if let Some(retry_after_secs) = retry {
        if let Ok(v) = HeaderValue::from_str(&retry_after_secs.to_string()) {
            response.headers_mut().insert(header::RETRY_AFTER, v);
        }
    }
    response
}

/// Authenticates a request's bearer token (one request from its rate-limit bucket).
async fn authenticate(state: &GraphqlState, parts: &Parts, token: &str) -> Result<Ctx, Error> {
    let mut ctx =
        orgata_rest::extract::authenticate_with(&state.services, &state.limiter, parts, token)
            .await?;
    ctx.meta.via = Some("GraphQL".into());
    Ok(ctx)
}

fn request_data(
    state: &GraphqlState,
    ctx: Ctx,
) -> (
    Caller,
    async_graphql::dataloader::DataLoader<nested::Loaders>,
) {
    (
        Caller(ctx.clone()),
        nested::Loaders::new(state.services.clone(), ctx),
    )
}

async fn execute(state: &GraphqlState, request: Request) -> Response {
    let (parts, body) = request.into_parts();
    let Some(token) = orgata_rest::extract::bearer_token(&parts) else {
        return refused(Error::unauthenticated(
            "send Authorization: Bearer <token> (an access token or a personal access token)",
        ));
    };
    let ctx = match authenticate(state, &parts, &token).await {
        Ok(ctx) => ctx,
        Err(e) => return refused(e),
    };
    // The extractor streams the body past axum's limit: read it here, within the limit.
    let Ok(bytes) = axum::body::to_bytes(body, state.config.max_body_bytes).await else {
        return refused(Error::Coded {
            code: orgata_core::ErrorCode::PayloadTooLarge,
            message: format!("the body is over {} bytes", state.config.max_body_bytes),
            details: None,
        });
    };
    let is_get = parts.method == axum::http::Method::GET;
    let request = Request::from_parts(parts, axum::body::Body::from(bytes));
    let extracted =
        GraphQLRequest::<async_graphql_axum::rejection::GraphQLRejection>::from_request(
            request,
            &(),
        )
        .await;
    let mut gql = match extracted {
        Ok(r) => r.into_inner(),
        Err(rejection) => {
            return refused(Error::bad_request(format!(
                "not a GraphQL request: {}",
                rejection.0
            )))
        }
    };
    if is_get && changes(&mut gql) {
        return refused(Error::Coded {
            code: orgata_core::ErrorCode::MethodNotAllowed,
            message: "GET runs queries only; send mutations with POST".into(),
            details: None,
        });
    }
    let (caller, loaders) = request_data(state, ctx);
    let gql = gql.data(caller).data(loaders).data(state.services.clone());
    match tokio::time::timeout(state.config.request_timeout, state.schema.execute(gql)).await {
        Ok(answer) => GraphQLResponse::from(answer).into_response(),
        Err(_) => refused(Error::Coded {
            code: orgata_core::ErrorCode::Timeout,
            message: "the request took too long and was abandoned".into(),
            details: None,
        }),
    }
}

/// Whether the operation a request runs is a mutation or subscription (unparsable: no, the
/// execution reports it).
fn changes(request: &mut async_graphql::Request) -> bool {
    use async_graphql::parser::types::{DocumentOperations, OperationType};
    let name = request.operation_name.clone();
    let Ok(document) = request.parsed_query() else {
        return false;
    };
    let not_query = |ty: OperationType| ty != OperationType::Query;
    match &document.operations {
        DocumentOperations::Single(op) => not_query(op.node.ty),
        DocumentOperations::Multiple(ops) => match name {
            Some(n) => ops.get(n.as_str()).is_some_and(|op| not_query(op.node.ty)),
            None => ops.values().any(|op| not_query(op.node.ty)),
        },
    }
}

async fn post_graphql(State(state): State<GraphqlState>, request: Request) -> Response {
    execute(&state, request).await
}

/// `GET /graphql`: the WebSocket of subscriptions, the explorer for a browser, or a query.
async fn get_graphql(State(state): State<GraphqlState>, request: Request) -> Response {
    let (mut parts, body) = request.into_parts();
    if parts.headers.contains_key(header::UPGRADE) {
        return subscribe(state, &mut parts).await;
    }
    let wants_html = parts
        .headers
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|a| a.contains("text/html"));
    if wants_html && parts.uri.query().is_none() {
        return Html(explorer::PAGE).into_response();
    }
    execute(&state, Request::from_parts(parts, body)).await
}

/// Upgrades to a `graphql-transport-ws` (or legacy `graphql-ws`) connection; the token comes
/// from the `connection_init` payload (`{"authorization": "Bearer …"}`) or the upgrade
/// request's `Authorization` header.
async fn subscribe(state: GraphqlState, parts: &mut Parts) -> Response {
    let protocol = match GraphQLProtocol::from_request_parts(parts, &()).await {
        Ok(p) => p,
        Err(status) => {
            return (status, "send Sec-WebSocket-Protocol: graphql-transport-ws").into_response()
        }
    };
    let upgrade = match WebSocketUpgrade::from_request_parts(parts, &()).await {
        Ok(u) => u,
        Err(rejection) => return rejection.into_response(),
    };
    let header_token = orgata_rest::extract::bearer_token(parts);
    let parts = parts.clone();
    upgrade
        .protocols(async_graphql::http::ALL_WEBSOCKET_PROTOCOLS)
        .on_upgrade(move |socket| {
            let schema = state.schema.clone();
            let mut data = Data::default();
            data.insert(state.services.clone());
            GraphQLWebSocket::new(socket, schema, protocol)
                .with_data(data)
                .on_connection_init(move |payload| async move {
                    let token = payload_token(&payload).or(header_token).ok_or_else(|| {
                        async_graphql::Error::new(
                            "send the token in connection_init: {\"authorization\": \"Bearer <token>\"}",
                        )
                    })?;
                    let ctx = authenticate(&state, &parts, &token)
                        .await
                        .map_err(call::gql_error)?;
                    let (caller, loaders) = request_data(&state, ctx);
                    let mut data = Data::default();
                    data.insert(caller);
                    data.insert(loaders);
                    data.insert(live::Token(token));
                    Ok(data)
                })
                .serve()
        })
}

/// The bearer token of a `connection_init` payload (`authorization`, any case).
fn payload_token(payload: &serde_json::Value) -> Option<String> {
    let map = payload.as_object()?;
    let value = map
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case("authorization"))?
        .1
        .as_str()?;
    let token = match value.split_once(' ') {
        Some((scheme, t)) if scheme.eq_ignore_ascii_case("bearer") => t,
        _ => value,
    };
    Some(token.trim().to_string()).filter(|t| !t.is_empty())
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_schema_builds() {
        super::schema(&super::GraphqlConfig::default()).expect("schema");
    }
}
