//! Bytes to rows: CSV (UTF-8 with or without BOM, or GBK), XLSX and JSON
//! tables, with the line (or row) and column every cell came from.
//!
//! Nothing here knows what a worker is; [`super`] maps the columns.

// A problem is returned once per file, not per row, so its size does not matter.
#![allow(clippy::result_large_err)]

use super::{Encoding, FileProblem, ReadOptions};
use calamine::{Data, Reader, Xlsx};
use csv::StringRecord;
use std::collections::BTreeMap;
use std::io::Cursor;

/// The longest cell accepted, in bytes. No field of an HR file comes near
/// it; a longer cell is a pasted document or a broken export.
pub const MAX_CELL: usize = crate::limits::MAX_FIELD;

/// The file formats read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// Comma-separated values.
    Csv,
    /// An Excel workbook (first sheet, or `--sheet`).
    Xlsx,
    /// A JSON array of objects.
    Json,
}

/// A table being read: its header and a source of rows.
pub struct Table {
    /// The file, as named in messages.
    pub file: String,
    /// The header row's line (CSV, JSON) or row number (XLSX).
    pub header_line: usize,
    /// Header texts, trimmed.
    pub headers: Vec<String>,
    /// The label of each column in messages: its number (CSV), letter (XLSX) or key (JSON).
    pub labels: Vec<String>,
    body: Body,
    total_bytes: u64,
    /// CSV: bytes scanned for line ends, and line ends found before them.
    counted: (usize, usize),
    /// Problems with single cells found while opening (XLSX error cells);
    /// the caller reports them with the rows.
    pub problems: Vec<FileProblem>,
}

enum Body {
    /// A CSV reader over UTF-8 text not yet checked whole, and the
    /// encoding whose check [`decode`] makes of it when a record is not UTF-8.
    Csv(csv::Reader<Cursor<Vec<u8>>>, Encoding),
    Rows(std::vec::IntoIter<(usize, StringRecord)>),
}

/// Excel's column letters for a 0-based column index.
pub fn column_letter(mut col: usize) -> String {
    let mut s = Vec::new();
    loop {
        s.push(b'A' + (col % 26) as u8);
        if col < 26 {
            break;
        }
        col = col / 26 - 1;
    }
    s.reverse();
    String::from_utf8(s).unwrap_or_default()
}

fn problem(
    file: &str,
    line: Option<usize>,
    column: Option<String>,
    message: String,
) -> FileProblem {
    FileProblem {
        file: file.to_string(),
        line,
        column,
        worker_id: None,
        field: None,
        message,
        warning: false,
    }
}

/// Decides the format from the name and the first bytes.
pub fn detect_format(name: &str, bytes: &[u8]) -> Format {
    let lower = name.to_ascii_lowercase();
    if bytes.starts_with(b"PK\x03\x04") || lower.ends_with(".xlsx") {
        return Format::Xlsx;
    }
    if lower.ends_with(".json") {
        return Format::Json;
    }
    let body = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    match body.iter().find(|b| !b.is_ascii_whitespace()) {
        Some(b'[') | Some(b'{') if !lower.ends_with(".csv") => Format::Json,
        _ => Format::Csv,
    }
}

/// The 1-based line of byte `offset` in `bytes`.
fn line_at(bytes: &[u8], offset: usize) -> usize {
    1 + bytes[..offset.min(bytes.len())]
        .iter()
        .filter(|&&b| b == b'\n')
        .count()
}

