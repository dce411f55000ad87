//! Bytes to rows: CSV (UTF-8 with or without BOM, or GBK), XLSX and JSON
//! tables, with the line (or row) and column every cell came from.
//!
//! Nothing here knows what a worker is; [`super`] maps the columns.

// A problem is returned once per file, not per row, so its size does not matter.
#![allow(clippy::result_large_err)]

pub(super) use super::Encoding;
use super::csv_rows::{CHUNK, CsvRows, Rest, read_more};
use super::{FileProblem, ReadOptions};
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
    /// The header row's line (CSV, JSON) or row number (XLSX).
    pub header_line: usize,
    /// Header texts, trimmed.
    pub headers: Vec<String>,
    /// The label of each column in messages: its number (CSV), letter (XLSX) or key (JSON).
    pub labels: Vec<String>,
    body: Body,
    /// Problems with single cells found while opening (XLSX error cells);
    /// the caller reports them with the rows.
    pub problems: Vec<FileProblem>,
}

enum Body {
    /// CSV rows, a chunk at a time, with the rows read to find the header
    /// that come after it (given first).
    Csv(Box<CsvRows>, std::collections::VecDeque<(usize, StringRecord)>),
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

pub(super) fn problem(
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
    decode_from(file, bytes, encoding, (0, true))
}

/// [`decode`] of the bytes of a file from the start of a line on:
/// `line_offset` lines after the file's first (the problems name the
/// file's lines), and whether that is the file's start, where alone a BOM
/// counts.
pub(super) fn decode_from(
    file: &str,
    bytes: Vec<u8>,
    encoding: Encoding,
    (line_offset, at_start): (usize, bool),
) -> Result<Vec<u8>, FileProblem> {
    let line = |bytes: &[u8], offset: usize| line_offset + line_at(bytes, offset);
    let gbk = |bytes: &[u8]| -> Result<Vec<u8>, FileProblem> {
        match encoding_rs::GBK.decode_without_bom_handling_and_without_replacement(bytes) {
            Some(text) => Ok(text.into_owned().into_bytes()),
            None => {
                // Find the first line that does not decode, to name it.
                let mut offset = 0;
                for l in bytes.split_inclusive(|&b| b == b'\n') {
                    if encoding_rs::GBK
                        .decode_without_bom_handling_and_without_replacement(l)
                        .is_none()
                    {
                        break;
                    }
                    offset += l.len();
                }
                Err(problem(
                    file,
                    Some(line(bytes, offset)),
                    None,
                    "bytes that are not GBK text; save the file as CSV (GBK) or CSV UTF-8, or give --encoding".into(),
                ))
            }
        }
    };
    let bom = at_start && bytes.starts_with(b"\xEF\xBB\xBF");
    match encoding {
        Encoding::Gbk => gbk(&bytes),
        Encoding::Utf8 => {
            let body_start = if bom { 3 } else { 0 };
            match std::str::from_utf8(&bytes[body_start..]) {
                Ok(_) if bom => Ok(strip_bom(bytes)),
                Ok(_) => Ok(bytes),
                Err(e) => Err(not_utf8(file, line(&bytes, body_start + e.valid_up_to()))),
            }
        }
        Encoding::Auto => {
            if bom {
                return decode_from(file, bytes, Encoding::Utf8, (0, true));
            }
            if std::str::from_utf8(&bytes).is_ok() {
                return Ok(bytes);
            }
            // Not UTF-8 as a whole: GBK, unless some lines are UTF-8 with
            // non-ASCII text and others are not (a file that mixes encodings).
            let (mut utf8_line, mut other_line) = (None, None);
            for (i, l) in bytes.split_inclusive(|&b| b == b'\n').enumerate() {
                if !l.is_ascii() {
                    let slot = if std::str::from_utf8(l).is_ok() {
                        &mut utf8_line
                    } else {
                        &mut other_line
                    };
                    slot.get_or_insert(line_offset + i + 1);
                }
                if utf8_line.is_some() && other_line.is_some() {
                    break;
                }
            }
            if let (Some(u), Some(o)) = (utf8_line, other_line) {
                return Err(mixed_encodings(file, u, o));
            }
            gbk(&bytes)
        }
    }
}

/// The problem of a file read as UTF-8 with a byte that is not, on `line`.
pub(super) fn not_utf8(file: &str, line: usize) -> FileProblem {
    problem(
        file,
        Some(line),
        None,
        "bytes that are not UTF-8 text (--encoding utf-8); if the file came from Chinese Excel, try --encoding gbk".into(),
    )
}

/// The problem of a file whose line `u` is UTF-8 and line `o` is not.
pub(super) fn mixed_encodings(file: &str, u: usize, o: usize) -> FileProblem {
    problem(
        file,
        Some(o),
        None,
        format!(
            "the file mixes encodings: line {u} is UTF-8 but line {o} is not (GBK?); save the whole file in one encoding (CSV UTF-8 is safest)"
        ),
    )
}

/// The byte where a CSV record's text starts: the csv crate reports the
/// position after the previous record's `\r`, so skip line-end bytes.
pub(super) fn record_start(text: &[u8], rec: &StringRecord) -> usize {
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
pub(super) fn count_newlines(b: &[u8]) -> usize {
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

/// A file's bytes as a table reads them: in memory, or from an open file
/// (a CSV file is read a chunk at a time, never held whole; a workbook or a
/// JSON file is read whole).
pub enum Input {
    /// The whole file.
    Bytes(Vec<u8>),
    /// An open file and its length (for the progress shown).
    Reader(Rest, u64),
}

impl From<Vec<u8>> for Input {
    fn from(bytes: Vec<u8>) -> Input {
        Input::Bytes(bytes)
    }
}

/// Opens a table. `is_known` says whether a header text names a known
/// column; rows above the first row naming any known column are title rows
/// (a sheet title in merged cells, a date line) and are skipped.
pub fn open(
    file: &str,
    input: impl Into<Input>,
    opts: &ReadOptions,
    is_known: &dyn Fn(&str) -> bool,
) -> Result<Table, Vec<FileProblem>> {
    open_chunked(file, input.into(), opts, is_known, CHUNK)
}

/// [`open`], a file read `chunk` bytes at a time.
fn open_chunked(
    file: &str,
    input: Input,
    opts: &ReadOptions,
    is_known: &dyn Fn(&str) -> bool,
    chunk: usize,
) -> Result<Table, Vec<FileProblem>> {
    let (mut bytes, mut rest, total_bytes) = match input {
        Input::Bytes(b) => {
            let n = b.len() as u64;
            (b, None, n)
        }
        Input::Reader(r, n) => (Vec::new(), Some(r), n),
    };
    let read = |bytes: &mut Vec<u8>, rest: &mut Option<Rest>| {
        read_more(file, bytes, rest, chunk).map_err(|e| vec![e])
    };
    // Enough to see a BOM, a workbook's signature, the first printable byte.
    read(&mut bytes, &mut rest)?;
    while rest.is_some() && (bytes.len() < 4 || bytes.iter().all(|b| b.is_ascii_whitespace())) {
        read(&mut bytes, &mut rest)?;
    }
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
    if format != Format::Csv {
        // A workbook or a JSON file is read whole.
        while rest.is_some() {
            read(&mut bytes, &mut rest)?;
        }
    }
    let rows = match format {
        Format::Csv => {
            let mut rows = CsvRows::new(file, bytes, rest, total_bytes, opts.encoding, chunk)
                .map_err(|e| vec![e])?;
            // The header is the first of the first ten non-blank rows that
            // names a known column, else the first non-blank row.
            let mut seen: Vec<(usize, StringRecord)> = Vec::new();
            let mut rec = StringRecord::new();
            while seen.len() < 10 {
                let Some(line) = rows.next(&mut rec).map_err(|e| vec![e])? else {
                    break;
                };
                if is_blank(&rec) {
                    continue;
                }
                let known = rec.iter().any(is_known);
                seen.push((line, rec.clone()));
                if known {
                    break;
                }
            }
            if seen.is_empty() {
                return Err(vec![problem(
                    file,
                    None,
                    None,
                    "no header row: the file has only blank lines; expected a header row naming the columns".into(),
                )]);
            }
            let pick = seen
                .iter()
                .position(|(_, r)| r.iter().any(is_known))
                .unwrap_or(0);
            // The rows read after the header are the first data rows.
            let after: std::collections::VecDeque<_> = seen.drain(pick + 1..).collect();
            let (line, header) = seen.swap_remove(pick);
            let headers: Vec<String> = header.iter().map(clean_header).collect();
            let labels = (1..=headers.len()).map(|c| c.to_string()).collect();
            return Ok(Table {
                header_line: line,
                headers,
                labels,
                body: Body::Csv(Box::new(rows), after),
                problems: Vec::new(),
            });
        }
        Format::Xlsx => xlsx_rows(file, bytes, opts)?,
        Format::Json => json_rows(file, &bytes)?,
    };
    table_from_rows(file, rows, is_known)
}

fn clean_header(h: &str) -> String {
    h.trim_start_matches('\u{feff}').trim().to_string()
}

fn table_from_rows(
    file: &str,
    rows: Rows,
    is_known: &dyn Fn(&str) -> bool,
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
        header_line,
        headers,
        labels,
        body: Body::Rows(it),
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
                Body::Csv(rows, after) => {
                    if let Some((line, r)) = after.pop_front() {
                        *rec = r;
                        return Ok(Some(line));
                    }
                    match rows.next(rec)? {
                        Some(_) if is_blank(rec) => continue,
                        line => return Ok(line),
                    }
                }
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

    /// The fraction of the file read so far, for a progress bar.
    pub fn progress(&self) -> f64 {
        match &self.body {
            Body::Csv(rows, _) => rows.progress(),
            Body::Rows(it) => {
                let left = it.len() as f64;
                1.0 - left / (left + 1.0)
            }
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
    /// first problem: the same whether the bytes are given whole or read
    /// from a file in chunks of any size (checked here for each).
    fn rows(bytes: Vec<u8>, encoding: Encoding) -> Result<Vec<(usize, String)>, String> {
        let whole = rows_chunked(Input::Bytes(bytes.clone()), encoding, CHUNK);
        for chunk in [1, 2, 3, 5, 8, 13, 64, 1000] {
            let reader = Input::Reader(Box::new(std::io::Cursor::new(bytes.clone())), bytes.len() as u64);
            assert_eq!(
                rows_chunked(reader, encoding, chunk),
                whole,
                "{:?} read {chunk} bytes at a time",
                String::from_utf8_lossy(&bytes)
            );
        }
        whole
    }

    fn rows_chunked(input: Input, encoding: Encoding, chunk: usize) -> Result<Vec<(usize, String)>, String> {
        let opts = ReadOptions {
            encoding,
            ..ReadOptions::default()
        };
        let mut t = open_chunked("f.csv", input, &opts, &|h| h == "工号" || h == "id", chunk)
            .map_err(|p| p[0].to_string())?;
        let mut rec = StringRecord::new();
        let mut out = vec![(t.header_line, t.headers.join("|"))];
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
        let want = vec![
            (1, "工号|姓名".to_string()),
            (2, "W1|林晓".to_string()),
            (4, "W2|陈敏".to_string()),
        ];
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
            Ok(vec![
                (1, "id|name".to_string()),
                (2, "W1|Lin".to_string()),
                (3, "W2|陈敏".to_string())
            ])
        );
        // A GBK header: GBK, or not UTF-8 on line 1 when told it is.
        let bytes = gbk("工号,姓名\nW1,林晓\n");
        let want = Ok(vec![(1, "工号|姓名".to_string()), (2, "W1|林晓".to_string())]);
        assert_eq!(rows(bytes.clone(), Encoding::Auto), want);
        assert_eq!(rows(bytes.clone(), Encoding::Gbk), want);
        let e = rows(bytes, Encoding::Utf8).unwrap_err();
        assert!(e.contains("f.csv:1: bytes that are not UTF-8 text"), "{e}");
    }

    use proptest::prelude::*;

    /// A CSV file of a few rows, built to cross chunk edges anywhere:
    /// quoted cells with commas, quotes and line ends, CRLF and blank
    /// lines, Chinese in UTF-8, and maybe a BOM, a GBK row or a stray byte.
    fn csv_file() -> impl Strategy<Value = Vec<u8>> {
        let cell = prop_oneof![
            "[a-zA-Z0-9 ]{0,5}",
            "[林晓陈敏社区]{1,3}",
            Just("\"a,b\"".to_string()),
            Just("\"say \"\"hi\"\"\"".to_string()),
            Just("\"two\nlines\"".to_string()),
            Just("\"cr\r\nlf\"".to_string()),
        ];
        let row = prop::collection::vec(cell, 1..4).prop_map(|c| c.join(","));
        let end = prop_oneof![Just("\n"), Just("\r\n"), Just("\n\n"), Just("\r\n\r\n")];
        let extra = prop_oneof![
            3 => Just(Vec::new()),
            1 => Just(encoding_rs::GBK.encode("W9,王芳\n").0.into_owned()),
            1 => Just(b"W8,\xff\n".to_vec()),
        ];
        (
            any::<bool>(),
            prop::collection::vec((row, end), 0..6),
            extra,
            0usize..6,
        )
            .prop_map(|(bom, rows, extra, at)| {
                let mut b = if bom { b"\xEF\xBB\xBF".to_vec() } else { Vec::new() };
                b.extend_from_slice("id,name\n".as_bytes());
                for (i, (r, e)) in rows.iter().enumerate() {
                    if i == at {
                        b.extend_from_slice(&extra);
                    }
                    b.extend_from_slice(r.as_bytes());
                    b.extend_from_slice(e.as_bytes());
                }
                b
            })
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]
        /// Rows, lines and problems do not depend on how the bytes arrive
        /// (`rows` compares whole with every chunk size), in every encoding.
        #[test]
        fn a_file_reads_the_same_in_chunks_of_any_size(bytes in csv_file()) {
            for enc in [Encoding::Auto, Encoding::Utf8, Encoding::Gbk] {
                let _ = rows(bytes.clone(), enc);
            }
        }
    }
}
