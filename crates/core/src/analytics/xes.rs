//! Reading IEEE XES (1849-2016) event logs one trace at a time, so a log of any size is never
//! held in memory whole. Log-level attributes before the first trace are kept (for the log's
//! name); `global` defaults, extensions and classifiers are skipped; nested attributes are
//! read as their parent's value only.

use std::io::BufRead;

use chrono::{DateTime, Datelike, NaiveDateTime, Utc};
use quick_xml::events::{BytesStart, Event};
use quick_xml::Reader;
use serde_json::{Map, Value};

/// One event of a trace.
#[derive(Debug, Clone, PartialEq)]
pub struct XesEvent {
    /// `concept:name`.
    pub activity: String,
    /// `lifecycle:transition`, lower-cased (`complete` when absent).
    pub lifecycle: String,
    /// `time:timestamp`.
    pub timestamp: DateTime<Utc>,
    /// `org:resource`.
    pub resource: Option<String>,
    /// Every other attribute, typed as the log types it.
    pub attributes: Map<String, Value>,
}

/// One trace (a case) with its events in the order of the log.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct XesTrace {
    /// `concept:name` of the trace.
    pub name: Option<String>,
    /// Its other attributes.
    pub attributes: Map<String, Value>,
    pub events: Vec<XesEvent>,
}

/// Why a log could not be read: where, and what is wrong.
#[derive(Debug, Clone, PartialEq)]
pub struct XesError {
    /// A JSON Pointer-like place: `/traces/{i}/events/{j}` or `/`.
    pub at: String,
    pub message: String,
}

/// A log that cannot be read is 422 `invalid_xes` at the place it names.
impl From<XesError> for crate::Error {
    fn from(e: XesError) -> Self {
        crate::Error::invalid(&e.at, "invalid_xes", e.message)
    }
}

impl std::fmt::Display for XesError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.at, self.message)
    }
}

/// The most attributes kept on one trace or event (not counting an event's standard ones, which
/// are its fields), and the longest value kept.
const MAX_ATTRIBUTES: usize = 200;
const MAX_VALUE_CHARS: usize = 10_000;
/// The attributes an import reads, never dropped by the cap.
const STANDARD: [&str; 4] = [
    "concept:name",
    "time:timestamp",
    "lifecycle:transition",
    "org:resource",
];

/// Reads traces from an XES document.
pub struct XesReader<R: BufRead> {
    reader: Reader<R>,
    buf: Vec<u8>,
    /// The log's attributes seen before the first trace.
    pub log_attributes: Map<String, Value>,
    traces: usize,
    done: bool,
    saw_log: bool,
}

impl<R: BufRead> XesReader<R> {
    /// A reader over `input` (already decompressed).
    pub fn new(input: R) -> Self {
        let mut reader = Reader::from_reader(input);
        reader.config_mut().trim_text(true);
        XesReader {
            reader,
            buf: Vec::new(),
            log_attributes: Map::new(),
            traces: 0,
            done: false,
            saw_log: false,
        }
    }

    /// The log's `concept:name`, once read (it precedes the traces).
    pub fn log_name(&self) -> Option<&str> {
        self.log_attributes.get("concept:name")?.as_str()
    }

    fn error(&self, at: String, message: impl Into<String>) -> XesError {
        XesError {
            at,
            message: message.into(),
        }
    }

    fn xml_error(&self, e: impl std::fmt::Display) -> XesError {
        let at = format!("/traces/{}", self.traces);
        self.error(
            at,
            format!(
                "not well-formed XML near byte {}: {e}",
                self.reader.buffer_position()
            ),
        )
    }

    /// Skips everything inside the element just opened.
    fn skip(&mut self, start: &BytesStart<'_>) -> Result<(), XesError> {
        let end = start.to_end().into_owned();
        let mut skip_buf = Vec::new();
        self.reader
            .read_to_end_into(end.name(), &mut skip_buf)
            .map(|_| ())
            .map_err(|e| self.xml_error(e))
    }

