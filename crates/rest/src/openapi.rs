//! The OpenAPI 3.1 document, generated from the handlers' annotations, plus what every
//! operation shares: the bearer scheme and the error answers (429 included).

use utoipa::openapi::path::Operation;
use utoipa::openapi::response::{ResponseBuilder, ResponsesBuilder};
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::openapi::{ContentBuilder, HeaderBuilder, Object, RefOr, Type};
use utoipa::{IntoParams, Modify, OpenApi, ToSchema};

use crate::envelope::ErrorEnvelope;

/// `page` and `page_size` of every list.
#[derive(IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PageParams {
    /// The page, 1-based (default 1).
    #[param(minimum = 1, maximum = 1000000)]
    pub page: Option<i64>,
    /// Items per page (default 50).
    #[param(minimum = 1, maximum = 200)]
    pub page_size: Option<i64>,
}

/// The `team_id` path parameter.
#[derive(IntoParams)]
#[into_params(names("team_id"), parameter_in = Path)]
pub struct TeamPath(
    /// Team id.
    pub uuid::Uuid,
);

/// The `user_id` path parameter.
#[derive(IntoParams)]
#[into_params(names("user_id"), parameter_in = Path)]
pub struct UserPath(
    /// User id of the member.
    pub uuid::Uuid,
);

/// The `role_id` path parameter.
#[derive(IntoParams)]
#[into_params(names("role_id"), parameter_in = Path)]
pub struct RolePath(
    /// Business role id.
    pub uuid::Uuid,
);

/// The `report_id` path parameter.
#[derive(IntoParams)]
#[into_params(names("report_id"), parameter_in = Path)]
pub struct ReportPath(
    /// Report id.
    pub uuid::Uuid,
);

/// The `report_id` and `execution_id` path parameters.
#[derive(IntoParams)]
#[into_params(names("report_id", "execution_id"), parameter_in = Path)]
pub struct ReportExecutionPath(
    /// Report id.
    pub uuid::Uuid,
    /// Execution id.
    pub uuid::Uuid,
);

/// The `dashboard_id` path parameter.
#[derive(IntoParams)]
#[into_params(names("dashboard_id"), parameter_in = Path)]
pub struct DashboardPath(
    /// Dashboard id.
    pub uuid::Uuid,
);

/// The `webhook_id` path parameter.
#[derive(IntoParams)]
#[into_params(names("webhook_id"), parameter_in = Path)]
pub struct WebhookPath(
    /// Webhook id.
    pub uuid::Uuid,
);

/// The `delivery_id` path parameter.
#[derive(IntoParams)]
#[into_params(names("delivery_id"), parameter_in = Path)]
pub struct DeliveryPath(
    /// Delivery id.
    pub uuid::Uuid,
);

/// The `name` path parameter of a secret.
#[derive(IntoParams)]
#[into_params(names("name"), parameter_in = Path)]
pub struct SecretPath(
    /// Secret name.
    #[param(pattern = "^[A-Za-z_][A-Za-z0-9_]{0,63}$")]
    pub String,
);

/// The document's fixed parts; paths come from the routes.
#[derive(OpenApi)]
#[openapi(
    info(title = "Orgata Runtime API", description = "Run and improve a team's business processes. \
        Every answer is the envelope {success, data | error, metadata, links}; lists add pagination.",
        license(name = "Apache-2.0")),
    security(("bearer" = [])),
    components(schemas(ErrorEnvelope)),
    tags(
        (name = "auth", description = "Accounts and sessions"),
        (name = "me", description = "The caller, tokens and second factor"),
        (name = "organizations", description = "Organizations"),
        (name = "teams", description = "Teams and settings"),
        (name = "members", description = "Members, invitations and agents"),
        (name = "roles", description = "Business roles"),
        (name = "secrets", description = "Team secrets"),
        (name = "audit", description = "Audit trail"),
        (name = "events", description = "The team's events as Server-Sent Events"),
        (name = "webhooks", description = "Webhook endpoints and their signed deliveries"),
        (name = "branches", description = "Branches, commits, reverts, comparisons and branch protection"),
        (name = "merges", description = "Merge drafts: conflicts, resolutions, commits"),
        (name = "proposals", description = "Change proposals, reviews and discussion"),
        (name = "analytics", description = "Measures, process mining and event log imports"),
        (name = "system", description = "Health and metrics"),
    )
)]
pub struct ApiDoc;

/// Adds what every operation shares (the bearer scheme, the error answers) once the routes'
/// paths are in the document.
pub fn complete(doc: &mut utoipa::openapi::OpenApi) {
    Shared.modify(doc);
    unique_operation_ids(doc);
    add_links(doc);
}