/// Decodes CSV bytes to UTF-8: a UTF-8 BOM or valid UTF-8 is UTF-8; other
/// bytes are GBK (as Chinese Excel saves "CSV"), unless the file mixes
/// encodings, which is an error naming a line of each.
pub fn decode(file: &str, bytes: Vec<u8>, encoding: Encoding) -> Result<Vec<u8>, FileProblem> {
    let gbk = |bytes: &[u8]| -> Result<Vec<u8>, FileProblem> {
        match encoding_rs::GBK.decode_without_bom_handling_and_without_replacement(bytes) {
            Some(text) => Ok(text.into_owned().into_bytes()),
            None => {
                // Find the first line that does not decode, to name it.
                let mut offset = 0;
                for line in bytes.split_inclusive(|&b| b == b'\n') {
                    if encoding_rs::GBK
                        .decode_without_bom_handling_and_without_replacement(line)
                        .is_none()
                    {
                        break;
                    }
                    offset += line.len();
                }
                Err(problem(
                    file,
                    Some(line_at(bytes, offset)),
                    None,
                    "bytes that are not GBK text; save the file as CSV (GBK) or CSV UTF-8, or give --encoding".into(),
                ))
            }
        }
    };
    match encoding {
        Encoding::Gbk => gbk(&bytes),
        Encoding::Utf8 => {
            let body_start = if bytes.starts_with(b"\xEF\xBB\xBF") {
                3
            } else {
                0
            };
            match std::str::from_utf8(&bytes[body_start..]) {
                Ok(_) => Ok(strip_bom(bytes)),
                Err(e) => Err(problem(
                    file,
                    Some(line_at(&bytes, body_start + e.valid_up_to())),
                    None,
                    "bytes that are not UTF-8 text (--encoding utf-8); if the file came from Chinese Excel, try --encoding gbk".into(),
                )),
            }
        }
        Encoding::Auto => {
            if bytes.starts_with(b"\xEF\xBB\xBF") {
                return decode(file, bytes, Encoding::Utf8);
            }
            if std::str::from_utf8(&bytes).is_ok() {
                return Ok(bytes);
            }
            // Not UTF-8 as a whole: GBK, unless some lines are UTF-8 with
            // non-ASCII text and others are not (a file that mixes encodings).
            let (mut utf8_line, mut other_line) = (None, None);
            for (i, line) in bytes.split_inclusive(|&b| b == b'\n').enumerate() {
                if !line.is_ascii() {
                    let slot = if std::str::from_utf8(line).is_ok() {
                        &mut utf8_line
                    } else {
                        &mut other_line
                    };
                    slot.get_or_insert(i + 1);
                }
                if utf8_line.is_some() && other_line.is_some() {
                    break;
                }
            }
            if let (Some(u), Some(o)) = (utf8_line, other_line) {
                return Err(problem(
                    file,
                    Some(o),
                    None,
                    format!(
                        "the file mixes encodings: line {u} is UTF-8 but line {o} is not (GBK?); save the whole file in one encoding (CSV UTF-8 is safest)"
                    ),
                ));
            }
            gbk(&bytes)
        }
    }
}

/// CSV bytes to read as UTF-8, with the check that [`decode`] makes of
/// every byte left to the reader: a UTF-8 BOM, `--encoding utf-8`, or a
/// file whose first line with a non-ASCII byte is UTF-8 is read as UTF-8
/// at once, each record checked as the csv reader reads it (one pass over
/// the text instead of two); should a record not be UTF-8, the reader
/// reports what [`decode`] says of the whole text (`checked_as`). Any
/// other file is decoded by [`decode`] first.
///
/// A file whose first non-ASCII line is UTF-8 and a later one is not is
/// one that [`decode`] refuses as mixing encodings, so no file reads
/// differently: only the work moves.
fn decode_lazily(
    file: &str,
    bytes: Vec<u8>,
    encoding: Encoding,
) -> Result<(Vec<u8>, Encoding), FileProblem> {
    let utf8 = match encoding {
        Encoding::Gbk => false,
        Encoding::Utf8 => true,
        Encoding::Auto if bytes.starts_with(b"\xEF\xBB\xBF") => {
            return Ok((strip_bom(bytes), Encoding::Utf8));
        }
        Encoding::Auto => match bytes.iter().position(|b| !b.is_ascii()) {
            None => true,
            Some(at) => {
                let start = bytes[..at].iter().rposition(|&b| b == b'\n').map_or(0, |p| p + 1);
                let end = bytes[at..]
                    .iter()
                    .position(|&b| b == b'\n')
                    .map_or(bytes.len(), |p| at + p + 1);
                std::str::from_utf8(&bytes[start..end]).is_ok()
            }
        },
    };
    if utf8 {
        Ok((strip_bom(bytes), encoding))
    } else {
        decode(file, bytes, encoding).map(|text| (text, Encoding::Utf8))
    }
}

