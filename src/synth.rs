//! Deterministic synthetic populations, for benchmarks and property tests.
//!
//! Not a random sample of anything real: a fixed mix of positions, titles,
//! grades and partial months so that runs over large populations exercise
//! every path.

use compact_str::{CompactString, format_compact};
use crate::period::YearMonth;
use crate::run::{Kind, Request};
use crate::worker::{AssessmentRecord, WorkerRecord};

/// A monthly request for `n` workers in units of 10, with mixed positions
/// and titles, 5% partial months (hired or leaving mid-month), and grades
/// within the built-in quotas (per 10: 2 excellent, 6 good, 1 pass, 1 fail).
pub fn monthly_request(n: usize, month: YearMonth) -> Request {
    const POSITIONS: [&str; 3] = [
        "community_worker",
        "community_secretary",
        "career_secretary",
    ];
    const TITLES: [&str; 4] = [
        "none",
        "assistant_social_worker",
        "social_worker",
        "senior_social_worker",
    ];
    const GRADES: [&str; 10] = [
        "excellent",
        "excellent",
        "good",
        "good",
        "good",
        "good",
        "good",
        "good",
        "pass",
        "fail",
    ];
    let mut workers = Vec::with_capacity(n);
    let mut assessments = Vec::with_capacity(n);
    let (y, m) = (month.year(), month.month());
    for i in 0..n {
        let id = format_compact!("W{i:07}");
        let partial = i % 20 == 7;
        let (hired_on, left_on) = match (partial, i % 40 == 7) {
            (true, true) => (format_compact!("{y:04}-{m:02}-11"), None),
            (true, false) => (CompactString::const_new("2019-05-01"), Some(format_compact!("{y:04}-{m:02}-20"))),
            _ => (format_compact!("{:04}-03-01", 2010 + i % 12), None),
        };
        workers.push(WorkerRecord {
            id: id.clone(),
            name: format_compact!("社工{i}"),
            unit: format_compact!("社区{:05}", i / 10),
            position: POSITIONS[if i % 10 == 0 { 1 + i % 2 } else { 0 }].into(),
            title: TITLES[i % 4].into(),
            hired_on,
            left_on,
            probation_until: None,
        });
        assessments.push(AssessmentRecord {
            worker_id: id,
            period: format_compact!("{month}"),
            grade: Some(GRADES[(i * 7) % 10].into()),
            score: None,
        });
    }
    Request {
        kind: Kind::Monthly,
        period: month.to_string(),
        policy: None,
        workers,
        assessments,
        honours: Vec::new(),
        tax: Vec::new(),
        ytd: Vec::new(),
        adjustments: Vec::new(),
        changes: Vec::new(),
        explain: true,
    }
}

/// [`monthly_request`] with one change for 5% of the workers (every
/// twentieth, none of them hired or leaving in the month): a new title from
/// the 16th, or, for half of them, a transfer to another unit from the
/// 10th, in pairs that swap units so that every unit stays within its grade
/// quotas (the run is complete, as without changes).
pub fn monthly_request_with_changes(n: usize, month: YearMonth) -> Request {
    let mut req = monthly_request(n, month);
    let (y, m) = (month.year(), month.month());
    req.changes = (0..n)
        .filter(|i| i % 20 == 3)
        .map(|i| {
            let mut c = crate::worker::ChangeRecord {
                worker_id: req.workers[i].id.to_string(),
                ..Default::default()
            };
            // Transfers come in pairs, twenty workers apart (same grade, as
            // grades repeat every ten): each unit keeps ten workers and its
            // grades, so the quotas hold as they do without changes.
            let swap = match i % 80 {
                3 if i + 20 < n => Some(i + 20),
                23 => Some(i - 20),
                _ => None,
            };
            if let Some(j) = swap {
                c.on = format!("{y:04}-{m:02}-10");
                c.unit = Some(format!("社区{:05}", j / 10));
            } else {
                c.on = format!("{y:04}-{m:02}-16");
                c.title = Some("social_worker".into());
            }
            c
        })
        .collect();
    req
}
