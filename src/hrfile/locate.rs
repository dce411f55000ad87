//! Where an engine error came from, in the HR files' terms: the engine
//! names a record by its list and index; this module turns each into
//! `file:line` (and column) from the origins recorded while reading.

use super::{FileProblem, Origin};
use crate::run::{InputError, List};

/// The file a list is read from; the tax lists have no file yet.
fn list_index(list: List) -> Option<usize> {
    match list {
        List::Workers => Some(0),
        List::Assessments => Some(1),
        List::Honours => Some(2),
        List::Tax | List::Ytd | List::Adjustments => None,
    }
}

/// An engine error as a problem naming the file, line and column. The
/// engine's error carries its record as data (list and index, and the other
/// records involved); each becomes `file:line` here, or `list[index]` for a
/// list read from no file.
pub fn locate(origins: &[Option<Origin>; 3], e: &InputError) -> FileProblem {
    let mut p = FileProblem {
        file: String::new(),
        line: None,
        column: None,
        worker_id: e.worker_id.clone(),
        field: Some(e.field.clone()),
        message: e.message.clone(),
        warning: false,
    };
    if !e.related.is_empty() {
        let also: Vec<String> = e
            .related
            .iter()
            .map(|&(list, i)| place(origins, list, i))
            .collect();
        p.message = format!("{} (also {})", p.message, also.join(", "));
    }
    if let Some((list, i)) = e.source {
        match origin(origins, list) {
            Some(o) => {
                p.file = o.file.clone();
                p.line = o.line(i);
                p.column = o.columns.get(e.field.as_str()).cloned();
            }
            None => p.file = format!("{}[{i}]", list.name()),
        }
    }
    p
}

/// The file a list was read from, if any.
fn origin(origins: &[Option<Origin>; 3], list: List) -> Option<&Origin> {
    list_index(list).and_then(|k| origins[k].as_ref())
}

/// A record as `file:line`, or as `list[index]` when it has no line.
fn place(origins: &[Option<Origin>; 3], list: List, i: usize) -> String {
    match origin(origins, list).and_then(|o| Some((o, o.line(i)?))) {
        Some((o, line)) => format!("{}:{line}", o.file),
        None => format!("{}[{i}]", list.name()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    #[test]
    fn related_records_become_lines() {
        let o = Origin {
            file: "r.csv".into(),
            lines: vec![2, 3, 9],
            columns: BTreeMap::new(),
        };
        let origins = [Some(o), None, None];
        let e = InputError {
            worker_id: Some("W1".into()),
            field: "id".into(),
            message: "duplicate worker id, given 2 times; ids must be unique".into(),
            source: Some((List::Workers, 0)),
            related: vec![(List::Workers, 2), (List::Honours, 4)],
        };
        let p = locate(&origins, &e);
        assert_eq!((p.file.as_str(), p.line), ("r.csv", Some(2)));
        assert_eq!(
            p.message,
            "duplicate worker id, given 2 times; ids must be unique (also r.csv:9, honours[4])"
        );
    }
}