/// The byte where a CSV record's text starts: the csv crate reports the
/// position after the previous record's `\r`, so skip line-end bytes.
fn record_start(text: &[u8], rec: &StringRecord) -> usize {
    let byte = rec
        .position()
        .map_or(0, |p| p.byte() as usize)
        .min(text.len());
    byte + text[byte..]
        .iter()
        .take_while(|&&b| b == b'\n' || b == b'\r')
        .count()
}

fn strip_bom(mut bytes: Vec<u8>) -> Vec<u8> {
    if bytes.starts_with(b"\xEF\xBB\xBF") {
        bytes.drain(..3);
    }
    bytes
}

fn is_blank(r: &StringRecord) -> bool {
    // Most rows begin with a byte that is not white space.
    if r.as_slice().as_bytes().first().is_some_and(|&b| b.is_ascii() && b > b' ') {
        return false;
    }
    r.iter().all(|c| super::cells::trim(c).is_empty())
}

/// The number of line ends (`\n`) in `b`, eight bytes at a time.
fn count_newlines(b: &[u8]) -> usize {
    const ONES: u64 = u64::from_ne_bytes([0x01; 8]);
    const LOW7: u64 = u64::from_ne_bytes([0x7F; 8]);
    let mut chunks = b.chunks_exact(8);
    let mut n = 0;
    for c in &mut chunks {
        let mut w = [0u8; 8];
        w.copy_from_slice(c);
        // Bytes equal to \n become zero; a zero byte gets no high bit below.
        let x = u64::from_ne_bytes(w) ^ (ONES * u64::from(b'\n'));
        let nonzero = ((x & LOW7) + LOW7) | x;
        n += (!nonzero & !LOW7).count_ones() as usize;
    }
    n + chunks.remainder().iter().filter(|&&c| c == b'\n').count()
}

/// Opens a table. `is_known` says whether a header text names a known
/// column; rows above the first row naming any known column are title rows
/// (a sheet title in merged cells, a date line) and are skipped.
pub fn open(
    file: &str,
    bytes: Vec<u8>,
    opts: &ReadOptions,
    is_known: &dyn Fn(&str) -> bool,
) -> Result<Table, Vec<FileProblem>> {
    let total_bytes = bytes.len() as u64;
    if bytes.iter().all(|b| b.is_ascii_whitespace()) {
        return Err(vec![problem(
            file,
            None,
            None,
            "the file is empty; expected a header row naming the columns, then one row per record"
                .into(),
        )]);
    }
    let format = detect_format(file, &bytes);
    let rows = match format {
        Format::Csv => {
            let (text, checked_as) =
                decode_lazily(file, bytes, opts.encoding).map_err(|e| vec![e])?;
            let mut rdr = csv::ReaderBuilder::new()
                .has_headers(false)
                .flexible(true)
                .from_reader(Cursor::new(text));
            // The header is the first of the first ten non-blank rows that
            // names a known column, else the first non-blank row.
            let mut seen: Vec<(usize, StringRecord, csv::Position)> = Vec::new();
            let mut rec = StringRecord::new();
            while seen.len() < 10 {
                match rdr.read_record(&mut rec) {
                    Ok(true) => {}
                    Ok(false) => break,
                    Err(e) => return Err(vec![csv_problem(file, &rdr, checked_as, &e)]),
                }
                if is_blank(&rec) {
                    continue;
                }
                let text = rdr.get_ref().get_ref();
                let line = line_at(text, record_start(text, &rec));
                let known = rec.iter().any(is_known);
                seen.push((line, rec.clone(), rdr.position().clone()));
                if known {
                    break;
                }
            }
            let pick = seen
                .iter()
                .position(|(_, r, _)| r.iter().any(is_known))
                .unwrap_or(0);
            let Some((line, header, after)) = seen.into_iter().nth(pick) else {
                return Err(vec![problem(
                    file,
                    None,
                    None,
                    "no header row: the file has only blank lines; expected a header row naming the columns".into(),
                )]);
            };
            rdr.seek(after)
                .map_err(|e| vec![csv_problem(file, &rdr, checked_as, &e)])?;
            let headers: Vec<String> = header.iter().map(clean_header).collect();
            let labels = (1..=headers.len()).map(|c| c.to_string()).collect();
            return Ok(Table {
                file: file.to_string(),
                header_line: line,
                headers,
                labels,
                body: Body::Csv(rdr, checked_as),
                total_bytes,
                counted: (0, 0),
                problems: Vec::new(),
            });
        }
        Format::Xlsx => xlsx_rows(file, bytes, opts)?,
        Format::Json => json_rows(file, &bytes)?,
    };
    table_from_rows(file, rows, is_known, total_bytes)
}

