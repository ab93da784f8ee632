//! Exporting a playbook's history as an IEEE XES log or CSV, a chunk at a time.
//!
//! Each instance is a trace (case id: the instance id) and each step execution gives a
//! `start` event when work on it started and a `complete` event when it finished (completed,
//! failed or overridden); skipped executions give none. Events of a case are in time order.

use std::collections::HashMap;

use quick_xml::escape::escape;

use super::history::{Case, Time};
use crate::model::{ExportFormat, StepStatus};

/// Cases written per chunk.
const CASES_PER_CHUNK: usize = 500;

/// A history ready to be written.
#[derive(Debug, Clone)]
pub struct Export {
    pub format: ExportFormat,
    /// The playbook's name: the log's `concept:name`.
    pub name: String,
    pub cases: std::sync::Arc<Vec<Case>>,
    /// Step id → step name.
    pub names: HashMap<String, String>,
}

/// One event of a case.
struct Event<'a> {
    at: Time,
    activity: &'a str,
    step_id: &'a str,
    lifecycle: &'static str,
}

fn events<'a>(case: &'a Case, names: &'a HashMap<String, String>) -> Vec<Event<'a>> {
    let mut out = Vec::new();
    for run in case.runs.iter().filter(|r| r.status != StepStatus::Skipped) {
        let activity = names
            .get(&run.step_id)
            .map_or(run.step_id.as_str(), String::as_str);
        let event = |at, lifecycle| Event {
            at,
            activity,
            step_id: &run.step_id,
            lifecycle,
        };
        if let Some(at) = run.work_start {
            out.push(event(at, "start"));
        }
        if let (true, Some(at)) = (run.happened(), run.end) {
            out.push(event(at, "complete"));
        }
    }
    out.sort_by_key(|e| e.at);
    out
}

fn timestamp(t: Time) -> String {
    t.to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

impl Export {
    /// The media type of the document.
    pub fn content_type(&self) -> &'static str {
        match self.format {
            ExportFormat::Xes => "application/xml",
            ExportFormat::Csv => "text/csv; charset=utf-8",
        }
    }

    /// A file name for the document.
    pub fn file_name(&self) -> String {
        format!(
            "{}.{}",
            crate::reports::file_stem(&self.name, "history"),
            self.format.as_str()
        )
    }

    fn header(&self) -> String {
        match self.format {
            ExportFormat::Xes => format!(
                "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n\
                 <log xes.version=\"1.0\" xes.features=\"nested-attributes\" xmlns=\"http://www.xes-standard.org/\">\n\
                 <extension name=\"Concept\" prefix=\"concept\" uri=\"http://www.xes-standard.org/concept.xesext\"/>\n\
                 <extension name=\"Lifecycle\" prefix=\"lifecycle\" uri=\"http://www.xes-standard.org/lifecycle.xesext\"/>\n\
                 <extension name=\"Time\" prefix=\"time\" uri=\"http://www.xes-standard.org/time.xesext\"/>\n\
                 <string key=\"concept:name\" value=\"{}\"/>\n",
                escape(&self.name)
            ),
            ExportFormat::Csv => "case_id,case_status,activity,step_id,lifecycle,timestamp\n".into(),
        }
    }

    fn write_case(&self, case: &Case, out: &mut String) {
        let status = case.status.as_str();
        match self.format {
            ExportFormat::Xes => {
                out.push_str(&format!(
                    "<trace><string key=\"concept:name\" value=\"{}\"/><string key=\"orgata:status\" value=\"{status}\"/>\n",
                    case.id
                ));
                for e in events(case, &self.names) {
                    out.push_str(&format!(
                        "<event><string key=\"concept:name\" value=\"{}\"/><string key=\"lifecycle:transition\" value=\"{}\"/>\
                         <date key=\"time:timestamp\" value=\"{}\"/><string key=\"orgata:step_id\" value=\"{}\"/></event>\n",
                        escape(e.activity),
                        e.lifecycle,
                        timestamp(e.at),
                        escape(e.step_id)
                    ));
                }
                out.push_str("</trace>\n");
            }
            ExportFormat::Csv => {
                let mut w = csv::WriterBuilder::new()
                    .has_headers(false)
                    .from_writer(Vec::new());
                for e in events(case, &self.names) {
                    // Writing to memory cannot fail.
                    let _ = w.write_record([
                        case.id.to_string().as_str(),
                        status,
                        e.activity,
                        e.step_id,
                        e.lifecycle,
                        &timestamp(e.at),
                    ]);
                }
                if let Ok(bytes) = w.into_inner() {
                    out.push_str(&String::from_utf8_lossy(&bytes));
                }
            }
        }
    }

    /// The document in chunks: the header, the cases a few hundred at a time, the end.
    pub fn into_chunks(self) -> impl Iterator<Item = String> + Send {
        let header = self.header();
        let footer = match self.format {
            ExportFormat::Xes => "</log>\n",
            ExportFormat::Csv => "",
        };
        let count = self.cases.len().div_ceil(CASES_PER_CHUNK);
        std::iter::once(header)
            .chain((0..count).map(move |i| {
                let mut out = String::new();
                let end = ((i + 1) * CASES_PER_CHUNK).min(self.cases.len());
                for case in &self.cases[i * CASES_PER_CHUNK..end] {
                    self.write_case(case, &mut out);
                }
                out
            }))
            .chain(std::iter::once(footer.to_string()))
    }
}

#[cfg(test)]
mod tests {
    use super::super::history::fixture::cases;
    use super::super::xes::XesReader;
    use super::*;

    fn export(format: ExportFormat) -> String {
        Export {
            format,
            name: "Claims & <Co>".into(),
            cases: std::sync::Arc::new(cases()),
            names: HashMap::from([("a".into(), "Apply, \"now\"".into())]),
        }
        .into_chunks()
        .collect()
    }

    #[test]
    fn csv_has_a_start_and_a_complete_per_finished_run() {
        let text = export(ExportFormat::Csv);
        let mut lines = text.lines();
        assert_eq!(
            lines.next(),
            Some("case_id,case_status,activity,step_id,lifecycle,timestamp")
        );
        let rows: Vec<&str> = lines.collect();
        // Cases 1 and 2: a and b started and completed; 3 and 4: a never started.
        assert_eq!(rows.len(), 8);
        assert_eq!(
            rows[0],
            "00000000-0000-0000-0000-000000000001,completed,\"Apply, \"\"now\"\"\",a,start,2026-03-02T09:10:00.000Z"
        );
        assert!(
            rows[3].ends_with(",b,complete,2026-03-02T10:40:00.000Z"),
            "{}",
            rows[3]
        );
    }

    #[test]
    fn xes_reads_back_with_the_same_events() {
        let text = export(ExportFormat::Xes);
        let mut reader = XesReader::new(text.as_bytes());
        let mut traces = Vec::new();
        while let Some(t) = reader.next_trace().unwrap() {
            traces.push(t);
        }
        assert_eq!(reader.log_name(), Some("Claims & <Co>"));
        assert_eq!(traces.len(), 4);
        let first = &traces[0];
        assert_eq!(
            first.name.as_deref(),
            Some("00000000-0000-0000-0000-000000000001")
        );
        let got: Vec<(&str, &str)> = first
            .events
            .iter()
            .map(|e| (e.activity.as_str(), e.lifecycle.as_str()))
            .collect();
        assert_eq!(
            got,
            [
                ("Apply, \"now\"", "start"),
                ("Apply, \"now\"", "complete"),
                ("b", "start"),
                ("b", "complete")
            ]
        );
        assert!(traces[3].events.is_empty());
    }
}
