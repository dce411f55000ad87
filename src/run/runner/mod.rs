//! Reading a request for one run: the worker records, the grades (given,
//! or by quota from scores), the honours and the tax inputs, each problem an
//! input error naming the worker, into a [`Prepared`] run.
//!
//! A [`Runner`] reads one list of the request at a time, in this order, each
//! in its own module:
//!
//! - `workers`: the roster of the period (ids checked, workers sorted by id);
//! - `changes`: changes of position, title or unit applied to it;
//! - `grades`: each worker's grade, given or by quota, and the quota caps;
//! - `honours`: the honours the run pays;
//! - `tax_inputs`: the `tax` and `ytd` lists;
//! - `adjustments`: corrections of past periods a monthly run pays.
//!
//! Every problem goes through [`Runner::error`], which marks the worker it
//! names as not paid; [`Runner::monthly`] and [`Runner::annual`] hand the
//! result over as a [`Prepared`] run that owns no part of the request.

mod adjustments;
mod changes;
mod grades;
mod honours;
mod tax_inputs;
mod workers;

use super::*;
use crate::policy::{Policy, PoolDay};
use crate::rules::correction::Adjustment;
use crate::rules::payslip::{GradeNote, Segment};
use crate::rules::quota::PoolReport;
use crate::rules::tax::{self, TaxPeriod};
use crate::worker::{Grade, Honour};
use chrono::NaiveDate;
use rust_decimal::Decimal;
use std::borrow::Cow;

/// A worker's assessment for the period as read: its index, its grade,
/// and its score as an index into the scores read ([`NO_SCORE`]: none).
/// 12 bytes a worker (an index and a grade, no `Decimal`): a run of a
/// million workers holds one each while it grades.
#[derive(Clone, Copy)]
pub(super) struct Given {
    pub(super) ai: u32,
    pub(super) score: u32,
    pub(super) grade: Option<Grade>,
}

/// [`Given::score`] of an assessment without a score.
pub(super) const NO_SCORE: u32 = u32::MAX;

/// A worker's grade for the period, once decided.
#[derive(Clone, Copy)]
pub(super) enum Decided {
    Grade(Grade, GradeNote),
    Bad,
}

/// Every validated worker's [`Decided`] grade, 8 bytes a worker: the notes
/// of grades assigned by quota (16 bytes) are kept aside, for the workers
/// that have one.
pub(super) struct Decisions {
    slots: Vec<Slot>,
    quota: Vec<GradeNote>,
}

#[derive(Clone, Copy)]
enum Slot {
    Bad,
    Given(Grade),
    Missing(Grade),
    Probation(Grade, NaiveDate),
    /// The index of its note in [`Decisions::quota`].
    Quota(Grade, u32),
}

impl Decisions {
    /// `n` workers, none decided (all [`Decided::Bad`]).
    pub(super) fn new(n: usize) -> Decisions {
        Decisions {
            slots: vec![Slot::Bad; n],
            quota: Vec::new(),
        }
    }
    /// Worker `wi`'s grade.
    pub(super) fn get(&self, wi: usize) -> Decided {
        match self.slots[wi] {
            Slot::Bad => Decided::Bad,
            Slot::Given(g) => Decided::Grade(g, GradeNote::Given),
            Slot::Missing(g) => Decided::Grade(g, GradeNote::Missing),
            Slot::Probation(g, d) => Decided::Grade(g, GradeNote::Probation(d)),
            Slot::Quota(g, k) => Decided::Grade(g, self.quota[k as usize]),
        }
    }
    /// Sets worker `wi`'s grade.
    pub(super) fn set(&mut self, wi: usize, d: Decided) {
        self.slots[wi] = match d {
            Decided::Bad => Slot::Bad,
            Decided::Grade(g, GradeNote::Given) => Slot::Given(g),
            Decided::Grade(g, GradeNote::Missing) => Slot::Missing(g),
            Decided::Grade(g, GradeNote::Probation(d)) => Slot::Probation(g, d),
            Decided::Grade(g, note @ GradeNote::Quota { .. }) => {
                let k = match self.slots[wi] {
                    Slot::Quota(_, k) => {
                        self.quota[k as usize] = note;
                        k
                    }
                    _ => {
                        self.quota.push(note);
                        // Invariant: fewer than 2^32 workers (a request or
                        // file is at most 1 GiB).
                        (self.quota.len() - 1) as u32
                    }
                };
                Slot::Quota(g, k)
            }
        };
    }
    /// Every worker's grade, in worker order.
    pub(super) fn iter(&self) -> impl Iterator<Item = Decided> + '_ {
        (0..self.slots.len()).map(|wi| self.get(wi))
    }
}