fn clean_header(h: &str) -> String {
    h.trim_start_matches('\u{feff}').trim().to_string()
}

/// A CSV reading error as a problem: bytes that are not UTF-8 as
/// [`decode`] reports them for `checked_as` (its line, the encodings the
/// file mixes), anything else as the csv crate says.
fn csv_problem(
    file: &str,
    rdr: &csv::Reader<Cursor<Vec<u8>>>,
    checked_as: Encoding,
    e: &csv::Error,
) -> FileProblem {
    if let csv::ErrorKind::Utf8 { .. } = e.kind()
        && let Err(p) = decode(file, rdr.get_ref().get_ref().clone(), checked_as)
    {
        return p;
    }
    let line = e.position().map(|p| p.line() as usize);
    let msg = match e.kind() {
        csv::ErrorKind::Utf8 { .. } => "bytes that are not UTF-8 text".to_string(),
        _ => format!("not readable as CSV: {e}"),
    };
    problem(file, line, None, msg)
}

fn table_from_rows(
    file: &str,
    rows: Rows,
    is_known: &dyn Fn(&str) -> bool,
    total_bytes: u64,
) -> Result<Table, Vec<FileProblem>> {
    let Rows {
        labels,
        rows,
        merges,
        problems,
    } = rows;
    let start = rows
        .iter()
        .take(10)
        .position(|(_, r)| r.iter().any(is_known))
        .or_else(|| rows.iter().position(|(_, r)| !is_blank(r)));
    let Some(start) = start else {
        return Err(vec![problem(
            file,
            None,
            None,
            "no header row: the sheet has no non-empty row; expected a header row naming the columns".into(),
        )]);
    };
    let mut it = rows.into_iter();
    let (header_line, header) = it.nth(start).unwrap_or_default();
    // Merged cells that touch the header row hide which column a header
    // names: refuse them, naming each range.
    let bad: Vec<FileProblem> = merges
        .iter()
        .filter(|m| m.0 <= header_line && header_line <= m.2)
        .map(|&(r0, c0, r1, c1)| {
            let text = header.get(c0).unwrap_or("").trim().to_string();
            problem(
                file,
                Some(header_line),
                Some(column_letter(c0)),
                format!(
                    "merged header cells {}{r0}:{}{r1} ({text:?}); a header needs one cell per column in one row: unmerge the cells and give each column its own name",
                    column_letter(c0),
                    column_letter(c1)
                ),
            )
        })
        .collect();
    if !bad.is_empty() {
        return Err(bad);
    }
    let headers: Vec<String> = header.iter().map(clean_header).collect();
    let mut labels = labels;
    labels.truncate(headers.len());
    while labels.len() < headers.len() {
        labels.push((labels.len() + 1).to_string());
    }
    Ok(Table {
        file: file.to_string(),
        header_line,
        headers,
        labels,
        body: Body::Rows(it),
        total_bytes,
        counted: (0, 0),
        problems,
    })
}