    /// The next trace; `None` at the end of the log.
    pub fn next_trace(&mut self) -> Result<Option<XesTrace>, XesError> {
        if self.done {
            return Ok(None);
        }
        let mut trace: Option<XesTrace> = None;
        let mut event: Option<EventDraft> = None;
        let mut buf = std::mem::take(&mut self.buf);
        loop {
            buf.clear();
            let ev = self
                .reader
                .read_event_into(&mut buf)
                .map_err(|e| self.xml_error(e))?;
            let (start, empty) = match ev {
                Event::Start(start) => (start, false),
                Event::Empty(start) => (start, true),
                Event::End(end) => {
                    match end.local_name().as_ref() {
                        b"event" => {
                            if let (Some(t), Some(draft)) = (trace.as_mut(), event.take()) {
                                t.events.push(draft.finish(self.traces)?);
                            }
                        }
                        b"trace" => {
                            self.buf = buf;
                            return Ok(Some(self.finish_trace(trace.take())));
                        }
                        b"log" => {
                            self.done = true;
                            return Ok(None);
                        }
                        _ => {}
                    }
                    continue;
                }
                Event::Eof => {
                    self.done = true;
                    if trace.is_some() || !self.saw_log {
                        return Err(self.error(
                            format!("/traces/{}", self.traces),
                            "the document ends before the log does",
                        ));
                    }
                    return Ok(None);
                }
                _ => continue,
            };
            match start.local_name().as_ref() {
                b"log" => self.saw_log = true,
                b"trace" if !self.saw_log => {
                    return Err(self.error("/".into(), "an XES document starts with <log>"));
                }
                b"trace" if empty => return Ok(Some(self.finish_trace(None))),
                b"trace" => trace = Some(XesTrace::default()),
                b"event" if trace.is_some() => {
                    let index = trace.as_ref().map_or(0, |t| t.events.len());
                    if empty {
                        let at = format!("/traces/{}/events/{index}", self.traces);
                        return Err(self.error(at, "the event has no attributes"));
                    }
                    event = Some(EventDraft {
                        index,
                        ..EventDraft::default()
                    });
                }
                b"global" | b"extension" | b"classifier" | b"event" => {
                    if !empty {
                        self.skip(&start)?;
                    }
                }
                _ => {
                    let (key, value) = self.attribute(&start)?;
                    // Nested attributes (meta-attributes, list items) are not kept.
                    if !empty {
                        self.skip(&start)?;
                    }
                    let target = match (&mut trace, &mut event) {
                        (_, Some(draft)) => match key {
                            // An event's standard attributes are its fields.
                            Some(Key::Standard(i)) => {
                                draft.standard[i] = Some(value);
                                continue;
                            }
                            _ => &mut draft.attributes,
                        },
                        (Some(t), None) => &mut t.attributes,
                        (None, None) => &mut self.log_attributes,
                    };
                    match key {
                        // The standard attributes are kept past the cap.
                        Some(Key::Standard(i)) => {
                            target.insert(STANDARD[i].to_string(), value);
                        }
                        Some(Key::Other(key)) if target.len() < MAX_ATTRIBUTES => {
                            target.insert(key, value);
                        }
                        _ => {}
                    }
                }
            }
        }
    }

    fn finish_trace(&mut self, trace: Option<XesTrace>) -> XesTrace {
        let mut t = trace.unwrap_or_default();
        if let Some(Value::String(name)) = t.attributes.remove("concept:name") {
            t.name = Some(name);
        }
        self.traces += 1;
        t
    }

    /// An attribute element's key and typed value.
    fn attribute(&self, start: &BytesStart<'_>) -> Result<(Option<Key>, Value), XesError> {
        let mut key = None;
        let mut value = None;
        for a in start.attributes().with_checks(false) {
            let a = a.map_err(|e| self.xml_error(e))?;
            let text = a
                .decode_and_unescape_value(self.reader.decoder())
                .map_err(|e| self.xml_error(e))?;
            match a.key.local_name().as_ref() {
                b"key" => {
                    key = Some(match STANDARD.iter().position(|k| *k == text) {
                        Some(i) => Key::Standard(i),
                        None => Key::Other(text.into_owned()),
                    })
                }
                b"value" => value = Some(text.into_owned()),
                _ => {}
            }
        }
        let mut value = value.unwrap_or_default();
        // A value of at most MAX_VALUE_CHARS bytes has no more characters than that.
        if value.len() > MAX_VALUE_CHARS && value.chars().count() > MAX_VALUE_CHARS {
            value = value.chars().take(MAX_VALUE_CHARS).collect();
        }
        let typed = match start.local_name().as_ref() {
            b"int" => value
                .parse::<i64>()
                .map(Value::from)
                .unwrap_or(Value::String(value)),
            b"float" => value
                .parse::<f64>()
                .ok()
                .and_then(serde_json::Number::from_f64)
                .map(Value::Number)
                .unwrap_or(Value::String(value)),
            b"boolean" => match value.as_str() {
                "true" => Value::Bool(true),
                "false" => Value::Bool(false),
                _ => Value::String(value),
            },
            b"list" | b"container" => Value::Null,
            _ => Value::String(value),
        };
        Ok((key, typed))
    }
}

/// Parses an XES `xs:dateTime`; one without a zone is taken as UTC. Years outside 1–9999
/// are refused: both backends store and order them alike only within that range.
pub fn parse_timestamp(text: &str) -> Option<DateTime<Utc>> {
    parse_any_timestamp(text).filter(|t| (1..=9999).contains(&t.year()))
}

fn parse_any_timestamp(text: &str) -> Option<DateTime<Utc>> {
    if let Ok(t) = DateTime::parse_from_rfc3339(text) {
        return Some(t.with_timezone(&Utc));
    }
    for format in ["%Y-%m-%dT%H:%M:%S%.f", "%Y-%m-%d %H:%M:%S%.f"] {
        if let Ok(t) = NaiveDateTime::parse_from_str(text, format) {
            return Some(t.and_utc());
        }
    }
    DateTime::parse_from_str(text, "%Y-%m-%dT%H:%M:%S%.f%z")
        .ok()
        .map(|t| t.with_timezone(&Utc))
}

/// An attribute's key: one of [`STANDARD`] (by its index there) or another.
enum Key {
    Standard(usize),
    Other(String),
}

