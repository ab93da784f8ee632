//! Reports as PDF: A4 pages of text in the standard Helvetica font (no font file embedded),
//! a heading per section and table, one line per row (`column: value` pairs, wrapped).
//! Characters outside Windows-1252 are written as `?`.

use pdf_writer::{Content, Finish, Name, Pdf, Rect, Ref, Str};

use super::{tables, when, ReportData};

const WIDTH: f32 = 595.0;
const HEIGHT: f32 = 842.0;
const MARGIN: f32 = 50.0;
const SIZE: f32 = 9.0;
const LEADING: f32 = 12.0;
/// Characters per line at `SIZE` (Helvetica averages about half an em).
const LINE_CHARS: usize = 100;

/// `c` in Windows-1252, the encoding of the standard fonts.
fn win_ansi(c: char) -> u8 {
    match c {
        ' '..='~' => c as u8,
        '\u{a0}'..='\u{ff}' => c as u32 as u8,
        '€' => 0x80,
        '‚' => 0x82,
        '„' => 0x84,
        '…' => 0x85,
        '‘' => 0x91,
        '’' => 0x92,
        '“' => 0x93,
        '”' => 0x94,
        '•' => 0x95,
        '–' => 0x96,
        '—' => 0x97,
        '→' => b'>',
        _ => b'?',
    }
}

/// A line of text with its size.
struct Line {
    text: Vec<u8>,
    size: f32,
}

fn wrap(text: &str, size: f32, out: &mut Vec<Line>) {
    let chars: Vec<u8> = text.chars().map(win_ansi).collect();
    if chars.is_empty() {
        out.push(Line {
            text: Vec::new(),
            size,
        });
    }
    let per_line = (LINE_CHARS as f32 * SIZE / size) as usize;
    for chunk in chars.chunks(per_line.max(10)) {
        out.push(Line {
            text: chunk.to_vec(),
            size,
        });
    }
}

fn lines(data: &ReportData) -> Vec<Line> {
    let mut out = Vec::new();
    wrap(&data.name, 16.0, &mut out);
    wrap(
        &format!(
            "{} - {} to {} - generated {}",
            data.team,
            when(data.from),
            when(data.to),
            when(data.generated_at)
        ),
        SIZE,
        &mut out,
    );
    for section in &data.sections {
        wrap("", SIZE, &mut out);
        wrap(&section.title, 13.0, &mut out);
        let found = tables(section);
        if found.iter().all(|t| t.rows.is_empty()) {
            wrap("Nothing to show for this period.", SIZE, &mut out);
        }
        for table in found.iter().filter(|t| !t.rows.is_empty()) {
            if table.title != section.title {
                wrap(&table.title, 10.5, &mut out);
            }
            let pairs = table.columns == ["field", "value"];
            for row in &table.rows {
                if pairs {
                    wrap(
                        &format!("{}: {}", row[0].text(), row[1].text()),
                        SIZE,
                        &mut out,
                    );
                    continue;
                }
                let text: Vec<String> = table
                    .columns
                    .iter()
                    .zip(row)
                    .filter(|(_, c)| !matches!(c, super::Cell::Empty))
                    .map(|(k, c)| format!("{k}: {}", c.text()))
                    .collect();
                wrap(&format!("• {}", text.join("; ")), SIZE, &mut out);
            }
        }
    }
    out
}

/// The report as a PDF document.
pub fn pdf(data: &ReportData) -> Vec<u8> {
    let all = lines(data);
    let mut pages: Vec<Vec<&Line>> = vec![Vec::new()];
    let mut y = HEIGHT - MARGIN;
    for line in &all {
        let step = LEADING * line.size / SIZE;
        if y - step < MARGIN {
            pages.push(Vec::new());
            y = HEIGHT - MARGIN;
        }
        y -= step;
        if let Some(page) = pages.last_mut() {
            page.push(line);
        }
    }
    let catalog = Ref::new(1);
    let tree = Ref::new(2);
    let font = Ref::new(3);
    let mut next = 4;
    let mut pdf = Pdf::new();
    let ids: Vec<(Ref, Ref)> = pages
        .iter()
        .map(|_| {
            let ids = (Ref::new(next), Ref::new(next + 1));
            next += 2;
            ids
        })
        .collect();
    pdf.catalog(catalog).pages(tree);
    pdf.pages(tree)
        .kids(ids.iter().map(|(page, _)| *page))
        .count(ids.len() as i32);
    pdf.type1_font(font)
        .base_font(Name(b"Helvetica"))
        .encoding_predefined(Name(b"WinAnsiEncoding"));
    for (lines, (page_id, content_id)) in pages.iter().zip(&ids) {
        let mut page = pdf.page(*page_id);
        page.media_box(Rect::new(0.0, 0.0, WIDTH, HEIGHT));
        page.parent(tree);
        page.contents(*content_id);
        page.resources().fonts().pair(Name(b"F1"), font);
        page.finish();
        let mut content = Content::new();
        let mut y = HEIGHT - MARGIN;
        for line in lines {
            y -= LEADING * line.size / SIZE;
            content
                .begin_text()
                .set_font(Name(b"F1"), line.size)
                .next_line(MARGIN, y)
                .show(Str(&line.text))
                .end_text();
        }
        pdf.stream(*content_id, &content.finish());
    }
    pdf.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_is_windows_1252() {
        let got: Vec<u8> = "Aé–€ж".chars().map(win_ansi).collect();
        assert_eq!(got, [b'A', 0xe9, 0x96, 0x80, b'?']);
    }
}