/// Renders an XLSX cell as text. Dates become `YYYY-MM-DD`; whole numbers
/// lose Excel's `.0`; other numbers print in the shortest form that reads
/// back as the same value (what Excel shows). Scores, tax amounts and rates
/// are the numbers read from HR files: each reaches the engine as this text
/// and is parsed there as an exact decimal (a float artefact such as
/// `420.00000000000006` is refused as too precise, never rounded).
fn cell_text(cell: &Data) -> Result<String, String> {
    Ok(match cell {
        Data::Empty => String::new(),
        Data::String(s) => s.clone(),
        Data::Int(i) => i.to_string(),
        Data::Float(f) => {
            if !f.is_finite() {
                return Err(format!("number {f} is not finite"));
            }
            if f.fract() == 0.0 && f.abs() < 1e15 {
                format!("{}", *f as i64)
            } else {
                format!("{f}")
            }
        }
        Data::Bool(b) => if *b { "TRUE" } else { "FALSE" }.to_string(),
        Data::DateTime(dt) => {
            if dt.is_duration() {
                return Err("a duration, not a date".into());
            }
            let (y, m, d, ..) = dt.to_ymd_hms_milli();
            format!("{y:04}-{m:02}-{d:02}")
        }
        Data::DateTimeIso(s) => s.get(..10).unwrap_or(s).to_string(),
        Data::DurationIso(s) => return Err(format!("a duration {s:?}, not a date or text")),
        Data::Error(e) => {
            return Err(format!(
                "an Excel error value ({e}); fix the formula or type the value"
            ));
        }
    })
}

/// Rows of a sheet or JSON array, with what was noticed reading them.
struct Rows {
    labels: Vec<String>,
    rows: Vec<(usize, StringRecord)>,
    /// Merged regions `(first row, first col, last row, last col)`, rows 1-based, columns 0-based.
    merges: Vec<(usize, usize, usize, usize)>,
    problems: Vec<FileProblem>,
}

/// Rows of an XLSX sheet. calamine can panic on a malformed workbook (0.38
/// multiplies a cell reference's column letters unchecked, so `AAAAAAAAA2`
/// overflows; the fuzzer found it): a panic while reading is a bad file,
/// reported as one, never a crash. `overflow-checks` is on for calamine in
/// release builds too (Cargo.toml), so the same file fails the same way
/// there instead of wrapping into a wrong column.
fn xlsx_rows(file: &str, bytes: Vec<u8>, opts: &ReadOptions) -> Result<Rows, Vec<FileProblem>> {
    use std::panic::{AssertUnwindSafe, catch_unwind};
    catch_unwind(AssertUnwindSafe(|| xlsx_rows_unguarded(file, bytes, opts))).unwrap_or_else(|_| {
        Err(vec![problem(
            file,
            None,
            None,
            "not a readable XLSX workbook: its sheet holds a cell reference or structure the reader cannot follow; open it in Excel and save it again, or export the sheet as CSV".into(),
        )])
    })
}

