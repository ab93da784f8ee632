//! sqlx errors mapped once to the service error.

use orgata_core::Error;

/// Unique or foreign-key violations become `Conflict`; everything else is internal.
pub(crate) fn db_err(e: sqlx::Error) -> Error {
    match &e {
        sqlx::Error::RowNotFound => Error::not_found("record"),
        sqlx::Error::Database(d) if d.is_unique_violation() => {
            Error::conflict("a record with these values exists already")
        }
        sqlx::Error::Database(d) if d.is_foreign_key_violation() => {
            Error::conflict("a referenced record does not exist")
        }
        _ => {
            tracing::error!(error = %e, "database error");
            Error::internal(e)
        }
    }
}

pub(crate) fn migrate_err(e: sqlx::migrate::MigrateError) -> Error {
    tracing::error!(error = %e, "migration failed");
    Error::internal(e)
}

/// A stored enum value that does not parse: the database holds something the code never wrote.
pub(crate) fn corrupt(what: &str, value: &str) -> Error {
    Error::internal(format!("stored {what} {value:?} is not valid"))
}
