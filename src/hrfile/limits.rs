//! Bounds on what payrules reads, so that a small hostile file cannot make
//! it allocate without end.
//!
//! - An XLSX sheet is read cell by cell (memory grows with the cells really
//!   there, not with the extent a file claims) and refused once its cells
//!   span more than [`MAX_ROWS`] rows or [`MAX_COLS`] columns: a 1.6 KB
//!   workbook with cells at `A1` and `XFD1048576` is an error naming the
//!   file and the sheet, not a 512 GB allocation.
//! - A cell or field is at most [`MAX_CELL`](super::table::MAX_CELL) bytes
//!   (64 KiB), in HR files and in a JSON run request alike.
//! - A JSON run request, and any file the CLI reads, is at most
//!   [`MAX_REQUEST`] bytes (1 GiB); a larger one is refused before it is
//!   read.
//! - A message quotes at most [`QUOTE_CHARS`] characters of an offending
//!   value ([`quote`]).

use crate::run::{Request, RequestError};
use crate::worker::{AssessmentRecord, HonourRecord, WorkerRecord};
use calamine::{Cell, Data, DataRef, Range, Xlsx};
use std::io::{self, Read, Seek};
use std::path::Path;

/// The most rows a sheet may span.
pub const MAX_ROWS: u32 = 2_000_000;
/// The most columns a sheet may span.
pub const MAX_COLS: u32 = 200;
/// The largest JSON run request read, in bytes (1 GiB).
pub const MAX_REQUEST: usize = 1 << 30;
/// The most characters of a value a message quotes.
pub const QUOTE_CHARS: usize = 100;

/// `s` for a message: at most [`QUOTE_CHARS`] characters, then `…` and the
/// size of the whole.
pub fn quote(s: &str) -> String {
    match s.char_indices().nth(QUOTE_CHARS) {
        None => s.to_string(),
        Some((i, _)) => format!("{}… ({} bytes in all)", &s[..i], s.len()),
    }
}

/// The non-empty cells of a sheet as a range (as calamine's
/// `worksheet_range` gives them), read one by one and refused as soon as
/// they span more than [`MAX_ROWS`] rows or [`MAX_COLS`] columns.
pub fn xlsx_sheet<RS: Read + Seek>(wb: &mut Xlsx<RS>, sheet: &str) -> Result<Range<Data>, String> {
    let mut reader = wb
        .worksheet_cells_reader(sheet)
        .map_err(|e| format!("sheet {sheet:?} cannot be read: {e}"))?;
    let mut cells: Vec<Cell<Data>> = Vec::new();
    let (mut r0, mut r1, mut c0, mut c1) = (u32::MAX, 0, u32::MAX, 0);
    while let Some(cell) = reader
        .next_cell()
        .map_err(|e| format!("sheet {sheet:?} cannot be read: {e}"))?
    {
        if matches!(cell.get_value(), DataRef::Empty) {
            continue;
        }
        let (r, c) = cell.get_position();
        (r0, r1, c0, c1) = (r0.min(r), r1.max(r), c0.min(c), c1.max(c));
        if r1 - r0 >= MAX_ROWS || c1 - c0 >= MAX_COLS {
            return Err(format!(
                "sheet {sheet:?} has cells from {} to {}: more than {MAX_ROWS} rows or {MAX_COLS} columns, which payrules does not read (is it a real HR sheet?)",
                cell_name(r0, c0),
                cell_name(r1, c1),
            ));
        }
        cells.push(Cell::new((r, c), cell.get_value().clone().into()));
    }
    Ok(Range::from_sparse(cells))
}

/// Everything from `r`, refused past [`MAX_REQUEST`] bytes.
pub fn read_all(r: impl Read) -> io::Result<Vec<u8>> {
    let mut buf = Vec::new();
    r.take(MAX_REQUEST as u64 + 1).read_to_end(&mut buf)?;
    if buf.len() > MAX_REQUEST {
        return Err(too_large());
    }
    Ok(buf)
}