/// One run's inputs being read: the request, the roster read so far, and
/// the errors and warnings found.
pub(super) struct Runner<'a, 'w, 'p> {
    policy: &'p Policy,
    req: &'a Request,
    /// The request's assessments (its own, or packed beside it), until
    /// the grades are read from them.
    assessments: Assessments<'a>,
    /// The assessments that may concern the run, when known; else all.
    among: Option<&'a [usize]>,
    /// The period as written in the request.
    period: String,
    first: NaiveDate,
    last: NaiveDate,
    errors: Vec<InputError>,
    warnings: Vec<Warning>,
    /// Validated employed workers with their record index, sorted by id.
    workers: Vec<(Cow<'w, Worker>, usize)>,
    /// Per validated worker: whether any input naming it had an error, so it is not paid.
    bad: Vec<bool>,
    /// Ids of the worker records not validated (invalid, not employed or
    /// doubled), sorted, for look-ups of ids in the roster.
    others: Vec<CompactString>,
    /// Where the last look-up by id landed, to make in-order look-ups O(1).
    hint: usize,
    /// Quota pools of the graded workers.
    quota: Vec<PoolReport>,
}

impl<'a, 'w, 'p> Runner<'a, 'w, 'p> {
    pub(super) fn new(
        policy: &'p Policy,
        req: &'a Request,
        records: Records<'a, 'w>,
        assessments: Assessments<'a>,
        among: Option<&'a [usize]>,
        period: &str,
        (first, last): (NaiveDate, NaiveDate),
    ) -> Self {
        let mut r = Runner {
            policy,
            req,
            assessments,
            among,
            period: period.to_string(),
            first,
            last,
            errors: Vec::new(),
            warnings: Vec::new(),
            workers: Vec::new(),
            bad: Vec::new(),
            others: Vec::new(),
            hint: 0,
            quota: Vec::new(),
        };
        r.read_workers(records);
        r
    }

    fn error(
        &mut self,
        worker_id: Option<&str>,
        field: &str,
        message: String,
        source: (List, usize),
    ) {
        if let Some(Ok(i)) =
            worker_id.map(|w| self.workers.binary_search_by(|(x, _)| x.id.as_str().cmp(w)))
        {
            self.bad[i] = true;
        }
        self.errors.push(InputError {
            worker_id: worker_id.map(str::to_string),
            field: field.to_string(),
            message,
            source: Some(source),
            related: Vec::new(),
        });
    }

    /// Whether any worker record has this id (validated or not).
    fn known(&self, id: &str) -> bool {
        self.workers
            .binary_search_by(|(w, _)| w.id.as_str().cmp(id))
            .is_ok()
            || self.others.binary_search_by(|o| o.as_str().cmp(id)).is_ok()
    }

    /// The worker index for an id among validated workers, or an error
    /// recorded when the id is not in the roster at all.
    fn find(&mut self, id: &str, src: (List, usize)) -> Option<usize> {
        // Inputs are often in roster order: try the next worker first.
        let next = self.hint + 1;
        if self.workers.get(next).is_some_and(|(w, _)| w.id == id) {
            self.hint = next;
            return Some(next);
        }
        match self
            .workers
            .binary_search_by(|(w, _)| w.id.as_str().cmp(id))
        {
            Ok(i) => {
                self.hint = i;
                Some(i)
            }
            Err(_) => {
                if !self.known(id) {
                    let msg = format!("no worker {id:?} in the roster");
                    self.error(Some(id), "worker_id", msg, src);
                }
                None
            }
        }
    }

