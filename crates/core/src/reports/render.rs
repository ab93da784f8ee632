//! Reports as CSV (every table in long form) and as a self-contained HTML page.

use super::{tables, when, ReportData};
use crate::error::{Error, Result};

/// One row per cell: `section,table,row,column,value`.
pub fn csv(data: &ReportData) -> Result<Vec<u8>> {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(["section", "table", "row", "column", "value"])
        .map_err(Error::internal)?;
    for section in &data.sections {
        for table in tables(section) {
            for (i, row) in table.rows.iter().enumerate() {
                for (column, cell) in table.columns.iter().zip(row) {
                    w.write_record([
                        section.source.as_str(),
                        table.title.as_str(),
                        &(i + 1).to_string(),
                        column,
                        &cell.text(),
                    ])
                    .map_err(Error::internal)?;
                }
            }
        }
    }
    w.into_inner().map_err(Error::internal)
}

fn escape(text: &str) -> String {
    quick_xml::escape::escape(text).into_owned()
}

const STYLE: &str = "body{font-family:system-ui,sans-serif;margin:2rem;color:#1a1a1a}\
h1{font-size:1.5rem}h2{font-size:1.2rem;margin-top:2rem;border-bottom:1px solid #ccc}\
h3{font-size:1rem}table{border-collapse:collapse;margin:.5rem 0 1rem}\
th,td{border:1px solid #ccc;padding:.25rem .5rem;text-align:left;font-size:.85rem}\
th{background:#f0f0f0}td.n{text-align:right}";

/// A page with a heading per section and its tables; no scripts, no outside resources.
pub fn html(data: &ReportData) -> String {
    let mut out = format!(
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>{name}</title>\
         <style>{STYLE}</style></head><body><main>\n<h1>{name}</h1>\n<p>{team} · {from} to {to} · generated {at}</p>\n",
        name = escape(&data.name),
        team = escape(&data.team),
        from = when(data.from),
        to = when(data.to),
        at = when(data.generated_at),
    );
    for section in &data.sections {
        out.push_str(&format!("<section><h2>{}</h2>\n", escape(&section.title)));
        let found = tables(section);
        if found.iter().all(|t| t.rows.is_empty()) {
            out.push_str("<p>Nothing to show for this period.</p>\n");
        }
        for table in found.iter().filter(|t| !t.rows.is_empty()) {
            out.push_str(&format!(
                "<h3>{}</h3><table><thead><tr>",
                escape(&table.title)
            ));
            for c in &table.columns {
                out.push_str(&format!("<th scope=\"col\">{}</th>", escape(c)));
            }
            out.push_str("</tr></thead><tbody>\n");
            for row in &table.rows {
                out.push_str("<tr>");
                for cell in row {
                    let class = if matches!(cell, super::Cell::Number(_)) {
                        " class=\"n\""
                    } else {
                        ""
                    };
                    out.push_str(&format!("<td{class}>{}</td>", escape(&cell.text())));
                }
                out.push_str("</tr>\n");
            }
            out.push_str("</tbody></table>\n");
        }
        out.push_str("</section>\n");
    }
    out.push_str("</main></body></html>\n");
    out
}
