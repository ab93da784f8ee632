//! What a resolver needs: the caller, the services, typed arguments, the contract's errors in
//! `extensions.code`, and cursor connections over the services' pages.

use std::collections::HashMap;
use std::sync::Arc;

use async_graphql::dynamic::{
    Field, FieldFuture, FieldValue, InputValue, Object, ResolverContext, TypeRef,
};
use async_graphql::ErrorExtensions;
use base64::Engine;
use orgata_core::page::{Page, PageRequest, DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE};
use orgata_core::services::events::EventFilter;
use orgata_core::services::{Ctx, Services};
use orgata_core::Error;
use serde::de::DeserializeOwned;
use serde::Serialize;
use uuid::Uuid;

use crate::types::{In, InputShapes, Json};

/// The authenticated caller of one request (or one WebSocket connection).
#[derive(Clone)]
pub struct Caller(pub Ctx);

/// The contract's error as a GraphQL error: `extensions.code` and, where there are,
/// `extensions.details` (field errors as JSON Pointers).
pub fn gql_error(err: Error) -> async_graphql::Error {
    gql_error_of(&err)
}

/// [`gql_error`] of a borrowed error.
pub fn gql_error_of(err: &Error) -> async_graphql::Error {
    if let Error::Internal(cause) = err {
        tracing::error!(%cause, "internal error (GraphQL)");
    }
    let code = err.code().as_str();
    let details = err.public_details();
    let retry = match err {
        Error::RateLimited { retry_after_secs } => Some(*retry_after_secs),
        _ => None,
    };
    async_graphql::Error::new(err.public_message()).extend_with(|_, e| {
        e.set("code", code);
        if let Some(d) = details.clone() {
            if let Ok(v) = async_graphql::Value::from_json(d) {
                e.set("details", v);
            }
        }
        if let Some(r) = retry {
            e.set("retryAfterSeconds", r);
        }
    })
}

/// One resolver call: the services, the caller and the arguments.
pub struct Call<'a> {
    pub rc: ResolverContext<'a>,
    /// The shapes of the field's input-object arguments.
    pub inputs: Arc<HashMap<&'static str, In>>,
}

impl<'a> Call<'a> {
    pub fn services(&self) -> async_graphql::Result<Arc<Services>> {
        Ok(self.rc.ctx.data::<Arc<Services>>()?.clone())
    }

    /// The services and the caller.
    pub fn caller(&self) -> async_graphql::Result<(Arc<Services>, Ctx)> {
        Ok((self.services()?, self.ctx()?))
    }

    /// A hand-made input object argument (a filter), absent as empty.
    pub fn filter(&self, name: &str) -> async_graphql::Result<Filter> {
        let value = match self.rc.args.get(name) {
            Some(v) => v.as_value().clone().into_json().unwrap_or(Json::Null),
            None => Json::Null,
        };
        Ok(Filter {
            name: name.to_string(),
            map: value.as_object().cloned().unwrap_or_default(),
        })
    }

    /// The `teamId` argument, or else the team of an instance the caller can see.
    pub async fn team_of_instance(&self, id: Uuid) -> async_graphql::Result<Uuid> {
        let (s, ctx) = self.caller()?;
        self.team_of(|team| {
            let (s, ctx) = (s.clone(), ctx.clone());
            async move { s.get_instance(&ctx, team, id).await.map(|_| ()) }
        })
        .await
    }

    /// The `teamId` argument, or else the team of a proposal the caller can see.
    pub async fn team_of_proposal(&self, id: Uuid) -> async_graphql::Result<Uuid> {
        let (s, ctx) = self.caller()?;
        self.team_of(|team| {
            let (s, ctx) = (s.clone(), ctx.clone());
            async move { s.get_proposal(&ctx, team, id).await.map(|_| ()) }
        })
        .await
    }

