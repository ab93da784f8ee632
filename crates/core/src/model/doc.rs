//! Documentation-only schema types: they state in the OpenAPI document, as patterns, what the
//! service checks, so that generated clients and fuzzers see the same rules.

use utoipa::openapi::schema::{KnownFormat, SchemaFormat, Type};
use utoipa::openapi::{ObjectBuilder, RefOr, Schema};
use utoipa::{PartialSchema, ToSchema};

fn string(format: KnownFormat, pattern: &str) -> RefOr<Schema> {
    ObjectBuilder::new()
        .schema_type(Type::String)
        .format(Some(SchemaFormat::KnownFormat(format)))
        .pattern(Some(pattern))
        .into()
}

/// A UUID in its hyphenated form.
pub struct UuidText;

impl PartialSchema for UuidText {
    fn schema() -> RefOr<Schema> {
        string(
            KnownFormat::Uuid,
            "^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$",
        )
    }
}
impl ToSchema for UuidText {}

/// An RFC 3339 timestamp.
pub struct DateTimeText;

impl PartialSchema for DateTimeText {
    fn schema() -> RefOr<Schema> {
        string(
            KnownFormat::DateTime,
            "^[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|1[0-9]|2[0-8])T([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](\\.[0-9]{1,9})?(Z|[+-]([01][0-9]|2[0-3]):[0-5][0-9])$",
        )
    }
}
impl ToSchema for DateTimeText {}

/// A calendar date, `YYYY-MM-DD`.
pub struct DateText;

impl PartialSchema for DateText {
    fn schema() -> RefOr<Schema> {
        string(
            KnownFormat::Date,
            "^[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|1[0-9]|2[0-8])$",
        )
    }
}
impl ToSchema for DateText {}

/// A time zone name of the IANA database.
pub struct TimeZoneName;

impl PartialSchema for TimeZoneName {
    fn schema() -> RefOr<Schema> {
        ObjectBuilder::new()
            .schema_type(Type::String)
            .enum_values(Some(chrono_tz::TZ_VARIANTS.iter().map(|tz| tz.name())))
            .into()
    }
}
impl ToSchema for TimeZoneName {}

/// A tag: 1 to 100 characters, not all blank.
pub struct Tag;

impl PartialSchema for Tag {
    fn schema() -> RefOr<Schema> {
        ObjectBuilder::new()
            .schema_type(Type::String)
            .min_length(Some(1))
            .max_length(Some(100))
            .pattern(Some("\\S"))
            .into()
    }
}
impl ToSchema for Tag {}

/// The strategies a caller may choose when handling an exception (`escalated` is recorded by
/// the engine, never chosen).
#[derive(utoipa::ToSchema)]
#[schema(rename_all = "snake_case")]
#[allow(dead_code)]
pub enum HandlingStrategy {
    Retry,
    Skip,
    Override,
    Reassign,
    Cancel,
}
