//! Rows in PostgreSQL's binary `COPY` format: each field its length and its bytes, so a
//! UUID is sixteen bytes and a text is sent as it is, with nothing escaped by us nor parsed
//! by the server (the format: PostgreSQL's documentation, COPY, "Binary Format").

use chrono::{DateTime, Utc};

/// Seconds from the Unix epoch to PostgreSQL's (2000-01-01 UTC).
const PG_EPOCH_SECONDS: i64 = 946_684_800;

/// A `COPY … FROM STDIN (FORMAT binary)` payload being built a row at a time.
pub(crate) struct BinaryRows {
    buf: Vec<u8>,
    rows: usize,
}

impl BinaryRows {
    /// An empty payload: the signature, no flags, no header extension.
    pub(crate) fn new() -> Self {
        let mut buf = Vec::with_capacity(1 << 16);
        buf.extend_from_slice(b"PGCOPY\n\xff\r\n\0");
        buf.extend_from_slice(&0i32.to_be_bytes());
        buf.extend_from_slice(&0i32.to_be_bytes());
        Self { buf, rows: 0 }
    }

    /// Whether no row was added.
    pub(crate) fn is_empty(&self) -> bool {
        self.rows == 0
    }

    /// Starts a row of `fields` fields; each must then be added in the table's column order.
    pub(crate) fn row(&mut self, fields: i16) -> &mut Self {
        self.rows += 1;
        self.buf.extend_from_slice(&fields.to_be_bytes());
        self
    }

    fn field(&mut self, bytes: &[u8]) -> &mut Self {
        let len = i32::try_from(bytes.len()).expect("a field is under 2 GiB");
        self.buf.extend_from_slice(&len.to_be_bytes());
        self.buf.extend_from_slice(bytes);
        self
    }

    /// A `uuid`.
    pub(crate) fn uuid(&mut self, id: uuid::Uuid) -> &mut Self {
        self.field(id.as_bytes())
    }

    /// A `text` (or a null).
    pub(crate) fn text(&mut self, text: Option<&str>) -> &mut Self {
        match text {
            Some(t) => self.field(t.as_bytes()),
            None => {
                self.buf.extend_from_slice(&(-1i32).to_be_bytes());
                self
            }
        }
    }

    /// A `jsonb`, from its JSON text.
    pub(crate) fn jsonb(&mut self, json: &str) -> &mut Self {
        let len = i32::try_from(json.len() + 1).expect("a field is under 2 GiB");
        self.buf.extend_from_slice(&len.to_be_bytes());
        self.buf.push(1);
        self.buf.extend_from_slice(json.as_bytes());
        self
    }

    /// A `timestamptz`, to the microsecond (cut as sqlx cuts a time it binds).
    pub(crate) fn time(&mut self, t: DateTime<Utc>) -> &mut Self {
        let micros = t.timestamp_micros() - PG_EPOCH_SECONDS * 1_000_000;
        self.field(&micros.to_be_bytes())
    }

    /// The finished payload, with its trailer.
    pub(crate) fn finish(mut self) -> Vec<u8> {
        self.buf.extend_from_slice(&(-1i16).to_be_bytes());
        self.buf
    }
}

#[cfg(test)]
mod tests {
    use super::BinaryRows;

    #[test]
    fn a_row_is_its_field_count_then_each_length_and_bytes() {
        let mut rows = BinaryRows::new();
        rows.row(3).text(Some("ab")).text(None).jsonb("{}");
        let bytes = rows.finish();
        assert_eq!(&bytes[..11], b"PGCOPY\n\xff\r\n\0");
        assert_eq!(
            &bytes[19..],
            &[
                0, 3, 0, 0, 0, 2, b'a', b'b', 255, 255, 255, 255, 0, 0, 0, 3, 1, b'{', b'}', 255,
                255
            ]
        );
    }

    #[test]
    fn a_time_counts_microseconds_from_2000() {
        let mut rows = BinaryRows::new();
        let t = chrono::DateTime::parse_from_rfc3339("2000-01-01T00:00:01.000002Z")
            .unwrap()
            .to_utc();
        rows.row(1).time(t);
        let bytes = rows.finish();
        assert_eq!(&bytes[21..33], &[0, 0, 0, 8, 0, 0, 0, 0, 0, 15, 66, 66]);
    }
}
