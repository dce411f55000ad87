//! CSV rows read a chunk at a time, with the line each began on: from
//! bytes in memory (one chunk), or from an open file without holding it
//! whole — a roster of a million rows is 70 MB, read [`CHUNK`] bytes at a
//! time, each chunk cut where the csv reader ends a record.
//!
//! The text is checked as [`decode`] checks a whole file, with the work
//! spread over the reading:
//!
//! - a UTF-8 BOM or `--encoding utf-8`: UTF-8, each record checked as the
//!   csv reader reads it; a record that is not UTF-8 is reported on the
//!   line of its first bad byte, as `decode` reports it;
//! - `--encoding gbk`: the file is read whole and decoded by `decode`;
//! - otherwise the first line with a non-ASCII byte decides: UTF-8, each
//!   record checked (one that is not makes a file that mixes encodings,
//!   reported with the first line of each, as `decode` reports it); or
//!   not UTF-8, and the file is decoded by `decode` from the chunk holding
//!   that line on (the lines before it are ASCII, the same in every
//!   encoding), which reads it as GBK or says why not.
//!
//! So a file reads the same, rows, lines and problems, whichever way its
//! bytes arrive; `tests` check it on files built to cross every chunk edge.

// A problem ends the reading: it is returned once per file, so its size
// does not matter (as in `table`).
#![allow(clippy::result_large_err)]

use super::FileProblem;
use super::table::{
    Encoding, count_newlines, decode, decode_from, mixed_encodings, not_utf8, problem,
    record_start,
};
use csv::StringRecord;
use std::io::{Cursor, Read};

/// How many bytes of a file are read at a time (a record longer than this
/// is read whole, in as many more as it takes).
pub(super) const CHUNK: usize = 8 << 20;

/// The rest of a file, not yet read.
pub type Rest = Box<dyn Read + Send>;

/// The rows of a CSV text, a chunk at a time.
pub(super) struct CsvRows {
    file: String,
    /// A reader over the current chunk, which begins where a record does.
    rdr: csv::Reader<Cursor<Vec<u8>>>,
    /// The rest of the file (`None`: the chunk holds all that is left).
    rest: Option<Rest>,
    /// Where the chunk begins in the file, and the file's length.
    base: u64,
    total: u64,
    /// Line ends before byte `counted` of the chunk.
    lines: usize,
    counted: usize,
    /// Bytes of the chunk already looked at for a non-ASCII byte.
    scanned: usize,
    check: Check,
    /// How many bytes are read at a time ([`CHUNK`]; less in tests).
    chunk: usize,
}

/// What a record that is not UTF-8 means.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Check {
    /// Every line so far is ASCII (`--encoding auto`): the first that is
    /// not decides.
    Undecided,
    /// UTF-8 by a BOM or `--encoding utf-8`: the file is not UTF-8.
    Utf8,
    /// UTF-8 because line `.0`, the first non-ASCII one, is: the file
    /// mixes encodings.
    Utf8Since(usize),
    /// Decoded whole: every record is UTF-8.
    Decoded,
}

/// Appends up to `n` more bytes of `rest` to `buf`; drops `rest` at its end.
pub(super) fn read_more(
    file: &str, buf: &mut Vec<u8>, rest: &mut Option<Rest>, n: usize) -> Result<(), FileProblem> {
    let Some(r) = rest.as_mut() else {
        return Ok(());
    };
    let before = buf.len();
    r.take(n as u64)
        .read_to_end(buf)
        .map_err(|e| problem(file, None, None, format!("cannot read the file: {e}")))?;
    if buf.len() - before < n {
        *rest = None;
    }
    Ok(())
}

fn reader(text: Vec<u8>) -> csv::Reader<Cursor<Vec<u8>>> {
    csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(Cursor::new(text))
}

impl CsvRows {
    /// The rows of a file whose first bytes are `first` and whose other
    /// bytes `rest` holds (`None`: `first` is all of it), `total` bytes in
    /// all, read in `encoding`.
    pub(super) fn new(
        file: &str,
        mut first: Vec<u8>,
        mut rest: Option<Rest>,
        total: u64,
        encoding: Encoding,
        chunk: usize,
    ) -> Result<CsvRows, FileProblem> {
        let bom = first.starts_with(b"\xEF\xBB\xBF");
        let check = match encoding {
            Encoding::Gbk => {
                while rest.is_some() {
                    read_more(file, &mut first, &mut rest, chunk)?;
                }
                first = decode(file, first, Encoding::Gbk)?;
                Check::Decoded
            }
            Encoding::Utf8 => Check::Utf8,
            Encoding::Auto if bom => Check::Utf8,
            Encoding::Auto => Check::Undecided,
        };
        let mut base = 0;
        if bom && check == Check::Utf8 {
            first.drain(..3);
            base = 3;
        }
        let mut rows = CsvRows {
            file: file.to_string(),
            rdr: reader(Vec::new()),
            rest,
            base,
            total,
            lines: 0,
            counted: 0,
            scanned: 0,
            check,
            chunk,
        };
        rows.start(first)?;
        Ok(rows)
    }

