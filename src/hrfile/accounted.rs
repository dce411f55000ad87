//! Every roster row accounted for: the rows that get no payslip, and why.
//!
//! The engine pays the workers employed on some day of the period and
//! leaves the others out. A clerk must see each row left out, so this lists
//! them (hired after the period, left before it), refuses a hire date so far
//! beyond the period that it is surely a typo (2062 for 2026), and warns
//! about grades, honours and changes given to a worker who is not paid.

use super::{FileProblem, Origins};
use crate::period::{YearMonth, parse_date, ymd};
use crate::run::packed::{RecordList, assessment, roster};
use crate::run::{Kind, Request};
use crate::worker::{AssessmentRecord, WorkerRecord};
use chrono::NaiveDate;
use std::collections::BTreeMap;

/// A roster row that gets no payslip in the period, and why.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct NotPaid {
    /// The worker's id.
    pub worker_id: String,
    /// The roster file.
    pub file: String,
    /// The row's line in the roster file, when read from a file.
    pub line: Option<usize>,
    /// The worker's name.
    pub name: String,
    /// The worker's unit.
    pub unit: String,
    /// `hired_after_period` or `left_before_period`.
    pub reason: &'static str,
    /// The reason in words, with the date.
    pub message: String,
}

impl NotPaid {
    /// `file:line` of the row (or the file alone).
    pub fn place(&self) -> String {
        match self.line {
            Some(l) => format!("{}:{l}", self.file),
            None => self.file.clone(),
        }
    }
}

/// How far after the period a hire date may lie before it is taken for a
/// typo rather than a future hire: a year.
const FUTURE_HIRE_DAYS: i64 = 366;

/// The first and last days of a run's period, if the period reads.
pub fn period_bounds(kind: Kind, period: &str) -> Option<(NaiveDate, NaiveDate)> {
    let p = super::normalize_period(period);
    match kind {
        Kind::Annual => {
            let y: i32 = p.parse().ok()?;
            Some((ymd(y, 1, 1)?, ymd(y, 12, 31)?))
        }
        Kind::Monthly => {
            let (y, m) = p.split_once('-')?;
            let ym = YearMonth::new(y.parse().ok()?, m.parse().ok()?)?;
            Some((ym.first_day(), ym.last_day()))
        }
    }
}

