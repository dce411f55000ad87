//! Grades from a scores file under the quota rule (`payrules grade`), and
//! checks of a grades file HR decided (`payrules check-grades`).
//!
//! The ranking and the caps are [`crate::rules::quota`]'s; this module reads the
//! files, joins them to the roster and reports every problem with its line.

use super::table::Input;
use super::{
    FileProblem, GRADES, Progress, ReadOptions, SCORES, Sheet, normalize_date, read_sheet,
};
use crate::period::{Year, YearMonth, parse_date};
use crate::policy::{Policy, PolicySet};
use crate::rules::quota::{self, Candidate, PoolReport};
use crate::worker::{Grade, WorkerRecord};
use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::Serialize;
use std::collections::{BTreeSet, HashMap};

/// A row of a scores file.
#[derive(Debug, Clone)]
pub struct ScoreRow {
    /// Worker id.
    pub worker_id: String,
    /// Unit, if given.
    pub unit: String,
    /// Score as written.
    pub score: String,
    /// Period, if the file has that column.
    pub period: Option<String>,
}

/// A row of a grades file.
#[derive(Debug, Clone)]
pub struct GradeRow {
    /// Worker id.
    pub worker_id: String,
    /// Unit, if given.
    pub unit: String,
    /// Grade as written.
    pub grade: String,
    /// Period, if the file has that column.
    pub period: Option<String>,
}

/// Reads a scores file (`worker_id`, `unit`, `score`, optional `period`).
pub fn read_scores(
    file: &str,
    input: impl Into<Input>,
    opts: &ReadOptions,
    progress: Progress,
) -> Result<Sheet<Vec<ScoreRow>>, Vec<FileProblem>> {
    read_sheet(file, input, opts, SCORES, "scores", progress, |r| {
        ScoreRow {
            worker_id: r.get(0),
            unit: r.get(1),
            score: r.get(2),
            period: r.opt(3),
        }
    })
}

/// Reads a grades file (`worker_id`, `unit`, `grade`, optional `period`).
pub fn read_grades(
    file: &str,
    input: impl Into<Input>,
    opts: &ReadOptions,
    progress: Progress,
) -> Result<Sheet<Vec<GradeRow>>, Vec<FileProblem>> {
    read_sheet(file, input, opts, GRADES, "grades", progress, |r| {
        GradeRow {
            worker_id: r.get(0),
            unit: r.get(1),
            grade: r.get(2),
            period: r.opt(3),
        }
    })
}

/// The policy version in force for a period `YYYY-MM` or `YYYY`.
pub fn policy_for<'a>(set: &'a PolicySet, period: &str) -> Result<&'a Policy, String> {
    let first = match period.parse::<YearMonth>() {
        Ok(m) => m.first_day(),
        Err(_) => period
            .parse::<Year>()
            .map_err(|_| {
                format!("--period {period:?}: write YYYY-MM for a month or YYYY for a year")
            })?
            .first_day(),
    };
    set.version_on(first).map_err(|e| e.to_string())
}

/// One graded worker.
#[derive(Debug, Clone, Serialize)]
pub struct GradedRow {
    /// Worker id.
    pub worker_id: String,
    /// Unit.
    pub unit: String,
    /// Score.
    pub score: String,
    /// Rank in the pool (1 = best).
    pub rank: u32,
    /// Grade assigned.
    pub grade: Grade,
}

/// The result of grading a scores file.
#[derive(Debug, Clone, Default)]
pub struct Graded {
    /// Graded workers, by pool, rank and id.
    pub rows: Vec<GradedRow>,
    /// Quota position per pool.
    pub pools: Vec<PoolReport>,
    /// Every problem found; grading is only trustworthy when empty.
    pub problems: Vec<FileProblem>,
    /// Notes for the user (how ties were broken without a roster).
    pub notes: Vec<String>,
}

/// What the roster says about a worker.
struct RosterInfo<'a> {
    by_id: HashMap<&'a str, &'a WorkerRecord>,
    units: BTreeSet<&'a str>,
}

fn roster_info(roster: &Sheet<Vec<WorkerRecord>>) -> RosterInfo<'_> {
    RosterInfo {
        by_id: roster.records.iter().map(|w| (w.id.as_str(), w)).collect(),
        units: roster.records.iter().map(|w| w.unit.as_str()).collect(),
    }
}