    /// The `teamId` argument, or else the first of the caller's teams where `probe` finds the
    /// record (NOT_FOUND when none does).
    async fn team_of<F, Fut>(&self, probe: F) -> async_graphql::Result<Uuid>
    where
        F: Fn(Uuid) -> Fut,
        Fut: std::future::Future<Output = orgata_core::Result<()>>,
    {
        if let Some(team) = self.opt_id("teamId")? {
            return Ok(team);
        }
        let (s, ctx) = self.caller()?;
        let teams = match ctx.actor.bound_team() {
            Some(team) => vec![team],
            None => s
                .list_teams(&ctx, PageRequest::window(0, MAX_PAGE_SIZE))
                .await
                .map_err(gql_error)?
                .items
                .into_iter()
                .map(|t| t.id)
                .collect(),
        };
        for team in teams {
            match probe(team).await {
                Ok(()) => return Ok(team),
                Err(e) if e.code() == orgata_core::ErrorCode::NotFound => continue,
                Err(e) => return Err(gql_error(e)),
            }
        }
        Err(gql_error(Error::not_found("record")))
    }

    /// The caller; unauthenticated requests never reach a resolver.
    pub fn ctx(&self) -> async_graphql::Result<Ctx> {
        Ok(self
            .rc
            .ctx
            .data_opt::<Caller>()
            .ok_or_else(|| {
                gql_error(Error::unauthenticated(
                    "send Authorization: Bearer <token> (an access token or a personal access token)",
                ))
            })?
            .0
            .clone())
    }

    /// A required `ID` argument as a UUID.
    pub fn id(&self, name: &str) -> async_graphql::Result<Uuid> {
        self.opt_id(name)?.ok_or_else(|| {
            gql_error(Error::invalid(
                &format!("/{name}"),
                "required",
                "is required",
            ))
        })
    }

    /// An optional `ID` argument as a UUID.
    pub fn opt_id(&self, name: &str) -> async_graphql::Result<Option<Uuid>> {
        match self.rc.args.get(name) {
            None => Ok(None),
            Some(v) if v.is_null() => Ok(None),
            Some(v) => {
                let s = v.string()?;
                Uuid::parse_str(s).map(Some).map_err(|_| {
                    gql_error(Error::invalid(
                        &format!("/{name}"),
                        "invalid",
                        format!("{s:?} is not an id (a UUID)"),
                    ))
                })
            }
        }
    }

    /// An optional string argument.
    pub fn text(&self, name: &str) -> async_graphql::Result<Option<String>> {
        match self.rc.args.get(name) {
            Some(v) if !v.is_null() => Ok(Some(match v.as_value() {
                async_graphql::Value::Enum(n) => n.to_string(),
                _ => v.string()?.to_string(),
            })),
            _ => Ok(None),
        }
    }

    /// A required string argument.
    pub fn required_text(&self, name: &str) -> async_graphql::Result<String> {
        self.text(name)?.ok_or_else(|| {
            gql_error(Error::invalid(
                &format!("/{name}"),
                "required",
                "is required",
            ))
        })
    }

    /// An optional integer argument.
    pub fn int(&self, name: &str) -> async_graphql::Result<Option<i64>> {
        match self.rc.args.get(name) {
            Some(v) if !v.is_null() => Ok(Some(v.i64()?)),
            _ => Ok(None),
        }
    }

    /// An input-object argument as the JSON its service reads (absent: `null`).
    pub fn json(&self, name: &str) -> async_graphql::Result<Json> {
        let shapes = self.rc.ctx.data::<Arc<InputShapes>>()?;
        let shape = self.inputs.get(name).unwrap_or(&In::Leaf);
        Ok(match self.rc.args.get(name) {
            Some(v) => shapes.to_json(shape, v.as_value()),
            None => Json::Null,
        })
    }

    /// An input-object argument parsed into its service type, with the REST door's errors
    /// (absent: as `{}`).
    pub fn input<T: DeserializeOwned>(&self, name: &str) -> async_graphql::Result<T> {
        let mut value = self.json(name)?;
        if value.is_null() {
            value = Json::Object(Default::default());
        }
        orgata_rest::extract::parse_object(value).map_err(gql_error)
    }