/// An event being read: its standard attributes (as [`STANDARD`] orders them) apart from the
/// others.
#[derive(Default)]
struct EventDraft {
    /// Its place in its trace.
    index: usize,
    standard: [Option<Value>; 4],
    attributes: Map<String, Value>,
}

impl EventDraft {
    /// The event, or why it is not one (at its place in trace `trace`).
    fn finish(self, trace: usize) -> Result<XesEvent, XesError> {
        let err = |message: &str| XesError {
            at: format!("/traces/{trace}/events/{}", self.index),
            message: message.to_string(),
        };
        let [name, timestamp, lifecycle, resource] = self.standard;
        let activity = match name {
            Some(Value::String(s)) if !s.trim().is_empty() => s,
            _ => return Err(err("the event has no concept:name (its activity)")),
        };
        let timestamp = match timestamp {
            Some(Value::String(s)) => {
                parse_timestamp(&s).ok_or_else(|| err("time:timestamp is not an xs:dateTime"))?
            }
            _ => return Err(err("the event has no time:timestamp")),
        };
        let lifecycle = match lifecycle {
            Some(Value::String(s)) if s.chars().any(char::is_uppercase) => s.to_lowercase(),
            Some(Value::String(s)) => s,
            _ => "complete".to_string(),
        };
        let resource = match resource {
            Some(Value::String(s)) => Some(s),
            _ => None,
        };
        Ok(XesEvent {
            activity,
            lifecycle,
            timestamp,
            resource,
            attributes: self.attributes,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(doc: &str) -> (Vec<XesTrace>, Option<String>) {
        let mut r = XesReader::new(doc.as_bytes());
        let mut traces = Vec::new();
        while let Some(t) = r.next_trace().unwrap() {
            traces.push(t);
        }
        (traces, r.log_name().map(str::to_string))
    }

    const LOG: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<log xes.version="1849-2016" xmlns="http://www.xes-standard.org/">
  <extension name="Concept" prefix="concept" uri="http://www.xes-standard.org/concept.xesext"/>
  <global scope="event"><string key="concept:name" value="__INVALID__"/></global>
  <classifier name="Activity" keys="concept:name"/>
  <string key="concept:name" value="Orders &amp; returns"/>
  <trace>
    <string key="concept:name" value="c1"/>
    <int key="priority" value="3"/>
    <event>
      <string key="concept:name" value="Receive"/>
      <string key="lifecycle:transition" value="START"/>
      <date key="time:timestamp" value="2024-01-02T10:00:00.000+01:00"/>
      <string key="org:resource" value="Ann"/>
      <float key="amount" value="12.5"><string key="currency" value="EUR"/></float>
    </event>
    <event>
      <string key="concept:name" value="Receive"/>
      <date key="time:timestamp" value="2024-01-02T09:30:00"/>
      <boolean key="ok" value="true"/>
    </event>
  </trace>
  <trace/>
</log>"#;

    #[test]
    fn reads_traces_events_and_attributes() {
        let (traces, name) = read(LOG);
        assert_eq!(name.as_deref(), Some("Orders & returns"));
        assert_eq!(traces.len(), 2);
        let t = &traces[0];
        assert_eq!(t.name.as_deref(), Some("c1"));
        assert_eq!(t.attributes["priority"], 3);
        let e = &t.events[0];
        assert_eq!(
            (e.activity.as_str(), e.lifecycle.as_str()),
            ("Receive", "start")
        );
        assert_eq!(
            e.timestamp,
            parse_timestamp("2024-01-02T09:00:00Z").unwrap()
        );
        assert_eq!(e.resource.as_deref(), Some("Ann"));
        assert_eq!(
            e.attributes["amount"], 12.5,
            "nested attributes are not kept"
        );
        assert_eq!(e.attributes.len(), 1);
        let e = &t.events[1];
        assert_eq!(e.lifecycle, "complete");
        assert_eq!(
            e.timestamp,
            parse_timestamp("2024-01-02T09:30:00Z").unwrap()
        );
        assert_eq!(e.attributes["ok"], true);
        assert!(traces[1].events.is_empty());
    }

    #[test]
    fn says_where_a_log_is_wrong() {
        let no_time =
            r#"<log><trace><event><string key="concept:name" value="A"/></event></trace></log>"#;
        let mut r = XesReader::new(no_time.as_bytes());
        let e = r.next_trace().unwrap_err();
        assert_eq!(e.at, "/traces/0/events/0");
        assert!(e.message.contains("time:timestamp"), "{e}");
        let cut = r#"<log><trace><event><string key="concept:name" value="A"/>"#;
        let e = XesReader::new(cut.as_bytes()).next_trace().unwrap_err();
        assert!(e.message.contains("ends"), "{e}");
        let bad = r#"<log><trace><event></trace></log>"#;
        assert!(XesReader::new(bad.as_bytes()).next_trace().is_err());
        let not_xes = r#"<html><body/></html>"#;
        let e = XesReader::new(not_xes.as_bytes()).next_trace().unwrap_err();
        assert!(e.message.contains("ends before"), "{e}");
    }
}