fn xlsx_rows_unguarded(
    file: &str,
    bytes: Vec<u8>,
    opts: &ReadOptions,
) -> Result<Rows, Vec<FileProblem>> {
    let mut wb: Xlsx<_> = Xlsx::new(Cursor::new(bytes)).map_err(|e| {
        vec![problem(
            file,
            None,
            None,
            format!("not a readable XLSX workbook: {e}"),
        )]
    })?;
    let names = wb.sheet_names();
    let sheet = match &opts.sheet {
        Some(s) => {
            if !names.iter().any(|n| n == s) {
                return Err(vec![problem(
                    file,
                    None,
                    None,
                    format!("no sheet {s:?}; the workbook has: {}", names.join(", ")),
                )]);
            }
            s.clone()
        }
        None => match names.first() {
            Some(n) => n.clone(),
            None => {
                return Err(vec![problem(
                    file,
                    None,
                    None,
                    "the workbook has no sheets".into(),
                )]);
            }
        },
    };
    // Cell by cell, within bounds (see `limits`): never the extent a file claims.
    let range = super::limits::xlsx_sheet(&mut wb, &sheet)
        .map_err(|m| vec![problem(file, None, None, m)])?;
    let merged = wb.merge_cells_by_sheet_name(&sheet).unwrap_or_default();
    let (row0, col0) = range.start().unwrap_or((0, 0));
    let width = range.width();
    let labels: Vec<String> = (0..width)
        .map(|c| column_letter(col0 as usize + c))
        .collect();
    let mut problems = Vec::new();
    let mut rows = Vec::with_capacity(range.height());
    for (i, cells) in range.rows().enumerate() {
        let line = row0 as usize + i + 1;
        let mut rec = StringRecord::new();
        for (c, cell) in cells.iter().enumerate() {
            match cell_text(cell) {
                Ok(t) => rec.push_field(&t),
                Err(m) => {
                    problems.push(problem(file, Some(line), Some(labels[c].clone()), m));
                    rec.push_field("");
                }
            }
        }
        rows.push((line, rec));
    }
    // Merged cells in the header row: report them (the header is found later,
    // so remember every multi-cell merge and let `check_merged` decide).
    let merges: Vec<(usize, usize, usize, usize)> = merged
        .iter()
        .map(|d| {
            (
                d.start.0 as usize + 1,
                d.start.1 as usize,
                d.end.0 as usize + 1,
                d.end.1 as usize,
            )
        })
        .filter(|(r0, c0, r1, c1)| r0 != r1 || c0 != c1)
        .collect();
    Ok(Rows {
        labels,
        rows,
        merges,
        problems,
    })
}

fn json_rows(file: &str, bytes: &[u8]) -> Result<Rows, Vec<FileProblem>> {
    use serde_json::value::RawValue;
    let text =
        std::str::from_utf8(bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes)).map_err(|e| {
            vec![problem(
                file,
                Some(line_at(bytes, e.valid_up_to())),
                None,
                "bytes that are not UTF-8 text; JSON must be UTF-8".into(),
            )]
        })?;
    let json_err = |e: serde_json::Error| {
        vec![problem(
            file,
            Some(e.line()),
            Some(e.column().to_string()),
            format!("not a JSON table: {e}; expected an array of objects, one per record"),
        )]
    };
    // An array of objects, or an object holding one such array.
    let items: Vec<&RawValue> = match serde_json::from_str::<Vec<&RawValue>>(text) {
        Ok(v) => v,
        Err(_) => {
            let obj: BTreeMap<String, &RawValue> = serde_json::from_str(text).map_err(json_err)?;
            let arrays: Vec<(&String, Vec<&RawValue>)> = obj
                .iter()
                .filter_map(|(k, v)| {
                    serde_json::from_str::<Vec<&RawValue>>(v.get())
                        .ok()
                        .map(|a| (k, a))
                })
                .collect();
            match arrays.len() {
                1 => arrays
                    .into_iter()
                    .next()
                    .map(|(_, a)| a)
                    .unwrap_or_default(),
                _ => {
                    return Err(vec![problem(
                        file,
                        Some(1),
                        None,
                        format!(
                            "expected an array of objects, or an object with exactly one array; found {} arrays",
                            arrays.len()
                        ),
                    )]);
                }
            }
        }
    };
    let base = text.as_ptr() as usize;
    let mut keys: Vec<String> = Vec::new();
    let mut parsed = Vec::with_capacity(items.len());
    let mut problems = Vec::new();
    for item in items {
        let offset =
            (item.get().as_ptr() as usize).saturating_sub(base) + (bytes.len() - text.len());
        let line = line_at(bytes, offset);
        let obj: BTreeMap<String, &RawValue> = match serde_json::from_str(item.get()) {
            Ok(o) => o,
            Err(_) => {
                problems.push(problem(
                    file,
                    Some(line),
                    None,
                    "expected an object (one record, such as {\"id\": \"W001\", ...})".into(),
                ));
                continue;
            }
        };
        let mut cells = Vec::with_capacity(obj.len());
        for (k, v) in obj {
            let raw = v.get();
            let t = match raw.as_bytes().first() {
                Some(b'"') => serde_json::from_str::<String>(raw).unwrap_or_default(),
                Some(b'n') => String::new(),
                Some(b'-' | b'0'..=b'9') => raw.to_string(),
                _ => {
                    problems.push(problem(
                        file,
                        Some(line),
                        Some(k.clone()),
                        format!(
                            "value {} is not text; expected a string (or a number for a score)",
                            crate::limits::quote(raw)
                        ),
                    ));
                    String::new()
                }
            };
            let col = match keys.iter().position(|x| *x == k) {
                Some(c) => c,
                None => {
                    keys.push(k);
                    keys.len() - 1
                }
            };
            cells.push((col, t));
        }
        parsed.push((line, cells));
    }
    if !problems.is_empty() {
        return Err(problems);
    }
    let mut rows = Vec::with_capacity(parsed.len() + 1);
    rows.push((line_at(bytes, 0), StringRecord::from(keys.clone())));
    for (line, cells) in parsed {
        let mut row = vec![String::new(); keys.len()];
        for (c, t) in cells {
            row[c] = t;
        }
        rows.push((line, StringRecord::from(row)));
    }
    Ok(Rows {
        labels: keys,
        rows,
        merges: Vec::new(),
        problems: Vec::new(),
    })
}