    /// Hands over everything the payslips need, keeping nothing of the request.
    fn prepared(
        mut self,
        at: TaxPeriod,
        decided: Decisions,
        honours: ByWorker<Honour>,
        inputs: tax::Inputs,
        adjustments: Vec<Vec<Adjustment>>,
    ) -> Prepared<'w, 'p> {
        self.errors.sort();
        self.errors.dedup();
        Prepared {
            policy: self.policy,
            period: self.period.clone(),
            at,
            workers: self.workers,
            bad: self.bad,
            errors: self.errors,
            warnings: self.warnings,
            quota: self.quota,
            decided,
            honours,
            inputs,
            adjustments,
            segments: Vec::new(),
        }
    }

    pub(super) fn monthly(mut self, month: YearMonth) -> Prepared<'w, 'p> {
        let pool_day = match self.policy.quota.pool_day {
            PoolDay::LastDay => month.last_day(),
            PoolDay::FirstDay => month.first_day(),
        };
        let segments = self.changes(pool_day, true);
        let period = month.to_string();
        let decided = self.grades(|p| assessment_period_is(p, &period), &period);
        let honours = self.honours(Some(month));
        let at = TaxPeriod::Month(month);
        let inputs = self.tax_inputs(at);
        let adjustments = self.adjustments(Some(month));
        let mut prepared = self.prepared(at, decided, honours, inputs, adjustments);
        prepared.segments = segments;
        prepared
    }

    pub(super) fn annual(mut self, year: Year) -> Prepared<'w, 'p> {
        // The annual bonus goes with the unit at the year's end.
        self.changes(year.last_day(), false);
        let period = year.to_string();
        let decided = self.grades(|p| assessment_period_is(p, &period), &period);
        let honours = self.honours(None);
        let at = TaxPeriod::Year(year);
        let inputs = self.tax_inputs(at);
        let adjustments = self.adjustments(None);
        self.prepared(at, decided, honours, inputs, adjustments)
    }
}

/// A run whose inputs are read and validated: everything the payslips need,
/// owning no part of the request.
pub(super) struct Prepared<'w, 'p> {
    pub(super) policy: &'p Policy,
    pub(super) period: String,
    pub(super) at: TaxPeriod,
    /// Validated employed workers, sorted by id, with their record indices.
    pub(super) workers: Vec<(Cow<'w, Worker>, usize)>,
    pub(super) bad: Vec<bool>,
    pub(super) errors: Vec<InputError>,
    pub(super) warnings: Vec<Warning>,
    pub(super) quota: Vec<PoolReport>,
    pub(super) decided: Decisions,
    pub(super) honours: ByWorker<Honour>,
    pub(super) inputs: tax::Inputs,
    /// Per validated worker: corrections paid this month (empty when none).
    pub(super) adjustments: Vec<Vec<Adjustment>>,
    /// The segments of a month of the validated workers whose position or
    /// title changes in it, by worker index, ascending.
    pub(super) segments: Vec<(usize, Vec<Segment>)>,
}

/// Whether an assessment's `period` is the run's (`run_period`, written
/// canonically as `YYYY-MM` or `YYYY`). Another valid month or year is not an
/// error (a file may hold a whole year of assessments); anything else is.
/// The common cases are decided by comparing text, without making dates.
pub(super) fn assessment_period_is(p: &str, run_period: &str) -> Result<bool, String> {
    if p == run_period {
        return Ok(true);
    }
    let b = p.as_bytes();
    let digits = |r: std::ops::Range<usize>| b[r].iter().all(u8::is_ascii_digit);
    let other_month = b.len() == 7
        && b[4] == b'-'
        && digits(0..4)
        && &p[..4] != "0000"
        && digits(5..7)
        && (b"01"..=b"12").contains(&&[b[5], b[6]]);
    let other_year = b.len() == 4 && digits(0..4) && p != "0000";
    if other_month || other_year {
        return Ok(false);
    }
    // Not canonical: a month or year spelt another way is an error too.
    match (p.parse::<YearMonth>(), p.parse::<Year>()) {
        (Err(e), Err(_)) => Err(e.to_string()),
        _ => Err(format!("{p:?} is not written as YYYY-MM or YYYY")),
    }
}
