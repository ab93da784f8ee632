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
        (name = "system", description = "Health and metrics"),
    )
)]
pub struct ApiDoc;

/// Adds what every operation shares (the bearer scheme, the error answers) once the routes'
/// paths are in the document.
pub fn complete(doc: &mut utoipa::openapi::OpenApi) {
    Shared.modify(doc);
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
