//! The request and response documents of a run: what a request holds, where
//! an input error points, why a request is refused, and the run's result.

use crate::policy::{Policy, PolicyError};
use crate::rules::correction::{Adjustment, AdjustmentRecord};
use crate::rules::payslip::{Context, LineCode, Payslip};
use crate::rules::quota::PoolReport;
use crate::rules::tax::{self, TaxRecord, YtdRecord};
use crate::worker::{AssessmentRecord, ChangeRecord, Honour, HonourRecord, Worker, WorkerRecord};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::fmt;

/// The kind of run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    /// Monthly pay for a `YYYY-MM`.
    Monthly,
    /// The annual bonus for a `YYYY`.
    Annual,
}

/// A run request: the JSON document `payrules run` reads.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Request {
    /// `monthly` or `annual`.
    pub kind: Kind,
    /// `YYYY-MM` for monthly, `YYYY` for annual.
    pub period: String,
    /// A policy as TOML text; absent means the one the caller supplies, or the built-in.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub policy: Option<String>,
    /// The roster.
    #[serde(default)]
    pub workers: Vec<WorkerRecord>,
    /// Assessments (other periods are ignored).
    #[serde(default)]
    pub assessments: Vec<AssessmentRecord>,
    /// Honours (paid in the month awarded, by monthly runs).
    #[serde(default)]
    pub honours: Vec<HonourRecord>,
    /// Gross to net: per-worker tax settings. A worker listed here or in
    /// `ytd` gets net-pay lines; without either list the response is as
    /// before, gross only.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tax: Vec<TaxRecord>,
    /// Gross to net: year-to-date states carried in (the `ytd` of the
    /// previous run's response).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub ytd: Vec<YtdRecord>,
    /// Monthly runs: corrections of past periods to pay this month as
    /// `arrears` or `recovery` lines (the `adjustments` of a `correction`
    /// response).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub adjustments: Vec<AdjustmentRecord>,
    /// Changes of position, title or unit, each effective from a day: a
    /// month in which one takes effect pays the fixed pay per part of the
    /// month; the unit on the policy's `quota.pool_day` is the worker's pool.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub changes: Vec<ChangeRecord>,
    /// Whether each payslip line carries its `rule` and `explain` text
    /// (default `true`). `false` gives lines of `code` and `amount` only:
    /// the same amounts, for bulk callers that do not show the reasons.
    #[serde(default = "yes", skip_serializing_if = "is_yes")]
    pub explain: bool,
}

fn yes() -> bool {
    true
}

fn is_yes(b: &bool) -> bool {
    *b
}

/// Which input list a record came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum List {
    /// `workers`.
    Workers,
    /// `assessments`.
    Assessments,
    /// `honours`.
    Honours,
    /// `tax`.
    Tax,
    /// `ytd`.
    Ytd,
    /// `adjustments`.
    Adjustments,
    /// `changes`.
    Changes,
}

impl List {
    /// The list's name in the request.
    pub fn name(self) -> &'static str {
        match self {
            List::Workers => "workers",
            List::Assessments => "assessments",
            List::Honours => "honours",
            List::Tax => "tax",
            List::Ytd => "ytd",
            List::Adjustments => "adjustments",
            List::Changes => "changes",
        }
    }
}

/// A problem with one input record. The run goes on without that worker.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct InputError {
    /// The worker concerned, when known.
    pub worker_id: Option<String>,
    /// The field at fault (`title`, `hired_on`, `grade`…).
    pub field: String,
    /// What was wrong and what was expected.
    pub message: String,
    /// The record: its list and index in the request (a file reader maps it to `file:line`).
    pub source: Option<(List, usize)>,
    /// Other records involved (the other copies of a duplicate), in input order.
    pub related: Vec<(List, usize)>,
}

impl fmt::Display for InputError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some((list, i)) = self.source {
            write!(f, "{}[{i}]: ", list.name())?;
        }
        if let Some(w) = &self.worker_id {
            write!(f, "worker {w}: ")?;
        }
        write!(f, "{}: {}", self.field, self.message)?;
        if !self.related.is_empty() {
            let also: Vec<String> = self
                .related
                .iter()
                .map(|(l, i)| format!("{}[{i}]", l.name()))
                .collect();
            let word = if self.source.is_some() { "also" } else { "see" };
            write!(f, " ({word} {})", also.join(", "))?;
        }
        Ok(())
    }
}

/// Something a run did that the caller should know about, though every
/// input was valid and the worker was paid: a deduction the pay could not
/// cover, a year-to-date state taken as the start of the year. Warnings do
/// not make a run incomplete.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Warning {
    /// The worker concerned.
    pub worker_id: String,
    /// The field concerned (`income_tax`, `contributions`, `ytd`…).
    pub field: String,
    /// What happened and what to do.
    pub message: String,
}

impl fmt::Display for Warning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "worker {}: {}: {}",
            self.worker_id, self.field, self.message
        )
    }
}

