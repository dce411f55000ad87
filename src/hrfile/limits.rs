//! Bounds on an XLSX sheet, so that a small hostile workbook cannot make
//! payrules allocate without end: a sheet is read cell by cell (memory
//! grows with the cells really there, not with the extent a file claims)
//! and refused once its cells span more than [`MAX_ROWS`] rows or
//! [`MAX_COLS`] columns. A 1.6 KB workbook with cells at `A1` and
//! `XFD1048576` is an error naming the file and the sheet, not a 512 GB
//! allocation. Cells are at most [`crate::limits::MAX_FIELD`] bytes, as every
//! field; see [`crate::limits`] for the other bounds.

use calamine::{Cell, Data, DataRef, Range, Xlsx};
use std::io::{Read, Seek};

/// The most rows a sheet may span.
pub const MAX_ROWS: u32 = 2_000_000;
/// The most columns a sheet may span.
pub const MAX_COLS: u32 = 200;

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

fn cell_name(row: u32, col: u32) -> String {
    format!("{}{}", super::table::column_letter(col as usize), row + 1)
}
