//! Where records read from files came from: the file, the line (or row)
//! of each record and the column of each field, per list of the request,
//! so that an engine error can name `file:line:column`.

use std::collections::BTreeMap;

/// Where the records of one list came from.
#[derive(Debug, Clone, Default)]
pub struct Origin {
    /// The file, as named.
    pub file: String,
    /// The line (row) of each record, by index.
    pub lines: Vec<u32>,
    /// Column label of each field read.
    pub columns: BTreeMap<&'static str, String>,
}

impl Origin {
    /// The line of record `i`.
    pub fn line(&self, i: usize) -> Option<usize> {
        self.lines.get(i).map(|&l| l as usize)
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
