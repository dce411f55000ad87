//! Where records read from files came from: the file, the line (or row)
//! of each record and the column of each field, per list of the request,
//! so that an engine error can name `file:line:column`.

use std::collections::BTreeMap;

/// The line (or row) of each record of a list, by index, kept as runs of
/// consecutive lines: a file whose records are a line each, without blank
/// lines between them, is one run (8 bytes, not 4 a record).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Lines {
    /// `(index of the run's first record, its line)`, by index.
    runs: Vec<(u32, u32)>,
    len: u32,
}

impl Lines {
    /// Adds the line of the next record.
    pub fn push(&mut self, line: u32) {
        let next = self.runs.last().map(|&(i, l)| l.wrapping_add(self.len - i));
        if next != Some(line) {
            self.runs.push((self.len, line));
        }
        // Invariant: a file is at most 1 GiB, so fewer than 2^32 records.
        self.len += 1;
    }
    /// The line of record `i`.
    #[must_use]
    pub fn get(&self, i: usize) -> Option<u32> {
        let i = u32::try_from(i).ok().filter(|&i| i < self.len)?;
        let k = self.runs.partition_point(|&(first, _)| first <= i) - 1;
        let (first, line) = self.runs[k];
        Some(line.wrapping_add(i - first))
    }
    /// The number of records.
    #[must_use]
    pub fn len(&self) -> usize {
        self.len as usize
    }
    /// Whether there are none.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }
}

impl From<Vec<u32>> for Lines {
    fn from(lines: Vec<u32>) -> Lines {
        let mut out = Lines::default();
        for l in lines {
            out.push(l);
        }
        out
    }
}

/// Where the records of one list came from.
#[derive(Debug, Clone, Default)]
pub struct Origin {
    /// The file, as named.
    pub file: String,
    /// The line (row) of each record, by index.
    pub lines: Lines,
    /// Column label of each field read.
    pub columns: BTreeMap<&'static str, String>,
}

impl Origin {
    /// The line of record `i`.
    pub fn line(&self, i: usize) -> Option<usize> {
        self.lines.get(i).map(|l| l as usize)
    }
}

/// Where the records of a request read from files came from, per list.
#[derive(Debug, Clone, Default)]
pub struct Origins {
    /// The roster.
    pub workers: Option<Origin>,
    /// The assessments file.
    pub assessments: Option<Origin>,
    /// The honours file.
    pub honours: Option<Origin>,
    /// The changes file.
    pub changes: Option<Origin>,
    /// The tax records, in request order: those of the roster's tax columns,
    /// then those of the tax file (each part its own file).
    pub tax: Vec<Origin>,
}

impl Origins {
    /// Whether any list was read from a file.
    pub fn any(&self) -> bool {
        self.workers.is_some()
            || self.assessments.is_some()
            || self.honours.is_some()
            || !self.tax.is_empty()
    }
}

/// The origin of tax record `i` and its index within it.
pub(crate) fn tax_origin(parts: &[Origin], mut i: usize) -> Option<(&Origin, usize)> {
    for o in parts {
        if i < o.lines.len() {
            return Some((o, i));
        }
        i -= o.lines.len();
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_come_back_as_pushed() {
        let given = [2u32, 3, 4, 6, 7, 7, 1, 2, u32::MAX, 0, 1];
        let lines = Lines::from(given.to_vec());
        assert_eq!(lines.len(), given.len());
        for (i, l) in given.iter().enumerate() {
            assert_eq!(lines.get(i), Some(*l), "{i}");
        }
        assert_eq!(lines.get(given.len()), None);
        // Consecutive lines are one run.
        assert_eq!(Lines::from((5..100_000).collect::<Vec<u32>>()).runs.len(), 1);
        assert_eq!(Lines::default().get(0), None);
    }
}
