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
use crate::worker::{AssessmentRecord, Grade, Honour};
use super::packed::RecordList;
use chrono::NaiveDate;
use rust_decimal::Decimal;
use std::borrow::Cow;

/// An assessment as read: its index, grade and score.
pub(super) type Given = (usize, Option<Grade>, Option<Decimal>);

/// A worker's grade for the period, once decided.
#[derive(Clone, Copy)]
pub(super) enum Decided {
    Grade(Grade, GradeNote),
    Bad,
}

/// One run's inputs being read: the request, the roster read so far, and
/// the errors and warnings found.
pub(super) struct Runner<'a, 'w, 'p> {
    policy: &'p Policy,
    req: &'a Request,
    /// The request's assessments (its own, or packed beside it).
    assessments: &'a dyn RecordList<AssessmentRecord>,
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
        assessments: &'a dyn RecordList<AssessmentRecord>,
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
        decided: Vec<Decided>,
        honours: Vec<Vec<Honour>>,
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
    pub(super) decided: Vec<Decided>,
    pub(super) honours: Vec<Vec<Honour>>,
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