/// Joins rows to the roster: the unit (and hire date) of each row of the
/// period, or a problem. `None` rows are skipped (another period) or bad.
struct Join<'a, 'r> {
    file: &'a str,
    period: &'a str,
    origin: &'a super::Origin,
    roster: Option<&'a RosterInfo<'r>>,
    problems: Vec<FileProblem>,
    seen: HashMap<String, usize>,
}

impl<'a, 'r> Join<'a, 'r> {
    /// Starts joining a sheet's rows to the roster, keeping the sheet's own
    /// (non-warning) problems.
    fn new(
        period: &'a str,
        origin: &'a super::Origin,
        problems: &[FileProblem],
        roster: Option<&'a RosterInfo<'r>>,
    ) -> Self {
        Join {
            file: &origin.file,
            period,
            origin,
            roster,
            problems: problems.iter().filter(|p| !p.warning).cloned().collect(),
            seen: HashMap::new(),
        }
    }

    fn problem(&mut self, i: usize, id: &str, field: &str, message: String) {
        self.problems.push(FileProblem {
            file: self.file.to_string(),
            line: self.origin.line(i),
            column: self.origin.columns.get(field).cloned(),
            worker_id: (!id.is_empty()).then(|| id.to_string()),
            field: Some(field.to_string()),
            message,
            warning: false,
        });
    }

    /// The unit and hire date of row `i`, or `None` (skipped or bad).
    fn row(
        &mut self,
        i: usize,
        id: &str,
        unit: &str,
        period: Option<&str>,
    ) -> Option<(String, Option<NaiveDate>)> {
        if let Some(p) = period
            && p != self.period
        {
            if p.parse::<YearMonth>().is_err() && p.parse::<Year>().is_err() {
                self.problem(
                    i,
                    id,
                    "period",
                    format!("{p:?} is not a period; write YYYY-MM or YYYY"),
                );
            }
            return None;
        }
        if id.is_empty() {
            self.problem(
                i,
                id,
                "worker_id",
                "empty worker id; every row needs one (工号)".into(),
            );
            return None;
        }
        if let Some(first) = self.seen.get(id).copied() {
            let at = self
                .origin
                .line(first)
                .map_or_else(String::new, |l| format!(" (also {}:{l})", self.file));
            self.problem(
                i,
                id,
                "worker_id",
                format!(
                    "worker listed twice for {}{at}; keep one row per worker and period",
                    self.period
                ),
            );
            return None;
        }
        self.seen.insert(id.to_string(), i);
        match self.roster {
            None => {
                if unit.is_empty() {
                    self.problem(
                        i,
                        id,
                        "unit",
                        "no unit; give a unit column (社区/单位) or --roster so the pool is known"
                            .into(),
                    );
                    return None;
                }
                Some((unit.to_string(), None))
            }
            Some(r) => {
                if !unit.is_empty() && !r.units.contains(unit) {
                    let some: Vec<&str> = r.units.iter().take(8).copied().collect();
                    self.problem(
                        i,
                        id,
                        "unit",
                        format!(
                            "pool {unit:?} is not a unit of the roster (it has {} units: {}{})",
                            r.units.len(),
                            some.join(", "),
                            if r.units.len() > 8 { ", …" } else { "" }
                        ),
                    );
                    return None;
                }
                let Some(w) = r.by_id.get(id) else {
                    self.problem(
                        i,
                        id,
                        "worker_id",
                        format!("no worker {id:?} in the roster"),
                    );
                    return None;
                };
                if !unit.is_empty() && unit != w.unit {
                    self.problem(
                        i,
                        id,
                        "unit",
                        format!(
                            "unit {unit:?} here but {:?} in the roster; make them agree",
                            w.unit
                        ),
                    );
                    return None;
                }
                match parse_date(&normalize_date(&w.hired_on)) {
                    Ok(d) => Some((w.unit.to_string(), Some(d))),
                    Err(e) => {
                        self.problem(i, id, "hired_on", format!("in the roster: {e}"));
                        None
                    }
                }
            }
        }
    }
}