    /// The page a connection's `first` and `after` ask for.
    pub fn page(&self) -> async_graphql::Result<PageRequest> {
        let first = self.int("first")?.unwrap_or(DEFAULT_PAGE_SIZE as i64);
        if !(1..=MAX_PAGE_SIZE as i64).contains(&first) {
            return Err(gql_error(Error::invalid(
                "/first",
                "out_of_range",
                format!("must be 1 to {MAX_PAGE_SIZE}"),
            )));
        }
        let start = match self.text("after")? {
            None => 0,
            Some(cursor) => decode_cursor(&cursor)?.saturating_add(1),
        };
        Ok(PageRequest::window(start, first as u32))
    }
}

/// The arguments that filter events: `types` and `entityId`.
pub fn event_arguments() -> [InputValue; 2] {
    [
        InputValue::new("types", TypeRef::named_nn_list(TypeRef::STRING)).description(
            "Event types (`task.completed`), or `task.*` for every type of an entity.",
        ),
        InputValue::new("entityId", TypeRef::named(TypeRef::ID))
            .description("Only events about this entity."),
    ]
}

impl Call<'_> {
    /// The event filter of the `types` and `entityId` arguments.
    pub fn event_filter(&self) -> async_graphql::Result<EventFilter> {
        let mut types = Vec::new();
        if let Some(list) = self.rc.args.get("types") {
            for v in list.list()?.iter() {
                types.push(v.string()?.to_string());
            }
        }
        let types = types.iter().map(String::as_str);
        EventFilter::parse("/types", types, self.opt_id("entityId")?).map_err(gql_error)
    }
}

/// A filter argument's fields (camelCase keys, enum values as strings).
pub struct Filter {
    name: String,
    map: serde_json::Map<String, Json>,
}

impl Filter {
    pub fn text(&self, key: &str) -> Option<String> {
        self.map.get(key).and_then(Json::as_str).map(str::to_string)
    }

    pub fn flag(&self, key: &str) -> bool {
        self.map.get(key).and_then(Json::as_bool).unwrap_or(false)
    }

    pub fn id(&self, key: &str) -> async_graphql::Result<Option<Uuid>> {
        self.text(key)
            .map(|v| {
                Uuid::parse_str(&v).map_err(|_| {
                    gql_error(Error::invalid(
                        &format!("/{}/{key}", self.name),
                        "invalid",
                        format!("{v:?} is not an id (a UUID)"),
                    ))
                })
            })
            .transpose()
    }
}

/// A cursor: the item's position in its list, opaque to clients.
pub fn encode_cursor(offset: i64) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(format!("offset:{offset}"))
}

fn decode_cursor(cursor: &str) -> async_graphql::Result<u32> {
    base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(cursor)
        .ok()
        .and_then(|b| String::from_utf8(b).ok())
        .and_then(|s| {
            s.strip_prefix("offset:")
                .and_then(|n| n.parse::<u32>().ok())
        })
        .ok_or_else(|| {
            gql_error(Error::invalid(
                "/after",
                "invalid",
                "is not a cursor of this list (use an endCursor or an edge's cursor)",
            ))
        })
}

/// A connection page, resolved by the connection types of [`connection_types`].
pub struct Connection {
    pub items: Vec<Arc<Json>>,
    pub total_count: i64,
    pub offset: i64,
}

/// A service page as a connection.
pub fn connection<T: Serialize>(page: Page<T>) -> async_graphql::Result<Connection> {
    let offset = page.request.offset();
    let items = page
        .items
        .into_iter()
        .map(|i| {
            serde_json::to_value(i)
                .map(Arc::new)
                .map_err(|e| gql_error(Error::internal(e)))
        })
        .collect::<async_graphql::Result<Vec<_>>>()?;
    Ok(Connection {
        items,
        total_count: page.total_count,
        offset,
    })
}

/// The arguments of every connection field.
pub fn paged(field: Field) -> Field {
    field
        .argument(
            InputValue::new("first", TypeRef::named(TypeRef::INT)).description(format!(
                "Items to return, 1 to {MAX_PAGE_SIZE} (default {DEFAULT_PAGE_SIZE})."
            )),
        )
        .argument(
            InputValue::new("after", TypeRef::named(TypeRef::STRING))
                .description("Return the items after this cursor."),
        )
}