/// The document as JSON. utoipa 5 writes Link objects' fields in snake case
/// (`operation_id`); OpenAPI spells them `operationId`, `operationRef`, `requestBody`.
pub fn to_json(doc: &utoipa::openapi::OpenApi) -> serde_json::Value {
    let mut value = serde_json::to_value(doc).unwrap_or_default();
    if let Some(paths) = value.get_mut("paths").and_then(|p| p.as_object_mut()) {
        for item in paths.values_mut().filter_map(|i| i.as_object_mut()) {
            for op in item.values_mut() {
                let Some(responses) = op.get_mut("responses").and_then(|r| r.as_object_mut())
                else {
                    continue;
                };
                for response in responses.values_mut() {
                    let Some(links) = response.get_mut("links").and_then(|l| l.as_object_mut())
                    else {
                        continue;
                    };
                    for link in links.values_mut().filter_map(|l| l.as_object_mut()) {
                        for (from, to) in [
                            ("operation_id", "operationId"),
                            ("operation_ref", "operationRef"),
                            ("request_body", "requestBody"),
                        ] {
                            if let Some(v) = link.remove(from) {
                                link.insert(to.to_string(), v);
                            }
                        }
                    }
                }
            }
        }
    }
    value
}

/// `{tag}_{handler}`: handler names repeat across resources (`list`, `get`, …).
fn unique_operation_ids(doc: &mut utoipa::openapi::OpenApi) {
    // `tag_function`, or `tag_resource_function` where two operations would share that (a
    // report's and a dashboard's `create` are both tagged analytics).
    let mut seen = std::collections::HashMap::<String, usize>::new();
    let mut named = Vec::new();
    for (path, item) in doc.paths.paths.iter_mut() {
        let resource = path
            .split('/')
            .rfind(|s| !s.is_empty() && !s.starts_with('{'))
            .unwrap_or_default()
            .replace('-', "_");
        for op in [
            &mut item.get,
            &mut item.put,
            &mut item.post,
            &mut item.delete,
            &mut item.patch,
        ]
        .into_iter()
        .flatten()
        {
            let tag = op
                .tags
                .as_ref()
                .and_then(|t| t.first())
                .cloned()
                .unwrap_or_default();
            let Some(id) = op.operation_id.clone() else {
                continue;
            };
            if !tag.is_empty() && !id.starts_with(&format!("{tag}_")) {
                let short = format!("{tag}_{id}");
                *seen.entry(short.clone()).or_default() += 1;
                named.push((op, short, format!("{tag}_{resource}_{id}")));
            }
        }
    }
    for (op, short, long) in named {
        op.operation_id = Some(if seen[&short] > 1 { long } else { short });
    }
}

/// A link from a creating operation's 201 answer to an operation on what it created.
struct LinkSpec {
    /// Path of the creating POST.
    from: &'static str,
    name: &'static str,
    /// Operation id of the target.
    to: &'static str,
    /// Target parameter and the runtime expression that fills it.
    params: &'static [(&'static str, &'static str)],
}

/// Which operations a created resource leads to.
const LINKS: &[LinkSpec] = &[
    LinkSpec {
        from: "/v1/organizations",
        name: "GetOrganization",
        to: "organizations_get",
        params: &[("organization_id", "$response.body#/data/id")],
    },
    LinkSpec {
        from: "/v1/teams",
        name: "GetTeam",
        to: "teams_get",
        params: &[("team_id", "$response.body#/data/id")],
    },
    LinkSpec {
        from: "/v1/teams",
        name: "UpdateTeam",
        to: "teams_update",
        params: &[("team_id", "$response.body#/data/id")],
    },
    LinkSpec {
        from: "/v1/teams",
        name: "DeleteTeam",
        to: "teams_delete",
        params: &[("team_id", "$response.body#/data/id")],
    },
    LinkSpec {
        from: "/v1/teams",
        name: "ListMembers",
        to: "members_list",
        params: &[("team_id", "$response.body#/data/id")],
    },
    LinkSpec {
        from: "/v1/teams/{team_id}/roles",
        name: "GetRole",
        to: "roles_get",
        params: &[
            ("team_id", "$request.path.team_id"),
            ("role_id", "$response.body#/data/id"),
        ],
    },
    LinkSpec {
        from: "/v1/teams/{team_id}/roles",
        name: "UpdateRole",
        to: "roles_update",
        params: &[
            ("team_id", "$request.path.team_id"),
            ("role_id", "$response.body#/data/id"),
        ],
    },
    LinkSpec {
        from: "/v1/teams/{team_id}/roles",
        name: "DeleteRole",
        to: "roles_delete",
        params: &[
            ("team_id", "$request.path.team_id"),
            ("role_id", "$response.body#/data/id"),
        ],
    },
    LinkSpec {
        from: "/v1/teams/{team_id}/agents",
        name: "GetAgent",
        to: "members_get",
        params: &[
            ("team_id", "$request.path.team_id"),
            ("user_id", "$response.body#/data/user/id"),
        ],
    },
    LinkSpec {
        from: "/v1/teams/{team_id}/agents",
        name: "UpdateAgent",
        to: "members_update",
        params: &[
            ("team_id", "$request.path.team_id"),
            ("user_id", "$response.body#/data/user/id"),
        ],
    },
    LinkSpec {
        from: "/v1/teams/{team_id}/agents",
        name: "RemoveAgent",
        to: "members_remove",
        params: &[
            ("team_id", "$request.path.team_id"),
            ("user_id", "$response.body#/data/user/id"),
        ],
    },
    LinkSpec {
        from: "/v1/teams/{team_id}/secrets",
        name: "UpdateSecret",
        to: "secrets_update",
        params: &[
            ("team_id", "$request.path.team_id"),
            ("name", "$response.body#/data/name"),
        ],
    },
    LinkSpec {
        from: "/v1/teams/{team_id}/secrets",
        name: "DeleteSecret",
        to: "secrets_delete",
        params: &[
            ("team_id", "$request.path.team_id"),
            ("name", "$response.body#/data/name"),
        ],
    },
    LinkSpec {
        from: "/v1/teams/{team_id}/branches",
        name: "GetBranch",
        to: "branches_get",
        params: &[
            ("team_id", "$request.path.team_id"),
            ("name", "$response.body#/data/name"),
        ],
    },
    LinkSpec {
        from: "/v1/teams/{team_id}/branches",
        name: "BranchCommits",
        to: "branches_commits",
        params: &[
            ("team_id", "$request.path.team_id"),
            ("name", "$response.body#/data/name"),
        ],
    },
    LinkSpec {
        from: "/v1/teams/{team_id}/merges",
        name: "GetMerge",
        to: "merges_get_merge",
        params: &[
            ("team_id", "$request.path.team_id"),
            ("merge_id", "$response.body#/data/id"),
        ],
    },
    LinkSpec {
        from: "/v1/teams/{team_id}/change-proposals",
        name: "GetProposal",
        to: "proposals_get",
        params: &[
            ("team_id", "$request.path.team_id"),
            ("proposal_id", "$response.body#/data/id"),
        ],
    },
    LinkSpec {
        from: "/v1/me/tokens",
        name: "RevokeToken",
        to: "me_revoke_token",
        params: &[("token_id", "$response.body#/data/id")],
    },
];

