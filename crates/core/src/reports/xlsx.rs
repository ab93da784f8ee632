//! Reports as Excel workbooks: a summary sheet, then one sheet per table with a header row.

use std::collections::HashSet;

use rust_xlsxwriter::{Format, Workbook, XlsxError};

use super::{tables, when, Cell, ReportData};
use crate::error::{Error, Result};

/// A sheet name Excel accepts (at most 31 characters, none of `[]:*?/\`), unique in `taken`.
fn sheet_name(title: &str, taken: &mut HashSet<String>) -> String {
    let clean: String = title
        .chars()
        .map(|c| if "[]:*?/\\".contains(c) { '-' } else { c })
        .collect();
    let base: String = clean.trim().chars().take(28).collect();
    let base = if base.is_empty() {
        "Sheet".to_string()
    } else {
        base
    };
    let mut name = base.clone();
    let mut n = 2;
    while !taken.insert(name.to_lowercase()) {
        name = format!("{base} {n}");
        n += 1;
    }
    name
}

fn build(data: &ReportData) -> std::result::Result<Vec<u8>, XlsxError> {
    let mut book = Workbook::new();
    let bold = Format::new().set_bold();
    let mut taken = HashSet::new();
    let summary = book.add_worksheet();
    summary.set_name(sheet_name("Report", &mut taken))?;
    let facts = [
        ("Report", data.name.clone()),
        ("Team", data.team.clone()),
        ("From", when(data.from)),
        ("To", when(data.to)),
        ("Generated", when(data.generated_at)),
    ];
    for (i, (k, v)) in facts.iter().enumerate() {
        summary.write_string_with_format(i as u32, 0, *k, &bold)?;
        summary.write_string(i as u32, 1, v)?;
    }
    for section in &data.sections {
        for table in tables(section) {
            let sheet = book.add_worksheet();
            sheet.set_name(sheet_name(&table.title, &mut taken))?;
            sheet.write_string_with_format(0, 0, &table.title, &bold)?;
            for (c, column) in table.columns.iter().enumerate() {
                sheet.write_string_with_format(2, c as u16, column, &bold)?;
            }
            for (r, row) in table.rows.iter().enumerate() {
                for (c, cell) in row.iter().enumerate() {
                    let (r, c) = (r as u32 + 3, c as u16);
                    match cell {
                        Cell::Empty => {}
                        Cell::Number(n) => {
                            sheet.write_number(r, c, *n)?;
                        }
                        Cell::Text(t) => {
                            sheet.write_string(r, c, t)?;
                        }
                    }
                }
            }
        }
    }
    book.save_to_buffer()
}

/// The report as an `.xlsx` workbook.
pub fn xlsx(data: &ReportData) -> Result<Vec<u8>> {
    build(data).map_err(Error::internal)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sheet_names_are_short_clean_and_unique() {
        let mut taken = HashSet::new();
        assert_eq!(sheet_name("People / users", &mut taken), "People - users");
        assert_eq!(sheet_name("people / users", &mut taken), "people - users 2");
        let long = sheet_name(&"x".repeat(40), &mut taken);
        assert_eq!(long.chars().count(), 28);
    }
}