/// Grades the scores of `period` under the policy's quota rule.
///
/// Seniority tie-breaks use `hired_on` from the roster; without a roster all
/// hire dates count as equal, so ties fall to the worker id (and a note says so).
pub fn grade(
    policy: &Policy,
    period: &str,
    scores: &Sheet<Vec<ScoreRow>>,
    roster: Option<&Sheet<Vec<WorkerRecord>>>,
) -> Graded {
    let info = roster.map(roster_info);
    let mut join = Join::new(period, &scores.origin, &scores.problems, info.as_ref());
    let rule = &policy.quota;
    let mut ok: Vec<(usize, String, Decimal, NaiveDate)> = Vec::new();
    let equal = NaiveDate::default();
    for (i, s) in scores.records.iter().enumerate() {
        let Some((unit, hired)) = join.row(i, &s.worker_id, &s.unit, s.period.as_deref()) else {
            continue;
        };
        match quota::parse_score(rule, &s.score) {
            Ok(d) => ok.push((i, unit, d, hired.unwrap_or(equal))),
            Err(e) => join.problem(i, &s.worker_id, "score", e),
        }
    }
    let mut notes = Vec::new();
    if roster.is_none() && rule.ties == crate::policy::Ties::Seniority {
        notes.push(
            "no --roster: hire dates are unknown and count as equal, so tied scores are ordered by worker id; give --roster to break ties by seniority".to_string(),
        );
    }
    // Not the run's builder (`run`'s grades, over validated workers): here a
    // candidate is a scores-file row, its unit from the roster or the row
    // and its hire date from the roster, every date equal without one.
    // Only `quota::assign` and the `Candidate` shape are shared.
    let cands: Vec<Candidate> = ok
        .iter()
        .map(|(i, unit, score, hired)| Candidate {
            id: &scores.records[*i].worker_id,
            pool: unit,
            score: *score,
            hired_on: *hired,
        })
        .collect();
    let (assigned, pools) = quota::assign(rule, &cands);
    let mut rows: Vec<(u32, GradedRow)> = cands
        .iter()
        .zip(&assigned)
        .map(|(c, a)| {
            (
                a.pool,
                GradedRow {
                    worker_id: c.id.to_string(),
                    unit: c.pool.to_string(),
                    score: c.score.normalize().to_string(),
                    rank: a.rank,
                    grade: a.grade,
                },
            )
        })
        .collect();
    rows.sort_by(|(pa, a), (pb, b)| {
        pa.cmp(pb)
            .then(a.rank.cmp(&b.rank))
            .then(a.worker_id.cmp(&b.worker_id))
    });
    Graded {
        rows: rows.into_iter().map(|(_, r)| r).collect(),
        pools,
        problems: join.problems,
        notes,
    }
}

/// Checks the grades of `period` against the caps: the pool reports, and
/// every problem (bad rows and each cap exceeded).
pub fn check(
    policy: &Policy,
    period: &str,
    grades: &Sheet<Vec<GradeRow>>,
    roster: Option<&Sheet<Vec<WorkerRecord>>>,
) -> (Vec<PoolReport>, Vec<FileProblem>) {
    let info = roster.map(roster_info);
    let mut join = Join::new(period, &grades.origin, &grades.problems, info.as_ref());
    let mut ok: Vec<(String, Grade)> = Vec::new();
    for (i, g) in grades.records.iter().enumerate() {
        let Some((unit, _)) = join.row(i, &g.worker_id, &g.unit, g.period.as_deref()) else {
            continue;
        };
        match g.grade.parse::<Grade>() {
            Ok(grade) => ok.push((unit, grade)),
            Err(e) => join.problem(i, &g.worker_id, "grade", e.to_string()),
        }
    }
    let pools = quota::check(&policy.quota, ok.iter().map(|(u, g)| (u.as_str(), *g)));
    let mut problems = join.problems;
    for p in &pools {
        for (grade, used, allowed) in p.violations() {
            problems.push(FileProblem {
                file: grades.origin.file.clone(),
                line: None,
                column: None,
                worker_id: None,
                field: Some("grade".into()),
                message: format!(
                    "pool {}: {used} {grade} grades for {} graded workers, {allowed} allowed by policy {} §quota.{grade} ({} of the graded headcount, rounded {}); {} over the cap",
                    p.pool,
                    p.graded,
                    policy.cite(),
                    match grade {
                        Grade::Excellent => policy.quota.excellent,
                        _ => policy.quota.good,
                    }
                    .normalize(),
                    match policy.quota.rounding {
                        crate::policy::QuotaRounding::Floor => "down",
                        crate::policy::QuotaRounding::Ceil => "up",
                        crate::policy::QuotaRounding::HalfUp => "half up",
                    },
                    used - allowed
                ),
                warning: false,
            });
        }
    }
    (pools, problems)
}