fn add_links(doc: &mut utoipa::openapi::OpenApi) {
    use utoipa::openapi::link::LinkBuilder;
    for spec in LINKS {
        let Some(op) = doc
            .paths
            .paths
            .get_mut(spec.from)
            .and_then(|item| item.post.as_mut())
        else {
            continue;
        };
        let Some(RefOr::T(response)) = op.responses.responses.get_mut("201") else {
            continue;
        };
        let mut link = LinkBuilder::new().operation_id(spec.to);
        for (param, expression) in spec.params {
            link = link.parameter(*param, *expression);
        }
        response
            .links
            .insert(spec.name.to_string(), RefOr::T(link.build()));
    }
}

struct Shared;

const ERRORS: &[(&str, &str)] = &[
    ("400", "The request or its parameters could not be parsed"),
    ("401", "Not authenticated"),
    ("403", "Not allowed for this access role or token"),
    ("404", "No such resource in the caller's teams"),
    ("409", "Conflicts with the current state"),
    ("413", "The body is too large"),
    (
        "422",
        "Invalid fields (details list each with a JSON Pointer)",
    ),
    ("429", "Rate limited; retry after Retry-After seconds"),
    ("500", "Internal error"),
    (
        "503",
        "The request timed out or the database is unavailable",
    ),
];

impl Modify for Shared {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .bearer_format("JWT or personal access token")
                    .build(),
            ),
        );
        let json = || {
            ContentBuilder::new()
                .schema(Some(RefOr::Ref(utoipa::openapi::Ref::from_schema_name(
                    ErrorEnvelope::name(),
                ))))
                .build()
        };
        let integer = || {
            RefOr::T(utoipa::openapi::schema::Schema::Object(Object::with_type(
                Type::Integer,
            )))
        };
        let mut shared = ResponsesBuilder::new();
        for (status, description) in ERRORS {
            let mut response = ResponseBuilder::new()
                .description(*description)
                .content("application/json", json());
            if *status == "429" {
                response = response.header(
                    "Retry-After",
                    HeaderBuilder::new()
                        .schema(integer())
                        .description(Some("Seconds to wait"))
                        .build(),
                );
            }
            shared = shared.response(format!("E{status}"), response.build());
        }
        for (name, response) in shared.build().responses {
            components.responses.insert(name, response);
        }
        for item in openapi.paths.paths.values_mut() {
            for op in [
                &mut item.get,
                &mut item.put,
                &mut item.post,
                &mut item.delete,
                &mut item.patch,
            ]
            .into_iter()
            .flatten()
            {
                add_errors(op);
            }
        }
    }
}

fn add_errors(op: &mut Operation) {
    for (status, _) in ERRORS {
        op.responses
            .responses
            .entry((*status).to_string())
            .or_insert_with(|| {
                RefOr::Ref(utoipa::openapi::Ref::from_response_name(format!(
                    "E{status}"
                )))
            });
    }
}
