//! Where an engine error came from, in the HR files' terms: the engine
//! names a record by its list and index; this module turns each into
//! `file:line` (and column) from the origins recorded while reading.

use super::{FileProblem, Origin, Origins, tax_origin};
use crate::run::{InputError, List};

/// An engine error as a problem naming the file, line and column. The
/// engine's error carries its record as data (list and index, and the other
/// records involved); each becomes `file:line` here, or `list[index]` for a
/// list read from no file.
pub fn locate(origins: &Origins, e: &InputError) -> FileProblem {
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
        // A record's error lists the others involved as "also"; an error of
        // no one record (a quota pool) lists the records it concerns.
        let word = if e.source.is_some() { "also" } else { "see" };
        p.message = format!("{} ({word} {})", p.message, also.join(", "));
    }
    if let Some((list, i)) = e.source {
        match origin(origins, list, i) {
            Some((o, k)) => {
                p.file = o.file.clone();
                p.line = o.line(k);
                p.column = column(o, &e.field);
            }
            None => p.file = format!("{}[{i}]", list.name()),
        }
    }
    p
}

/// The column of a field: tax fields are named `tax.housing_fund_rate` by
/// the engine, and a roster names its worker id `id`.
fn column(o: &Origin, field: &str) -> Option<String> {
    let key = field.strip_prefix("tax.").unwrap_or(field);
    o.columns
        .get(key)
        .or_else(|| (key == "worker_id").then(|| o.columns.get("id")).flatten())
        .cloned()
}

/// The file record `i` of a list was read from, if any, and its index
/// there; the ytd list has no file.
fn origin(origins: &Origins, list: List, i: usize) -> Option<(&Origin, usize)> {
    let one = match list {
        List::Workers => &origins.workers,
        List::Assessments => &origins.assessments,
        List::Honours => &origins.honours,
        List::Changes => &origins.changes,
        List::Tax => return tax_origin(&origins.tax, i),
        List::Ytd | List::Adjustments => return None,
    };
    one.as_ref().map(|o| (o, i))
}

/// A record as `file:line`, or as `list[index]` when it has no line.
fn place(origins: &Origins, list: List, i: usize) -> String {
    match origin(origins, list, i).and_then(|(o, k)| Some((o, o.line(k)?))) {
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
            lines: vec![2, 3, 9].into(),
            columns: BTreeMap::new(),
        };
        let origins = Origins {
            workers: Some(o),
            ..Origins::default()
        };
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

    #[test]
    fn tax_records_from_roster_and_file_keep_their_lines() {
        let part = |file: &str, lines: Vec<u32>, id: &'static str| Origin {
            file: file.into(),
            lines: lines.into(),
            columns: [
                (id, "1".to_string()),
                ("housing_fund_rate", "C".to_string()),
            ]
            .into_iter()
            .collect(),
        };
        let origins = Origins {
            tax: vec![
                part("r.xlsx", vec![2, 5], "id"),
                part("t.csv", vec![3], "worker_id"),
            ],
            ..Origins::default()
        };
        let e = |i: usize, field: &str| InputError {
            worker_id: Some("W1".into()),
            field: field.into(),
            message: "m".into(),
            source: Some((List::Tax, i)),
            related: vec![],
        };
        let p = locate(&origins, &e(1, "tax.housing_fund_rate"));
        assert_eq!(
            (p.file.as_str(), p.line, p.column.as_deref()),
            ("r.xlsx", Some(5), Some("C"))
        );
        let p = locate(&origins, &e(0, "worker_id"));
        assert_eq!(
            (p.file.as_str(), p.line, p.column.as_deref()),
            ("r.xlsx", Some(2), Some("1"))
        );
        let p = locate(&origins, &e(2, "worker_id"));
        assert_eq!(
            (p.file.as_str(), p.line, p.column.as_deref()),
            ("t.csv", Some(3), Some("1"))
        );
        let p = locate(&Origins::default(), &e(2, "tax"));
        assert_eq!((p.file.as_str(), p.line), ("tax[2]", None));
    }
}