/// Why a request could not be run at all (exit code 1).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RequestError {
    /// Not JSON, or not a request document.
    #[error("request is not a valid run document: {0}")]
    Json(String),
    /// Bad `period`.
    #[error("period: {0}")]
    Period(String),
    /// The policy could not be read, or has no version for the period.
    #[error(transparent)]
    Policy(#[from] PolicyError),
    /// A what-if request's reform could not be read or applied.
    #[error(transparent)]
    Reform(#[from] crate::policy::ReformError),
}

/// Totals of a run.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Totals {
    /// Workers paid.
    pub workers: usize,
    /// Sum of gross pay.
    pub gross: Decimal,
    /// Sum per line code, for codes that occur.
    pub by_code: BTreeMap<LineCode, Decimal>,
    /// Sum of gross per unit.
    pub by_unit: BTreeMap<String, Decimal>,
}

/// What a run holds for the few of its workers that have any (their
/// honours): each worker's list by worker index, kept only for the workers
/// with some, so a run of a million workers with a handful of honours holds
/// a handful of lists, not a million empty ones.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ByWorker<T> {
    /// `(worker index, its list)`, by worker index, no list empty.
    lists: Vec<(usize, Vec<T>)>,
}

impl<T> Default for ByWorker<T> {
    fn default() -> Self {
        ByWorker { lists: Vec::new() }
    }
}

impl<T> ByWorker<T> {
    /// Worker `wi`'s list (empty when it has none).
    #[must_use]
    pub fn of(&self, wi: usize) -> &[T] {
        match self.lists.binary_search_by_key(&wi, |(w, _)| *w) {
            Ok(k) => &self.lists[k].1,
            Err(_) => &[],
        }
    }
    /// The workers with a list, by worker index.
    pub fn iter(&self) -> impl Iterator<Item = (usize, &[T])> {
        self.lists.iter().map(|(w, l)| (*w, l.as_slice()))
    }
    /// Whether no worker has a list.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.lists.is_empty()
    }
    /// The lists of `(worker index, item)` pairs: each worker's items in
    /// the order given.
    pub(crate) fn from_pairs(mut pairs: Vec<(usize, T)>) -> ByWorker<T> {
        pairs.sort_by_key(|(w, _)| *w);
        let mut lists: Vec<(usize, Vec<T>)> = Vec::new();
        for (w, item) in pairs {
            match lists.last_mut() {
                Some((last, l)) if *last == w => l.push(item),
                _ => lists.push((w, vec![item])),
            }
        }
        ByWorker { lists }
    }
}

/// The result of a run.
#[derive(Debug, Clone)]
pub struct Run {
    /// The policy version used.
    pub policy: Policy,
    /// Monthly or annual.
    pub kind: Kind,
    /// The period as written (`2026-11`, `2026`).
    pub period: String,
    /// Validated workers; payslips point into this list.
    pub workers: Vec<Worker>,
    /// Validated honours paid in the period, per worker index, with the
    /// honours of earlier months already paid for the same deeds (which the
    /// honour lines are net of, under `same_deed = "highest_only"`).
    pub honours: ByWorker<Honour>,
    /// Corrections of past periods paid, per worker index (empty when none);
    /// a recovery the pay did not allow in full holds the part recovered.
    pub adjustments: Vec<Vec<Adjustment>>,
    /// What is left of recoveries the pay did not allow in full, to recover
    /// in a later month (the response's `deferred`).
    pub deferred: Vec<Adjustment>,
    /// Payslips, sorted by worker id.
    pub payslips: Vec<Payslip>,
    /// Input errors, sorted by worker id, field and message.
    pub errors: Vec<InputError>,
    /// Warnings, sorted by worker id, field and message.
    pub warnings: Vec<Warning>,
    /// Quota pools (when grades came from scores or were checked).
    pub quota: Vec<PoolReport>,
    /// Totals.
    pub totals: Totals,
    /// Gross to net: per-payslip figures and the year-to-date states out.
    pub tax: tax::RunTax,
    /// Whether the JSON response gives each line's `rule` and `explain`
    /// (the request's `explain`; `true` unless it said `false`).
    pub explain: bool,
}

impl Run {
    /// Whether every input was valid and every employed worker paid.
    pub fn complete(&self) -> bool {
        self.errors.is_empty()
    }

    /// The rendering context of a payslip.
    pub fn with_context<R>(&self, slip: &Payslip, f: impl FnOnce(&Context) -> R) -> R {
        let honours: Vec<&Honour> = self.honours.of(slip.worker).iter().collect();
        let cx = Context {
            policy: &self.policy,
            worker: &self.workers[slip.worker],
            honours: &honours,
            pools: &self.quota,
            tax: self.tax.slips.get(slip.worker).and_then(Option::as_ref),
            adjustments: self.adjustments.get(slip.worker).map_or(&[], Vec::as_slice),
        };
        f(&cx)
    }

    /// The response document as JSON.
    pub fn to_json(&self) -> String {
        // Invariant: the response holds only strings, numbers, booleans, maps
        // with string keys and sequences, which serde_json always writes.
        serde_json::to_string_pretty(self).expect("response serialises")
    }
}

/// A serialised response and whether the run was complete.
#[derive(Debug, Clone)]
pub struct Response {
    /// The response document.
    pub json: String,
    /// `complete` in the document.
    pub complete: bool,
}
