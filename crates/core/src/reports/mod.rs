//! Reports as documents: the data of a run ([`ReportData`]), flattened into tables
//! ([`tables`]) and written as JSON, CSV, HTML, PDF or Excel; and when a cron schedule runs
//! next ([`schedule`]). Pure: the service layer gathers the data and keeps the output.

mod pdf;
mod render;
pub mod schedule;
mod tables;
mod xlsx;

use chrono::{DateTime, Utc};
use serde::Serialize;

use crate::error::Result;
use crate::model::{AnalyticsSource, ReportFormat};

pub use tables::{tables, Cell, Table};

/// One section of a report: an analytics query's answer.
#[derive(Debug, Clone, Serialize)]
pub struct Section {
    pub source: AnalyticsSource,
    pub title: String,
    pub data: serde_json::Value,
}

/// Everything one run of a report shows.
#[derive(Debug, Clone, Serialize)]
pub struct ReportData {
    pub name: String,
    pub team: String,
    pub generated_at: DateTime<Utc>,
    pub from: DateTime<Utc>,
    pub to: DateTime<Utc>,
    pub sections: Vec<Section>,
}

/// The title of a section.
pub fn section_title(source: AnalyticsSource) -> &'static str {
    match source {
        AnalyticsSource::Performance => "Performance",
        AnalyticsSource::Processes => "Playbooks",
        AnalyticsSource::Trends => "Trends",
        AnalyticsSource::Anomalies => "Anomalies",
        AnalyticsSource::Predictions => "Predictions",
        AnalyticsSource::Recommendations => "Recommendations",
        AnalyticsSource::Users => "People and team",
        AnalyticsSource::Sla => "SLA compliance",
        AnalyticsSource::Variants => "Process mining",
    }
}

/// A file name stem for `name`: ASCII letters and digits lowercased, anything else a dash
/// (`fallback` when nothing is left).
pub fn file_stem(name: &str, fallback: &str) -> String {
    let stem: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '-'
            }
        })
        .collect();
    let stem = stem.trim_matches('-');
    if stem.is_empty() { fallback } else { stem }.to_string()
}

/// A time as reports print it.
pub(crate) fn when(t: DateTime<Utc>) -> String {
    t.format("%Y-%m-%d %H:%M UTC").to_string()
}

/// `data` written as `format`.
pub fn render(data: &ReportData, format: ReportFormat) -> Result<Vec<u8>> {
    match format {
        ReportFormat::Json => Ok(serde_json::to_vec_pretty(data).map_err(crate::Error::internal)?),
        ReportFormat::Csv => render::csv(data),
        ReportFormat::Html => Ok(render::html(data).into_bytes()),
        ReportFormat::Pdf => Ok(pdf::pdf(data)),
        ReportFormat::Excel => xlsx::xlsx(data),
    }
}