impl Table {
    /// Reads the next non-blank row into `rec`; returns its line, or `None` at the end.
    pub fn next_row(&mut self, rec: &mut StringRecord) -> Result<Option<usize>, FileProblem> {
        loop {
            match &mut self.body {
                Body::Csv(rdr, checked_as) => match rdr.read_record(rec) {
                    Ok(true) => {
                        if is_blank(rec) {
                            continue;
                        }
                        // Lines are counted here from byte offsets: the csv
                        // crate's own count drifts on CRLF line ends.
                        let text = rdr.get_ref().get_ref();
                        let end = record_start(text, rec);
                        if end >= self.counted.0 {
                            self.counted.1 += count_newlines(&text[self.counted.0..end]);
                            self.counted.0 = end;
                        }
                        return Ok(Some(self.counted.1 + 1));
                    }
                    Ok(false) => return Ok(None),
                    Err(e) => return Err(csv_problem(&self.file, rdr, *checked_as, &e)),
                },
                Body::Rows(it) => match it.next() {
                    Some((line, r)) => {
                        if is_blank(&r) {
                            continue;
                        }
                        *rec = r;
                        return Ok(Some(line));
                    }
                    None => return Ok(None),
                },
            }
        }
    }

    /// The fraction of the file read so far (CSV), for a progress bar.
    pub fn progress(&self) -> f64 {
        match &self.body {
            Body::Csv(rdr, _) if self.total_bytes > 0 => {
                rdr.position().byte() as f64 / self.total_bytes as f64
            }
            Body::Rows(it) => {
                let left = it.len() as f64;
                1.0 - left / (left + 1.0)
            }
            _ => 1.0,
        }
    }