/// Relay's `PageInfo` (resolved from the JSON a connection's `pageInfo` makes).
pub fn page_info() -> Object {
    let fields = [
        ("hasNextPage", TypeRef::named_nn(TypeRef::BOOLEAN)),
        ("hasPreviousPage", TypeRef::named_nn(TypeRef::BOOLEAN)),
        ("startCursor", TypeRef::named(TypeRef::STRING)),
        ("endCursor", TypeRef::named(TypeRef::STRING)),
    ];
    fields.into_iter().fold(
        Object::new("PageInfo").description("Where a page of a connection sits in its list."),
        |o, (name, ty)| {
            o.field(Field::new(name, ty, move |ctx| {
                FieldFuture::new(async move {
                    let v = crate::types::parent(&ctx)?.get(name).cloned();
                    Ok(v.filter(|v| !v.is_null()).map(|v| crate::types::leaf(&v)))
                })
            }))
        },
    )
}

/// `XConnection` and `XEdge` (Relay's shape) of a node type.
pub fn connection_types(node: &str) -> Vec<Object> {
    let conn = format!("{node}Connection");
    let edge = format!("{node}Edge");
    let edges = {
        let edge = edge.clone();
        Field::new("edges", TypeRef::named_nn_list_nn(&edge), move |ctx| {
            FieldFuture::new(async move {
                let c = of(&ctx)?;
                Ok(Some(FieldValue::list(c.items.iter().enumerate().map(
                    |(i, item)| {
                        FieldValue::owned_any(Edge {
                            cursor: encode_cursor(c.offset + i as i64),
                            node: item.clone(),
                        })
                    },
                ))))
            })
        })
    };
    let nodes = Field::new("nodes", TypeRef::named_nn_list_nn(node), move |ctx| {
        FieldFuture::new(async move {
            let c = of(&ctx)?;
            Ok(Some(FieldValue::list(
                c.items.iter().map(|i| FieldValue::borrowed_any(&**i)),
            )))
        })
    });
    let info = Field::new("pageInfo", TypeRef::named_nn("PageInfo"), move |ctx| {
        FieldFuture::new(async move {
            let c = of(&ctx)?;
            let n = c.items.len() as i64;
            let info = serde_json::json!({
                "hasNextPage": c.offset + n < c.total_count,
                "hasPreviousPage": c.offset > 0,
                "startCursor": (n > 0).then(|| encode_cursor(c.offset)),
                "endCursor": (n > 0).then(|| encode_cursor(c.offset + n - 1)),
            });
            Ok(Some(FieldValue::owned_any(info)))
        })
    });
    let total = Field::new("totalCount", TypeRef::named_nn(TypeRef::INT), move |ctx| {
        FieldFuture::new(async move {
            let c = of(&ctx)?;
            Ok(Some(async_graphql::Value::from(c.total_count)))
        })
    });
    let edge_type = Object::new(&edge)
        .field(Field::new(
            "cursor",
            TypeRef::named_nn(TypeRef::STRING),
            |ctx| {
                FieldFuture::new(async move {
                    let e = ctx.parent_value.try_downcast_ref::<Edge>()?;
                    Ok(Some(async_graphql::Value::from(e.cursor.clone())))
                })
            },
        ))
        .field(Field::new("node", TypeRef::named_nn(node), |ctx| {
            FieldFuture::new(async move {
                let e = ctx.parent_value.try_downcast_ref::<Edge>()?;
                Ok(Some(FieldValue::borrowed_any(&*e.node)))
            })
        }));
    vec![
        Object::new(conn)
            .description(format!(
                "A page of {node} items; `pageInfo.endCursor` continues it."
            ))
            .field(edges)
            .field(nodes)
            .field(info)
            .field(total),
        edge_type,
    ]
}

fn of<'a>(ctx: &ResolverContext<'a>) -> async_graphql::Result<&'a Connection> {
    ctx.parent_value.try_downcast_ref::<Connection>()
}

/// An edge of a connection.
struct Edge {
    cursor: String,
    node: Arc<Json>,
}