/// The file at `path`, refused (before reading it) past [`MAX_REQUEST`] bytes.
pub fn read_file(path: &Path) -> io::Result<Vec<u8>> {
    let f = std::fs::File::open(path)?;
    if f.metadata()?.len() > MAX_REQUEST as u64 {
        return Err(too_large());
    }
    read_all(f)
}

fn too_large() -> io::Error {
    io::Error::new(
        io::ErrorKind::FileTooLarge,
        format!("larger than 1 GiB; payrules reads at most {MAX_REQUEST} bytes"),
    )
}

/// A run request's size and its record fields within bounds: at most
/// [`MAX_REQUEST`] bytes, each worker, assessment and honour field at most
/// [`MAX_CELL`](super::table::MAX_CELL) bytes.
pub fn check_request_size(request: &[u8]) -> Result<(), RequestError> {
    if request.len() > MAX_REQUEST {
        return Err(RequestError::Json(format!(
            "the request is {} bytes; at most {MAX_REQUEST} (1 GiB) are read",
            request.len()
        )));
    }
    Ok(())
}

/// Each worker, assessment and honour field (and the period) at most
/// [`MAX_CELL`](super::table::MAX_CELL) bytes.
pub fn check_request_fields(req: &Request) -> Result<(), RequestError> {
    check_fields(&req.period, &req.workers, &req.assessments, &req.honours)
}

/// [`check_request_fields`] on the parts of a run or what-if request.
pub fn check_fields(
    period: &str,
    workers: &[WorkerRecord],
    assessments: &[AssessmentRecord],
    honours: &[HonourRecord],
) -> Result<(), RequestError> {
    use super::table::MAX_CELL;
    let check = |what: &str, i: usize, field: &str, v: &str| {
        if v.len() > MAX_CELL {
            Err(RequestError::Json(format!(
                "{what}[{i}].{field}: {} bytes; at most {MAX_CELL} bytes a field (starts {:?})",
                v.len(),
                quote(v)
            )))
        } else {
            Ok(())
        }
    };
    check("request", 0, "period", period)?;
    for (i, w) in workers.iter().enumerate() {
        for (f, v) in [
            ("id", w.id.as_str()),
            ("name", &w.name),
            ("unit", &w.unit),
            ("position", &w.position),
            ("title", &w.title),
            ("hired_on", &w.hired_on),
            ("left_on", w.left_on.as_deref().unwrap_or("")),
            (
                "probation_until",
                w.probation_until.as_deref().unwrap_or(""),
            ),
        ] {
            check("workers", i, f, v)?;
        }
    }
    for (i, a) in assessments.iter().enumerate() {
        for (f, v) in [
            ("worker_id", a.worker_id.as_str()),
            ("period", &a.period),
            ("grade", a.grade.as_deref().unwrap_or("")),
            ("score", a.score.as_deref().unwrap_or("")),
        ] {
            check("assessments", i, f, v)?;
        }
    }
    for (i, h) in honours.iter().enumerate() {
        for (f, v) in [
            ("worker_id", h.worker_id.as_str()),
            ("level", &h.level),
            ("awarded_on", &h.awarded_on),
            ("deed", h.deed.as_deref().unwrap_or("")),
        ] {
            check("honours", i, f, v)?;
        }
    }
    Ok(())
}

/// A serde_json error for a message: serde quotes an offending value whole,
/// so a long message keeps only the start of it (and the line and column).
pub fn json_error(e: &serde_json::Error) -> String {
    let m = e.to_string();
    match m.rfind(" at line ") {
        Some(i) if m.len() > 2 * QUOTE_CHARS => format!("{}{}", quote(&m[..i]), &m[i..]),
        _ => m,
    }
}

fn cell_name(row: u32, col: u32) -> String {
    format!("{}{}", super::table::column_letter(col as usize), row + 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quotes_are_short() {
        assert_eq!(quote("abc"), "abc");
        let long = "林".repeat(500);
        let q = quote(&long);
        assert!(q.starts_with(&"林".repeat(100)));
        assert!(q.ends_with("… (1500 bytes in all)"), "{q}");
    }
}