/// The roster rows of `request` not employed in its period, and the problems
/// that go with them: an error for a hire date more than a year after the
/// period, a warning for each grade or honour of the period given to a
/// worker who is not paid. Rows with dates that do not read are left to the
/// engine, which reports them.
///
/// The roster and the assessments are read from `workers` and
/// `assessments` (the request's own lists, or those packed beside it).
pub fn not_paid(
    request: &Request,
    workers: &dyn RecordList<WorkerRecord>,
    assessments: &dyn RecordList<AssessmentRecord>,
    origins: &Origins,
) -> (Vec<NotPaid>, Vec<FileProblem>) {
    let mut out = Vec::new();
    let mut problems = Vec::new();
    let Some((first, last)) = period_bounds(request.kind, &request.period) else {
        return (out, problems);
    };
    let origin = origins.workers.as_ref();
    let file = origin.map_or_else(|| "roster".to_string(), |o| o.file.clone());
    let column = |field: &str| origin.and_then(|o| o.columns.get(field).cloned());
    // Ids of rows paid in the period (or left to the engine to judge): a
    // worker with such a row is not listed as not paid.
    // (A flag per row, not a set of ids: nearly every row is paid, and the
    // ids are looked up only when some row is not.)
    let mut paid = vec![false; workers.count()];
    let mut absent: BTreeMap<String, usize> = BTreeMap::new();
    let field = |i: usize, k: usize| workers.text(i, k).unwrap_or_default();
    for (i, paid) in paid.iter_mut().enumerate() {
        // Only the dates are read for a row that is paid, the usual case.
        let Ok(hired) = parse_date(field(i, roster::HIRED_ON).trim()) else {
            *paid = true;
            continue;
        };
        let left = match workers
            .text(i, roster::LEFT_ON)
            .map(str::trim)
            .filter(|s| !s.is_empty())
        {
            Some(s) => match parse_date(s) {
                Ok(d) => Some(d),
                Err(_) => {
                    *paid = true;
                    continue;
                }
            },
            None => None,
        };
        if left.is_some_and(|l| l < hired) {
            // Left before hired: an error the engine reports.
            *paid = true;
            continue;
        }
        let line = origin.and_then(|o| o.line(i));
        let id = field(i, roster::ID);
        let (reason, message) = if hired > last {
            if (hired - last).num_days() > FUTURE_HIRE_DAYS {
                problems.push(FileProblem {
                    file: file.clone(),
                    line,
                    column: column("hired_on"),
                    worker_id: Some(id.to_string()),
                    field: Some("hired_on".into()),
                    message: format!(
                        "hire date {hired} is more than a year after the period {} (a mistyped year?); correct it, or leave the worker off this roster",
                        request.period
                    ),
                    warning: false,
                });
                absent.insert(id.to_string(), out.len());
                continue;
            }
            (
                "hired_after_period",
                format!("hired {hired}, after the period {}", request.period),
            )
        } else if let Some(l) = left.filter(|l| *l < first) {
            (
                "left_before_period",
                format!("left {l}, before the period {}", request.period),
            )
        } else {
            *paid = true;
            continue;
        };
        absent.insert(id.to_string(), out.len());
        out.push(NotPaid {
            worker_id: id.to_string(),
            file: file.clone(),
            line,
            name: field(i, roster::NAME).to_string(),
            unit: field(i, roster::UNIT).to_string(),
            reason,
            message,
        });
    }
    if absent.is_empty() {
        // Every row paid (or left to the engine): nothing more to look at.
        return (out, problems);
    }
    for (i, _) in paid.iter().enumerate().filter(|(_, p)| **p) {
        absent.remove(field(i, roster::ID));
    }
    out.retain(|n| absent.contains_key(&n.worker_id));
    let period = super::normalize_period(&request.period);
    if let Some(o) = origins.assessments.as_ref() {
        for i in 0..assessments.count() {
            let text = |k| assessments.text(i, k).unwrap_or_default();
            let id = text(assessment::WORKER_ID);
            if absent.contains_key(id) && super::normalize_period(text(assessment::PERIOD)) == period
            {
                problems.push(FileProblem {
                    file: o.file.clone(),
                    line: o.line(i),
                    column: o.columns.get("worker_id").cloned(),
                    worker_id: Some(id.to_string()),
                    field: Some("grade".into()),
                    message: format!(
                        "an assessment for {period} of a worker not employed in it (see the roster); it is not used"
                    ),
                    warning: true,
                });
            }
        }
    }
    if let Some(o) = origins.honours.as_ref() {
        for (i, h) in request.honours.iter().enumerate() {
            let in_period = parse_date(h.awarded_on.trim())
                .map(|d| d >= first && d <= last)
                .unwrap_or(false);
            if absent.contains_key(&h.worker_id) && in_period {
                problems.push(FileProblem {
                    file: o.file.clone(),
                    line: o.line(i),
                    column: o.columns.get("worker_id").cloned(),
                    worker_id: Some(h.worker_id.clone()),
                    field: Some("level".into()),
                    message: format!(
                        "an honour awarded in {} to a worker not employed in it (see the roster); it is not paid",
                        request.period
                    ),
                    warning: true,
                });
            }
        }
    }
    if let Some(o) = origins.changes.as_ref() {
        for (i, c) in request.changes.iter().enumerate() {
            let in_period = parse_date(c.on.trim())
                .map(|d| d >= first && d <= last)
                .unwrap_or(false);
            if absent.contains_key(&c.worker_id) && in_period {
                problems.push(FileProblem {
                    file: o.file.clone(),
                    line: o.line(i),
                    column: o.columns.get("worker_id").cloned(),
                    worker_id: Some(c.worker_id.clone()),
                    field: Some("on".into()),
                    message: format!(
                        "a change on {} of a worker not employed in {} (see the roster); it changes no pay",
                        c.on.trim(),
                        request.period
                    ),
                    warning: true,
                });
            }
        }
    }
    (out, problems)
}

/// The not-paid list as a JSON array (`not_paid` of the CLI's JSON output):
/// `worker_id`, `name`, `unit`, `reason`, `message`, `file`, `line`.
pub fn not_paid_json(list: &[NotPaid]) -> serde_json::Value {
    serde_json::Value::Array(
        list.iter()
            .map(|n| {
                serde_json::json!({
                    "worker_id": n.worker_id,
                    "name": n.name,
                    "unit": n.unit,
                    "reason": n.reason,
                    "message": n.message,
                    "file": n.file,
                    "line": n.line,
                })
            })
            .collect(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn period_bounds_of_month_and_year() {
        assert_eq!(
            period_bounds(Kind::Monthly, "2026-02"),
            Some((ymd(2026, 2, 1).unwrap(), ymd(2026, 2, 28).unwrap()))
        );
        assert_eq!(
            period_bounds(Kind::Annual, "2026"),
            Some((ymd(2026, 1, 1).unwrap(), ymd(2026, 12, 31).unwrap()))
        );
    }
}