    /// Makes `text` the chunk: decides the encoding first if its first
    /// non-ASCII line is in it.
    fn start(&mut self, mut text: Vec<u8>) -> Result<(), FileProblem> {
        if self.check == Check::Undecided
            && let Some(at) = text[self.scanned..].iter().position(|b| !b.is_ascii())
        {
            let at = self.scanned + at;
            // The whole line: read on until it ends.
            let mut end = text[at..].iter().position(|&b| b == b'\n');
            while end.is_none() && self.rest.is_some() {
                let from = text.len();
                read_more(&self.file, &mut text, &mut self.rest, self.chunk)?;
                end = text[from..].iter().position(|&b| b == b'\n').map(|p| from + p - at);
            }
            let end = end.map_or(text.len(), |p| at + p + 1);
            // Its beginning, if in this chunk; before it, only ASCII.
            let begin = text[..at].iter().rposition(|&b| b == b'\n').map_or(0, |p| p + 1);
            if std::str::from_utf8(&text[begin..end]).is_ok() {
                let line = self.lines + count_newlines(&text[..at]) + 1;
                self.check = Check::Utf8Since(line);
            } else {
                while self.rest.is_some() {
                    read_more(&self.file, &mut text, &mut self.rest, self.chunk)?;
                }
                let at = (self.lines, self.base == 0);
                text = decode_from(&self.file, text, Encoding::Auto, at)?;
                self.check = Check::Decoded;
            }
        }
        self.scanned = text.len();
        self.counted = 0;
        self.rdr = reader(text);
        Ok(())
    }

    /// The next chunk: from byte `from` of this one (where a record that
    /// may be cut begins, or its end), with more of the file after it.
    fn refill(&mut self, from: usize) -> Result<(), FileProblem> {
        let mut text = std::mem::replace(&mut self.rdr, reader(Vec::new()))
            .into_inner()
            .into_inner();
        let from = from.min(text.len());
        if from > self.counted {
            self.lines += count_newlines(&text[self.counted..from]);
        }
        text.drain(..from);
        self.base += from as u64;
        self.scanned = self.scanned.saturating_sub(from);
        read_more(&self.file, &mut text, &mut self.rest, self.chunk)?;
        self.start(text)
    }

    /// Reads the next record into `rec`; returns the line it begins on, or
    /// `None` at the end of the file.
    pub(super) fn next(&mut self, rec: &mut StringRecord) -> Result<Option<usize>, FileProblem> {
        loop {
            let len = self.rdr.get_ref().get_ref().len();
            let read = self.rdr.read_record(rec);
            // A record that reaches the end of the chunk may be cut: read it
            // again with more of the file after it.
            let cut = self.rest.is_some() && self.rdr.position().byte() as usize >= len;
            match read {
                Ok(true) if cut => {
                    let from = rec.position().map_or(len, |p| p.byte() as usize);
                    self.refill(from)?;
                }
                Ok(true) => {
                    // Lines are counted here from byte offsets: the csv
                    // crate's own count drifts on CRLF line ends.
                    let text = self.rdr.get_ref().get_ref();
                    let start = record_start(text, rec);
                    if start >= self.counted {
                        self.lines += count_newlines(&text[self.counted..start]);
                        self.counted = start;
                    }
                    return Ok(Some(self.lines + 1));
                }
                Ok(false) if self.rest.is_some() => self.refill(len)?,
                Ok(false) => return Ok(None),
                Err(e) if cut => {
                    let from = e.position().map_or(len, |p| p.byte() as usize);
                    self.refill(from)?;
                }
                Err(e) => return Err(self.problem(&e)),
            }
        }
    }

    /// A reading error as a problem: bytes that are not UTF-8 as [`decode`]
    /// reports them (the line of the first bad byte; for a file that began
    /// as UTF-8, the first line of each encoding), anything else as the csv
    /// crate says.
    fn problem(&self, e: &csv::Error) -> FileProblem {
        let text = self.rdr.get_ref().get_ref();
        if let csv::ErrorKind::Utf8 { .. } = e.kind() {
            let from = e
                .position()
                .map_or(0, |p| p.byte() as usize)
                .clamp(self.counted, text.len());
            let bad = match std::str::from_utf8(&text[from..]) {
                Ok(_) => text.len(),
                Err(u) => from + u.valid_up_to(),
            };
            let line = self.lines + count_newlines(&text[self.counted..bad]) + 1;
            return match self.check {
                Check::Utf8Since(u) => mixed_encodings(&self.file, u, line),
                _ => not_utf8(&self.file, line),
            };
        }
        let line = e.position().map(|p| p.line() as usize);
        problem(&self.file, line, None, format!("not readable as CSV: {e}"))
    }

    /// The fraction of the file read so far.
    pub(super) fn progress(&self) -> f64 {
        if self.total == 0 {
            return 1.0;
        }
        ((self.base + self.rdr.position().byte()) as f64 / self.total as f64).min(1.0)
    }
}