    /// The label of column `i` for messages.
    pub fn label(&self, i: usize) -> String {
        self.labels
            .get(i)
            .cloned()
            .unwrap_or_else(|| (i + 1).to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every row of a CSV file as `open` and `next_row` read it, or the
    /// first problem.
    fn rows(bytes: Vec<u8>, encoding: Encoding) -> Result<Vec<(usize, String)>, String> {
        let opts = ReadOptions {
            encoding,
            ..ReadOptions::default()
        };
        let mut t = open("f.csv", bytes, &opts, &|h| h == "工号" || h == "id")
            .map_err(|p| p[0].to_string())?;
        let mut rec = StringRecord::new();
        let mut out = Vec::new();
        while let Some(line) = t.next_row(&mut rec).map_err(|p| p.to_string())? {
            out.push((line, rec.iter().collect::<Vec<_>>().join("|")));
        }
        Ok(out)
    }

    fn gbk(s: &str) -> Vec<u8> {
        encoding_rs::GBK.encode(s).0.into_owned()
    }

    #[test]
    fn utf8_files_are_checked_record_by_record_with_decodes_messages() {
        let good = "工号,姓名\nW1,林晓\n\nW2,陈敏\n".as_bytes().to_vec();
        let want = vec![(2, "W1|林晓".to_string()), (4, "W2|陈敏".to_string())];
        assert_eq!(rows(good.clone(), Encoding::Auto), Ok(want.clone()));
        let mut bom = b"\xEF\xBB\xBF".to_vec();
        bom.extend_from_slice(&good);
        assert_eq!(rows(bom.clone(), Encoding::Auto), Ok(want.clone()));
        assert_eq!(rows(good.clone(), Encoding::Utf8), Ok(want));
        // A GBK row below UTF-8 ones: the file mixes encodings (Auto), or is
        // not UTF-8 (with a BOM, or --encoding utf-8), on the row's line.
        let mut mixed = good.clone();
        mixed.extend_from_slice(&gbk("W3,王芳\n"));
        let e = rows(mixed.clone(), Encoding::Auto).unwrap_err();
        assert!(
            e.contains("f.csv:5: the file mixes encodings: line 1 is UTF-8 but line 5 is not"),
            "{e}"
        );
        for (bytes, enc) in [(mixed.clone(), Encoding::Utf8), ([&bom[..], &mixed[good.len()..]].concat(), Encoding::Auto)] {
            let e = rows(bytes, enc).unwrap_err();
            assert!(e.contains("f.csv:5: bytes that are not UTF-8 text"), "{e}");
        }
        // The same file decoded whole gives the same problem.
        assert_eq!(
            decode("f.csv", mixed, Encoding::Auto).unwrap_err().to_string(),
            e
        );
    }

    #[test]
    fn newlines_counted_eight_at_a_time() {
        let text = "a\nbc\n\n林\n\r\nxxxxxxxxxxxxxxxxxxxxx\n\n\u{a}\u{8a}\n".as_bytes();
        for start in 0..text.len() {
            for end in start..=text.len() {
                let b = &text[start..end];
                assert_eq!(count_newlines(b), b.iter().filter(|&&c| c == b'\n').count());
            }
        }
    }

    #[test]
    fn a_file_whose_first_non_ascii_line_is_not_utf8_is_decoded_first() {
        // ASCII headers, GBK names: GBK.
        let mut bytes = b"id,name\nW1,Lin\n".to_vec();
        bytes.extend_from_slice(&gbk("W2,陈敏\n"));
        assert_eq!(
            rows(bytes, Encoding::Auto),
            Ok(vec![(2, "W1|Lin".to_string()), (3, "W2|陈敏".to_string())])
        );
        // A GBK header: GBK, or not UTF-8 on line 1 when told it is.
        let bytes = gbk("工号,姓名\nW1,林晓\n");
        assert_eq!(rows(bytes.clone(), Encoding::Auto), Ok(vec![(2, "W1|林晓".to_string())]));
        assert_eq!(rows(bytes.clone(), Encoding::Gbk), Ok(vec![(2, "W1|林晓".to_string())]));
        let e = rows(bytes, Encoding::Utf8).unwrap_err();
        assert!(e.contains("f.csv:1: bytes that are not UTF-8 text"), "{e}");
    }
}
