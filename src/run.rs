//! A whole run: read a request, validate every input, grade, compute the
//! payslips, collect the errors and totals, and write the response.
//!
//! The JSON documents here are the ones every face uses: `payrules run`, the
//! C function `payrules_run_json` and Python's `payrules.run`.
//!
//! ```
//! use payrules::run::{run_json, Request};
//!
//! let request = r#"{
//!   "kind": "monthly", "period": "2026-11",
//!   "workers": [{"id": "W001", "name": "林晓", "unit": "温泉社区", "position": "社区工作者",
//!                "title": "社会工作师", "hired_on": "2020-03-01"}],
//!   "assessments": [{"worker_id": "W001", "period": "2026-11", "grade": "合格"}]
//! }"#;
//! let response = run_json(request.as_bytes(), None).unwrap();
//! let v: serde_json::Value = serde_json::from_str(&response.json).unwrap();
//! assert_eq!(v["complete"], true);
//! // 2200 + 600 + 300 + 400 + 900 (one worker alone in a pool: 20% of 1 rounds down to no excellent slot)
//! assert_eq!(v["payslips"][0]["gross"], "4400.00");
//! assert_eq!(v["payslips"][0]["lines"][4]["explain"], "grade pass → 900.00");
//! ```

use crate::money::{Amount, FenSum};
use crate::payslip::{self, Context, GradeNote, Line, LineCode, Payslip};
use crate::period::{Year, YearMonth, parse_date};
use crate::policy::{Missing, Policy, PolicyError, PolicySet};
use crate::quota::{self, Candidate, PoolReport};
use crate::tax::{self, TaxPeriod, TaxRecord, YtdRecord};
use crate::worker::{
    AssessmentRecord, Grade, Honour, HonourLevel, HonourRecord, Worker, WorkerRecord,
};
use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::ser::{SerializeMap, SerializeStruct};
use serde::{Deserialize, Serialize, Serializer};
use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap};
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
            write!(f, " (also {})", also.join(", "))?;
        }
        Ok(())
    }
}

impl Serialize for InputError {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut st = s.serialize_struct("InputError", 3)?;
        st.serialize_field("worker_id", &self.worker_id)?;
        st.serialize_field("field", &self.field)?;
        // The record's position is left out so that the response does not
        // depend on input order; `Display` and the file readers show it.
        st.serialize_field("message", &self.message)?;
        st.end()
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
    Reform(#[from] crate::reform::ReformError),
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
    /// Validated honours paid in the period, per worker index.
    pub honours: Vec<Vec<Honour>>,
    /// Payslips, sorted by worker id.
    pub payslips: Vec<Payslip>,
    /// Input errors, sorted by worker id, field and message.
    pub errors: Vec<InputError>,
    /// Quota pools (when grades came from scores or were checked).
    pub quota: Vec<PoolReport>,
    /// Totals.
    pub totals: Totals,
    /// Gross to net: per-payslip figures and the year-to-date states out.
    pub tax: tax::RunTax,
}

impl Run {
    /// Whether every input was valid and every employed worker paid.
    pub fn complete(&self) -> bool {
        self.errors.is_empty()
    }

    /// The rendering context of a payslip.
    pub fn with_context<R>(&self, slip: &Payslip, f: impl FnOnce(&Context) -> R) -> R {
        let honours: Vec<&Honour> = self.honours[slip.worker].iter().collect();
        let cx = Context {
            policy: &self.policy,
            worker: &self.workers[slip.worker],
            honours: &honours,
            pools: &self.quota,
            tax: self.tax.slips.get(slip.worker).and_then(Option::as_ref),
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

/// Reads a JSON request, runs it and writes the JSON response.
///
/// `policy` is used when the request carries no `policy` text; with neither,
/// the built-in policy is used. A document with `"kind": "whatif"` is a
/// what-if request and gets a what-if response ([`crate::reform`]).
pub fn run_json(request: &[u8], policy: Option<&PolicySet>) -> Result<Response, RequestError> {
    let req = match parse_request(request) {
        Ok(req) => req,
        Err(_) if crate::reform::is_whatif(request) => {
            return crate::reform::whatif_json(request, policy);
        }
        Err(e) => return Err(e),
    };
    let run = run_owned(req, policy)?;
    Ok(Response {
        json: run.to_json(),
        complete: run.complete(),
    })
}

/// Parses a request document.
pub fn parse_request(request: &[u8]) -> Result<Request, RequestError> {
    if request.iter().all(u8::is_ascii_whitespace) {
        return Err(RequestError::Json(
            "the request is empty; expected a JSON object with kind, period and workers".into(),
        ));
    }
    crate::limits::check_request_size(request).map_err(RequestError::Json)?;
    let req: Request = serde_json::from_slice(request)
        .map_err(|e| RequestError::Json(crate::limits::json_error(&e)))?;
    crate::limits::check_fields(&req.period, &req.workers, &req.assessments, &req.honours)
        .map_err(RequestError::Json)?;
    Ok(req)
}

/// Runs a request.
pub fn run(req: &Request, policy: Option<&PolicySet>) -> Result<Run, RequestError> {
    run_into(req, policy, None, req.kind, &req.period, &mut Keep)
}

/// Runs a borrowed request as a run of `kind` and `period`, reading only
/// the assessments at `among` when given, into `sink`.
fn run_into(
    req: &Request,
    policy: Option<&PolicySet>,
    among: Option<&[usize]>,
    kind: Kind,
    period: &str,
    sink: &mut impl Sink,
) -> Result<Run, RequestError> {
    let mut owned = None;
    let set = policy_for(req, policy, &mut owned)?;
    let records = Records::Borrowed(&req.workers);
    Ok(prepare(req, records, set, among, kind, period)?.finish(sink))
}

/// Runs a request and hands each payslip to `each` as it is computed, in
/// worker-id order, instead of keeping it: for callers that fold or write
/// payslips one at a time (a what-if comparison, a payroll file), so that a
/// large run never holds every payslip at once.
///
/// The returned [`Run`] is that of [`run`] except that its `payslips` is
/// empty: workers, honours, errors, quota reports, totals and tax states are
/// all there. `each` gets the run's worker for the payslip (`slip.worker` is
/// its index in the returned run's `workers`).
///
/// ```
/// use payrules::run::{parse_request, run_each};
///
/// let request = parse_request(br#"{
///   "kind": "monthly", "period": "2026-11",
///   "workers": [{"id": "W001", "name": "Lin", "unit": "Wenquan", "position": "community_worker",
///                "title": "social_worker", "hired_on": "2020-03-01"}],
///   "assessments": [{"worker_id": "W001", "period": "2026-11", "grade": "pass"}]
/// }"#).unwrap();
/// let mut seen = Vec::new();
/// let run = run_each(&request, None, |worker, slip| seen.push((worker.id.clone(), slip.gross)));
/// let run = run.unwrap();
/// assert!(run.payslips.is_empty());
/// assert_eq!(seen, [("W001".to_string(), run.totals.gross)]);
/// assert_eq!(run.totals.gross.to_string(), "4400.00");
/// ```
pub fn run_each(
    req: &Request,
    policy: Option<&PolicySet>,
    mut each: impl FnMut(&Worker, &Payslip),
) -> Result<Run, RequestError> {
    run_into(
        req,
        policy,
        None,
        req.kind,
        &req.period,
        &mut Stream(&mut each),
    )
}

/// [`run_each`] for a request it owns, releasing the input records before
/// the payslips are computed, as [`run_owned`] does.
pub fn run_owned_each(
    req: Request,
    policy: Option<&PolicySet>,
    mut each: impl FnMut(&Worker, &Payslip),
) -> Result<Run, RequestError> {
    run_owned_into(req, policy, &mut Stream(&mut each))
}

/// Runs a request it owns, releasing the input records as soon as they are
/// read: the payslips are computed after the request is dropped, so a large
/// run needs memory for its workers and payslips but not also for the
/// records they came from. Same result as [`run`].
pub fn run_owned(req: Request, policy: Option<&PolicySet>) -> Result<Run, RequestError> {
    run_owned_into(req, policy, &mut Keep)
}

/// Runs an owned request: its worker records give their strings to the
/// validated workers and are released as they are read; the rest of the
/// request is released before the payslips are computed.
fn run_owned_into(
    mut req: Request,
    policy: Option<&PolicySet>,
    sink: &mut impl Sink,
) -> Result<Run, RequestError> {
    let mut owned = None;
    let set = policy_for(&req, policy, &mut owned)?;
    let records = Records::Owned(std::mem::take(&mut req.workers));
    let prepared = prepare(&req, records, set, None, req.kind, &req.period)?;
    drop(req);
    Ok(prepared.finish(sink))
}

/// The policy a run uses: the request's own TOML text, else the caller's,
/// else the built-in one (kept in `owned` when it is made here).
fn policy_for<'s>(
    req: &Request,
    given: Option<&'s PolicySet>,
    owned: &'s mut Option<PolicySet>,
) -> Result<&'s PolicySet, RequestError> {
    match (&req.policy, given) {
        (None, Some(p)) => Ok(p),
        (Some(text), _) => Ok(owned.insert(PolicySet::from_toml(text)?)),
        (None, None) => Ok(owned.insert(PolicySet::builtin())),
    }
}

/// A request's assessments grouped by their period text, so that runs of
/// many periods over one request (a what-if year) each read only the
/// assessments that concern them instead of every record.
pub(crate) struct ByPeriod {
    groups: Vec<(String, Vec<usize>)>,
}

impl ByPeriod {
    pub(crate) fn new(req: &Request) -> ByPeriod {
        let mut at: HashMap<&str, usize> = HashMap::new();
        let mut groups: Vec<(String, Vec<usize>)> = Vec::new();
        let mut last: Option<(&str, usize)> = None;
        for (ai, a) in req.assessments.iter().enumerate() {
            let p = a.period.as_str();
            let g = match last {
                Some((q, g)) if q == p => g,
                _ => {
                    // A year of periods is a handful of texts: look through
                    // them before hashing.
                    let seen = groups.iter().take(16).position(|(q, _)| q == p);
                    let g = match seen {
                        Some(g) => g,
                        None => *at.entry(p).or_insert_with(|| {
                            groups.push((p.to_string(), Vec::new()));
                            groups.len() - 1
                        }),
                    };
                    last = Some((p, g));
                    g
                }
            };
            groups[g].1.push(ai);
        }
        ByPeriod { groups }
    }

    /// The indices, ascending, of the assessments a run of `period` (a
    /// request's `YYYY-MM` or `YYYY`) reads: those of its period and those
    /// whose period is invalid, which every run reports.
    pub(crate) fn for_period(&self, period: &str) -> Vec<usize> {
        let canonical = match (period.parse::<YearMonth>(), period.parse::<Year>()) {
            (Ok(m), _) => m.to_string(),
            (_, Ok(y)) => y.to_string(),
            _ => period.to_string(),
        };
        let mut out: Vec<usize> = Vec::new();
        let mut groups = 0;
        for (p, indices) in &self.groups {
            if !matches!(assessment_period_is(p, &canonical), Ok(false)) {
                out.extend_from_slice(indices);
                groups += 1;
            }
        }
        // Each group's indices are ascending already.
        if groups > 1 {
            out.sort_unstable();
        }
        out
    }
}

/// A run of `kind` and `period` (in place of the request's own) for a
/// caller that folds payslips as they come (a what-if): it reads only the
/// assessments at `among` (ascending indices into the request's, from
/// [`ByPeriod::for_period`]), takes its workers from `roster` when that was
/// checked under the policy version in force, and hands `each` every
/// payslip with its worker's record index. The run returned has neither
/// payslips nor workers.
pub(crate) fn run_folded(
    req: &Request,
    kind: Kind,
    period: &str,
    policy: &PolicySet,
    among: &[usize],
    roster: Option<&Roster>,
    mut each: impl FnMut(&Worker, usize, &Payslip),
) -> Result<Run, RequestError> {
    // The request's own policy text, if any, is not used: the caller's is.
    let set = policy;
    let records = match roster {
        Some(r) => Records::Cached(r),
        None => Records::Borrowed(&req.workers),
    };
    let prepared = prepare(req, records, set, Some(among), kind, period)?;
    Ok(prepared.finish(&mut Fold(&mut each)))
}

/// Reads and validates a request's inputs for a run of `kind` and `period`
/// under the policy version in force; `among`, when given, lists the only
/// assessments that may concern the run.
fn prepare<'a, 'w, 'p>(
    req: &'a Request,
    records: Records<'a, 'w>,
    set: &'p PolicySet,
    among: Option<&'a [usize]>,
    kind: Kind,
    period: &str,
) -> Result<Prepared<'w, 'p>, RequestError> {
    let period_error = |e: crate::period::PeriodError| RequestError::Period(e.to_string());
    match kind {
        Kind::Monthly => {
            let month: YearMonth = period.parse().map_err(period_error)?;
            let policy = set.version_on(month.first_day())?;
            let records = records.for_version(req, policy);
            let (first, last) = (month.first_day(), month.last_day());
            Ok(Runner::new(policy, req, records, among, period, first, last).monthly(month))
        }
        Kind::Annual => {
            let year: Year = period.parse().map_err(period_error)?;
            let policy = set.version_on(year.first_day())?;
            let records = records.for_version(req, policy);
            let (first, last) = (year.first_day(), year.last_day());
            Ok(Runner::new(policy, req, records, among, period, first, last).annual(year))
        }
    }
}

/// An assessment as read: its index, grade and score.
type Given = (usize, Option<Grade>, Option<Decimal>);

/// A worker's grade for the period, once decided.
#[derive(Clone, Copy)]
enum Decided {
    Grade(Grade, GradeNote),
    Bad,
}

/// The worker records of a run: borrowed from the request, or owned, when
/// their strings move into the validated workers.
enum Records<'r, 'w> {
    Borrowed(&'r [WorkerRecord]),
    Owned(Vec<WorkerRecord>),
    /// Checked once for many runs under one policy version; the runs
    /// borrow its workers.
    Cached(&'w Roster),
}

impl<'r, 'w> Records<'r, 'w> {
    /// A roster checked under another policy version is not used: the
    /// request's records are read instead.
    fn for_version(self, req: &'r Request, policy: &Policy) -> Records<'r, 'w> {
        match self {
            // A roster of another version, or of other records, is not used.
            Records::Cached(r)
                if r.version != policy.version || r.entries.len() != req.workers.len() =>
            {
                Records::Borrowed(&req.workers)
            }
            other => other,
        }
    }

    fn len(&self) -> usize {
        match self {
            Records::Borrowed(l) => l.len(),
            Records::Owned(l) => l.len(),
            Records::Cached(c) => c.entries.len(),
        }
    }
}

/// A request's worker records checked once under one policy version, for
/// the runs of many periods (a what-if year): each run then only sees who
/// is employed in its period and borrows the workers instead of copying them.
pub(crate) struct Roster {
    /// The policy version the records were checked under.
    version: String,
    entries: Vec<Checked>,
}

impl Roster {
    /// The policy version it was checked under.
    pub(crate) fn version(&self) -> &str {
        &self.version
    }

    pub(crate) fn new(policy: &Policy, records: &[WorkerRecord]) -> Roster {
        let mut entries = Vec::with_capacity(records.len());
        for (i, rec) in records.iter().enumerate() {
            entries.push(check_record(policy, Rec::Borrowed(rec), i).0);
        }
        Roster {
            version: policy.version.clone(),
            entries,
        }
    }
}

/// One worker record, borrowed or owned.
enum Rec<'r> {
    Borrowed(&'r WorkerRecord),
    Owned(WorkerRecord),
}

impl Rec<'_> {
    fn get(&self) -> &WorkerRecord {
        match self {
            Rec::Borrowed(r) => r,
            Rec::Owned(r) => r,
        }
    }
    /// The id, name and unit, moved out of an owned record.
    fn into_strings(self) -> (String, String, String) {
        match self {
            Rec::Borrowed(r) => (r.id.clone(), r.name.clone(), r.unit.clone()),
            Rec::Owned(r) => (r.id, r.name, r.unit),
        }
    }
}

/// What became of one worker record.
enum Read {
    /// Valid, and employed in the period.
    Paid(Worker),
    /// Not employed in the period (its title and position are not checked);
    /// or no id, which the id check reports.
    Absent(String),
    /// Invalid: its id and the errors found.
    Invalid(String, Vec<InputError>),
}

/// What a worker record is, whatever the period: no id; invalid whatever
/// the period (bad dates); or dated, with the worker it makes under the
/// policy or the errors it has if the worker is employed in the period.
enum Checked {
    NoId,
    Invalid(Vec<InputError>),
    Dated {
        hired: NaiveDate,
        left: Option<NaiveDate>,
        worker: Result<Worker, Vec<InputError>>,
    },
}

/// Validates worker record `i` under `policy`, leaving out only the period
/// (see [`Checked`]); returns the record's id, name and unit too unless they
/// went into the worker.
fn check_record(
    policy: &Policy,
    rec: Rec,
    i: usize,
) -> (Checked, Option<(String, String, String)>) {
    let r = rec.get();
    if r.id.trim().is_empty() {
        return (Checked::NoId, Some(rec.into_strings()));
    }
    let mut errors = Vec::new();
    let mut error = |field: &str, message: String| {
        errors.push(InputError {
            worker_id: Some(r.id.clone()),
            field: field.to_string(),
            message,
            source: Some((List::Workers, i)),
            related: Vec::new(),
        })
    };
    let mut date = |field: &str, text: &str| match parse_date(text) {
        Ok(d) => Some(d),
        Err(e) => {
            error(field, e.to_string());
            None
        }
    };
    let hired = date("hired_on", &r.hired_on);
    let left = match &r.left_on {
        Some(t) if !t.is_empty() => date("left_on", t).map(Some),
        _ => Some(None),
    };
    let probation = match &r.probation_until {
        Some(t) if !t.is_empty() => date("probation_until", t).map(Some),
        _ => Some(None),
    };
    let (Some(hired), Some(left), Some(probation_until)) = (hired, left, probation) else {
        return (Checked::Invalid(errors), Some(rec.into_strings()));
    };
    if let Some(l) = left.filter(|l| *l < hired) {
        error("left_on", format!("left_on {l} is before hired_on {hired}"));
        return (Checked::Invalid(errors), Some(rec.into_strings()));
    }
    let title = match r.title.parse() {
        Ok(t) => Some(t),
        Err(e) => {
            error("title", format!("{e}"));
            None
        }
    };
    let position = match policy.position_index(&r.position) {
        Some(p) => Some(policy.positions[p].code.clone()),
        None => {
            let msg = format!(
                "unknown position {:?}; policy {} has: {}",
                r.position,
                policy.cite(),
                policy.position_codes()
            );
            error("position", msg);
            None
        }
    };
    let (Some(title), Some(position)) = (title, position) else {
        let worker = Err(errors);
        return (
            Checked::Dated {
                hired,
                left,
                worker,
            },
            Some(rec.into_strings()),
        );
    };
    let (id, name, unit) = rec.into_strings();
    let worker = Ok(Worker {
        id,
        name,
        unit,
        position,
        title,
        hired_on: hired,
        left_on: left,
        probation_until,
    });
    (
        Checked::Dated {
            hired,
            left,
            worker,
        },
        None,
    )
}

/// Validates worker record `i` for a period `[first, last]` under `policy`.
fn read_record(policy: &Policy, first: NaiveDate, last: NaiveDate, rec: Rec, i: usize) -> Read {
    let (checked, strings) = check_record(policy, rec, i);
    let id = || strings.map(|s| s.0).unwrap_or_default();
    match checked {
        Checked::NoId => Read::Absent(id()),
        Checked::Invalid(errors) => Read::Invalid(id(), errors),
        Checked::Dated {
            hired,
            left,
            worker,
        } => {
            let employed = hired <= last && left.is_none_or(|l| l >= first);
            match worker {
                Ok(w) if employed => Read::Paid(w),
                Ok(w) => Read::Absent(w.id),
                Err(_) if !employed => Read::Absent(id()),
                Err(errors) => Read::Invalid(id(), errors),
            }
        }
    }
}

struct Runner<'a, 'w, 'p> {
    policy: &'p Policy,
    req: &'a Request,
    /// The assessments that may concern the run, when known; else all.
    among: Option<&'a [usize]>,
    /// The period as written in the request.
    period: String,
    first: NaiveDate,
    last: NaiveDate,
    errors: Vec<InputError>,
    /// Validated employed workers with their record index, sorted by id.
    workers: Vec<(Cow<'w, Worker>, usize)>,
    /// Per validated worker: whether any input naming it had an error, so it is not paid.
    bad: Vec<bool>,
    /// Ids of the worker records not validated (invalid, not employed or
    /// doubled), sorted, for look-ups of ids in the roster.
    others: Vec<String>,
    /// Where the last look-up by id landed, to make in-order look-ups O(1).
    hint: usize,
    /// Quota pools of the graded workers.
    quota: Vec<PoolReport>,
}

impl<'a, 'w, 'p> Runner<'a, 'w, 'p> {
    fn new(
        policy: &'p Policy,
        req: &'a Request,
        records: Records<'a, 'w>,
        among: Option<&'a [usize]>,
        period: &str,
        first: NaiveDate,
        last: NaiveDate,
    ) -> Self {
        let mut r = Runner {
            policy,
            req,
            among,
            period: period.to_string(),
            first,
            last,
            errors: Vec::new(),
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

    /// Validates the worker records: each is read once, in input order
    /// (owned records give their strings to the worker and are released as
    /// they are read), then ids are checked for blanks and duplicates.
    fn read_workers(&mut self, records: Records<'a, 'w>) {
        let (policy, first, last) = (self.policy, self.first, self.last);
        let n = records.len();
        let mut paid: Vec<(Cow<'w, Worker>, usize)> = Vec::with_capacity(n);
        // Records not paid: id, index, and the errors found (None: not employed).
        let mut rest: Vec<(String, usize, Option<Vec<InputError>>)> = Vec::new();
        let mut take = |read: Read, i: usize| match read {
            Read::Paid(w) => paid.push((Cow::Owned(w), i)),
            Read::Absent(id) => rest.push((id, i, None)),
            Read::Invalid(id, errors) => rest.push((id, i, Some(errors))),
        };
        match records {
            Records::Borrowed(list) => {
                for (i, rec) in list.iter().enumerate() {
                    take(read_record(policy, first, last, Rec::Borrowed(rec), i), i);
                }
            }
            Records::Cached(cache) => {
                for (i, entry) in cache.entries.iter().enumerate() {
                    let id = || self.req.workers[i].id.clone();
                    match entry {
                        Checked::NoId => rest.push((id(), i, None)),
                        Checked::Invalid(errors) => rest.push((id(), i, Some(errors.clone()))),
                        Checked::Dated {
                            hired,
                            left,
                            worker,
                        } => {
                            let employed = *hired <= last && left.is_none_or(|l| l >= first);
                            match worker {
                                Ok(w) if employed => paid.push((Cow::Borrowed(w), i)),
                                Err(errors) if employed => {
                                    rest.push((id(), i, Some(errors.clone())))
                                }
                                _ => rest.push((id(), i, None)),
                            }
                        }
                    }
                }
            }
            Records::Owned(mut list) => {
                while let Some(rec) = list.pop() {
                    let i = list.len();
                    take(read_record(policy, first, last, Rec::Owned(rec), i), i);
                    // Give back the room of the records read, 64k records
                    // (12 MB) at a time: shrinking a large allocation is a
                    // remap, not a copy.
                    if list.capacity() - list.len() >= 1 << 16 {
                        list.shrink_to_fit();
                    }
                }
            }
        }
        let by_id = |a: &(Cow<Worker>, usize), b: &(Cow<Worker>, usize)| {
            a.0.id.cmp(&b.0.id).then(a.1.cmp(&b.1))
        };
        if !paid.is_sorted_by(|a, b| by_id(a, b).is_le()) {
            paid.sort_unstable_by(by_id);
        }
        rest.sort_unstable_by(|a, b| a.0.cmp(&b.0).then(a.1.cmp(&b.1)));
        // Groups of records sharing an id that need more than keeping the
        // worker: (paid range, rest range).
        let mut groups: Vec<(std::ops::Range<usize>, std::ops::Range<usize>)> = Vec::new();
        let (mut a, mut b) = (0, 0);
        loop {
            let id = match (paid.get(a), rest.get(b)) {
                (Some(x), Some(y)) => x.0.id.as_str().min(y.0.as_str()),
                (Some(x), None) => x.0.id.as_str(),
                (None, Some(y)) => y.0.as_str(),
                (None, None) => break,
            };
            let a_end = a + paid[a..].iter().take_while(|x| x.0.id == id).count();
            let b_end = b + rest[b..].iter().take_while(|y| y.0 == id).count();
            if a_end - a + b_end - b > 1 || b_end > b {
                groups.push((a..a_end, b..b_end));
            }
            (a, b) = (a_end, b_end);
        }
        let mut keep = vec![true; paid.len()];
        for (pr, rr) in groups {
            let mut indices: Vec<usize> = paid[pr.clone()].iter().map(|x| x.1).collect();
            indices.extend(rest[rr.clone()].iter().map(|y| y.1));
            keep[pr.clone()].fill(false);
            let id = match (
                paid.get(pr.start).filter(|_| !pr.is_empty()),
                rest.get(rr.start),
            ) {
                (Some(x), _) => x.0.id.clone(),
                (None, Some(y)) => y.0.clone(),
                (None, None) => continue,
            };
            if id.trim().is_empty() {
                for &j in &indices {
                    self.errors.push(InputError {
                        worker_id: None,
                        field: "id".into(),
                        message: "empty worker id; every worker needs an id (工号)".into(),
                        source: Some((List::Workers, j)),
                        related: Vec::new(),
                    });
                }
            } else if indices.len() > 1 {
                indices.sort_unstable();
                self.errors.push(InputError {
                    worker_id: Some(id.clone()),
                    field: "id".into(),
                    message: format!(
                        "duplicate worker id, given {} times; ids must be unique",
                        indices.len()
                    ),
                    source: Some((List::Workers, indices[0])),
                    related: indices[1..].iter().map(|&j| (List::Workers, j)).collect(),
                });
            } else if let Some(errors) = rest[rr.start].2.take() {
                self.errors.extend(errors);
            }
            self.others.push(id);
        }
        let mut k = 0;
        paid.retain(|_| {
            k += 1;
            keep[k - 1]
        });
        self.others.extend(rest.into_iter().map(|y| y.0));
        self.others.sort_unstable();
        self.others.dedup();
        self.workers = paid;
        self.bad = vec![false; self.workers.len()];
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

    /// Decides every validated worker's grade for the period from the
    /// assessments whose period matches `period_matches`.
    fn grades(
        &mut self,
        is_period: impl Fn(&str) -> Result<bool, String>,
        period: &str,
    ) -> Vec<Decided> {
        let req = self.req;
        let n = self.workers.len();
        let mut given: Vec<Option<Given>> = vec![None; n];
        let mut decided = vec![Decided::Bad; n];
        // Workers with an assessment for the period, valid or not.
        let mut assessed = vec![false; n];
        let mut scored: Vec<(usize, Decimal, Option<Grade>, usize)> = Vec::new();
        let among = self.among;
        let count = among.map_or(req.assessments.len(), <[usize]>::len);
        for k in 0..count {
            let ai = among.map_or(k, |a| a[k]);
            let a = &req.assessments[ai];
            let src = (List::Assessments, ai);
            match is_period(&a.period) {
                Ok(true) => {}
                Ok(false) => continue,
                Err(msg) => {
                    self.error(Some(&a.worker_id), "period", msg, src);
                    continue;
                }
            }
            let Some(wi) = self.find(&a.worker_id, src) else {
                continue;
            };
            assessed[wi] = true;
            if given[wi].is_some() {
                self.error(
                    Some(&a.worker_id),
                    "period",
                    format!("assessed more than once for {period}; keep one assessment per worker and period"),
                    src,
                );
                continue;
            }
            let grade = match a.grade.as_deref().map(str::parse::<Grade>) {
                None => None,
                Some(Ok(g)) => Some(g),
                Some(Err(e)) => {
                    self.error(Some(&a.worker_id), "grade", e.to_string(), src);
                    continue;
                }
            };
            let score = match a
                .score
                .as_deref()
                .map(|s| quota::parse_score(&self.policy.quota, s))
            {
                None => None,
                Some(Ok(s)) => Some(s),
                Some(Err(e)) => {
                    self.error(Some(&a.worker_id), "score", e, src);
                    continue;
                }
            };
            if grade.is_none() && score.is_none() {
                self.error(
                    Some(&a.worker_id),
                    "grade",
                    "no grade and no score; give one".into(),
                    src,
                );
                continue;
            }
            given[wi] = Some((ai, grade, score));
        }
        for wi in 0..n {
            let (w, wsrc) = &self.workers[wi];
            let wsrc = *wsrc;
            let on_probation = payslip::probation_ungraded(self.policy, w, self.last).is_some();
            decided[wi] = match given[wi] {
                _ if on_probation => match given[wi] {
                    Some((ai, g, s)) if g != Some(Grade::Ungraded) || s.is_some() => {
                        let id = w.id.clone();
                        self.error(
                            Some(&id),
                            "grade",
                            format!(
                                "on probation until {} and policy {} does not grade probationers (probation.graded = false); remove the assessment or mark it ungraded",
                                w.probation_until.map(|d| d.to_string()).unwrap_or_default(),
                                self.policy.cite()
                            ),
                            (List::Assessments, ai),
                        );
                        Decided::Bad
                    }
                    // Invariant: on_probation implies probation_until is set.
                    _ => Decided::Grade(
                        Grade::Ungraded,
                        GradeNote::Probation(w.probation_until.unwrap_or(self.last)),
                    ),
                },
                Some((_, Some(g), None)) => Decided::Grade(g, GradeNote::Given),
                Some((ai, grade, Some(score))) => {
                    scored.push((wi, score, grade, ai));
                    Decided::Bad // decided below by quota
                }
                Some((_, None, None)) => Decided::Bad,
                // An invalid assessment was already reported.
                None if assessed[wi] => Decided::Bad,
                None => match self.policy.missing_assessment {
                    Missing::Ungraded => Decided::Grade(Grade::Ungraded, GradeNote::Missing),
                    Missing::Error => {
                        let id = w.id.clone();
                        self.error(
                            Some(&id),
                            "assessment",
                            format!(
                                "no assessment for {period}; give a grade or a score (or set assessment.missing = \"ungraded\" in the policy)"
                            ),
                            wsrc_or(wsrc),
                        );
                        Decided::Bad
                    }
                },
            };
        }
        self.apply_quota(&mut decided, &scored);
        decided
    }

    /// Grades the scored workers by quota, checks every pool's grades against
    /// the caps, and records the pool reports.
    fn apply_quota(
        &mut self,
        decided: &mut [Decided],
        scored: &[(usize, Decimal, Option<Grade>, usize)],
    ) {
        let rule = &self.policy.quota;
        let cands: Vec<Candidate> = scored
            .iter()
            .map(|&(wi, score, _, _)| {
                let w = &self.workers[wi].0;
                Candidate {
                    id: &w.id,
                    pool: &w.unit,
                    score,
                    hired_on: w.hired_on,
                }
            })
            .collect();
        let (assigned, pools) = quota::assign(rule, &cands);
        drop(cands);
        let mut notes = Vec::with_capacity(scored.len());
        for (&(wi, score, given, ai), a) in scored.iter().zip(&assigned) {
            match given {
                Some(g) if g != a.grade => {
                    let id = self.workers[wi].0.id.clone();
                    let msg = format!(
                        "grade {g} disagrees with score {score}, which ranks {} of {} in pool {} and earns {}; give one or make them agree",
                        a.rank, a.of, pools[a.pool as usize].pool, a.grade
                    );
                    self.error(Some(&id), "grade", msg, (List::Assessments, ai));
                }
                _ => {
                    decided[wi] = Decided::Grade(a.grade, a.note());
                    notes.push(wi);
                }
            }
        }
        let rule = &self.policy.quota;
        let bad = &self.bad;
        let graded = self
            .workers
            .iter()
            .zip(decided.iter())
            .enumerate()
            .filter_map(|(wi, ((w, _), d))| match d {
                Decided::Grade(g, _) if !bad[wi] => Some((w.unit.as_str(), *g)),
                _ => None,
            });
        let reports = quota::check(rule, graded);
        // Point the quota notes at the pools of the final report: both lists
        // are sorted by pool name, so each assigned pool is looked up once.
        let report_of: Vec<u32> = pools
            .iter()
            .map(|p| {
                reports
                    .binary_search_by(|r| r.pool.as_str().cmp(&p.pool))
                    .unwrap_or(0) as u32
            })
            .collect();
        for wi in notes {
            if let Decided::Grade(
                g,
                GradeNote::Quota {
                    rank,
                    of,
                    pool,
                    slots,
                },
            ) = decided[wi]
            {
                let pool = report_of[pool as usize];
                decided[wi] = Decided::Grade(
                    g,
                    GradeNote::Quota {
                        rank,
                        of,
                        pool,
                        slots,
                    },
                );
            }
        }
        for r in &reports {
            for (grade, used, allowed) in r.violations() {
                self.errors.push(InputError {
                    worker_id: None,
                    field: "grade".into(),
                    message: format!(
                        "pool {}: {used} {grade} grades for {} graded workers, {allowed} allowed by policy {} §quota.{grade}; {} over the cap",
                        r.pool,
                        r.graded,
                        self.policy.cite(),
                        used - allowed
                    ),
                    source: None,
                    related: Vec::new(),
                });
            }
        }
        self.quota = reports;
    }

    fn honours(&mut self, month: Option<YearMonth>) -> Vec<Vec<Honour>> {
        let req = self.req;
        let mut out: Vec<Vec<Honour>> = vec![Vec::new(); self.workers.len()];
        for (hi, h) in req.honours.iter().enumerate() {
            let src = (List::Honours, hi);
            let id = h.worker_id.as_str();
            let level: Result<HonourLevel, _> = h.level.parse();
            let date = parse_date(&h.awarded_on);
            let (level, date) = match (level, date) {
                (Ok(l), Ok(d)) => (l, d),
                (l, d) => {
                    if let Err(e) = l {
                        self.error(Some(id), "level", e.to_string(), src);
                    }
                    if let Err(e) = d {
                        self.error(Some(id), "awarded_on", e.to_string(), src);
                    }
                    continue;
                }
            };
            if !month.is_some_and(|m| m.contains(date)) {
                // Paid by the run of the month awarded; still an error when
                // the worker is unknown.
                if !self.known(id) {
                    let msg = format!("no worker {id:?} in the roster");
                    self.error(Some(id), "worker_id", msg, src);
                }
                continue;
            };
            let Some(wi) = self.find(id, src) else {
                continue;
            };
            out[wi].push(Honour {
                worker_id: id.to_string(),
                level,
                awarded_on: date,
                deed: h.deed.clone().filter(|d| !d.trim().is_empty()),
            });
        }
        // Input order must not matter: each worker's honours in date, level, deed order.
        for hs in &mut out {
            hs.sort_by(|a, b| {
                (a.awarded_on, a.level, &a.deed).cmp(&(b.awarded_on, b.level, &b.deed))
            });
        }
        out
    }

    /// Hands over everything the payslips need, keeping nothing of the request.
    fn prepared(
        mut self,
        at: TaxPeriod,
        decided: Vec<Decided>,
        honours: Vec<Vec<Honour>>,
        inputs: tax::Inputs,
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
            quota: self.quota,
            decided,
            honours,
            inputs,
        }
    }

    fn monthly(mut self, month: YearMonth) -> Prepared<'w, 'p> {
        let period = month.to_string();
        let decided = self.grades(|p| assessment_period_is(p, &period), &period);
        let honours = self.honours(Some(month));
        let at = TaxPeriod::Month(month);
        let inputs = self.tax_inputs(at);
        self.prepared(at, decided, honours, inputs)
    }

    fn annual(mut self, year: Year) -> Prepared<'w, 'p> {
        let period = year.to_string();
        let decided = self.grades(|p| assessment_period_is(p, &period), &period);
        let honours = self.honours(None);
        let at = TaxPeriod::Year(year);
        let inputs = self.tax_inputs(at);
        self.prepared(at, decided, honours, inputs)
    }

    /// Reads the request's `tax` and `ytd` lists; problems become errors
    /// naming the worker, who is then not paid.
    fn tax_inputs(&mut self, period: TaxPeriod) -> tax::Inputs {
        let req = self.req;
        let (inputs, problems) = {
            let workers = &self.workers;
            let others = &self.others;
            let errors = &self.errors;
            tax::Inputs::read(
                self.policy,
                period,
                &req.tax,
                &req.ytd,
                workers.len(),
                |id| match workers.binary_search_by(|(w, _)| w.id.as_str().cmp(id)) {
                    Ok(i) => tax::Found::Worker(i),
                    Err(_) if others.binary_search_by(|o| o.as_str().cmp(id)).is_err() => {
                        tax::Found::Unknown
                    }
                    // In the roster but not validated: refused for an error, or not employed.
                    Err(_) if errors.iter().any(|e| e.worker_id.as_deref() == Some(id)) => {
                        tax::Found::Refused
                    }
                    Err(_) => tax::Found::NotEmployed,
                },
            )
        };
        for p in problems {
            let list = match p.source.0 {
                tax::Source::Tax => List::Tax,
                tax::Source::Ytd => List::Ytd,
            };
            self.error(Some(&p.worker_id), &p.field, p.message, (list, p.source.1));
        }
        inputs
    }
}

/// A run whose inputs are read and validated: everything the payslips need,
/// owning no part of the request.
struct Prepared<'w, 'p> {
    policy: &'p Policy,
    period: String,
    at: TaxPeriod,
    /// Validated employed workers, sorted by id, with their record indices.
    workers: Vec<(Cow<'w, Worker>, usize)>,
    bad: Vec<bool>,
    errors: Vec<InputError>,
    quota: Vec<PoolReport>,
    decided: Vec<Decided>,
    honours: Vec<Vec<Honour>>,
    inputs: tax::Inputs,
}

/// Where [`Prepared::finish`] puts each payslip.
trait Sink {
    /// Takes one payslip of the worker from record `source`: returns it
    /// when the run should keep it, else gives its lines back for the next
    /// payslip (`Err`).
    fn take(&mut self, worker: &Worker, source: usize, slip: Payslip)
    -> Result<Payslip, Vec<Line>>;
    /// Whether it keeps payslips (to reserve room for them).
    fn keeps(&self) -> bool;
    /// Whether the run it returns lists its workers: false only for a
    /// caller inside the crate that needs the totals and errors alone.
    fn keeps_workers(&self) -> bool {
        true
    }
}

/// Keeps every payslip in the run.
struct Keep;

impl Sink for Keep {
    fn take(&mut self, _: &Worker, _: usize, slip: Payslip) -> Result<Payslip, Vec<Line>> {
        Ok(slip)
    }
    fn keeps(&self) -> bool {
        true
    }
}

/// Hands every payslip to a function and keeps none.
struct Stream<'f, F>(&'f mut F);

impl<F: FnMut(&Worker, &Payslip)> Sink for Stream<'_, F> {
    fn take(&mut self, worker: &Worker, _: usize, slip: Payslip) -> Result<Payslip, Vec<Line>> {
        (self.0)(worker, &slip);
        Err(slip.lines)
    }
    fn keeps(&self) -> bool {
        false
    }
}

/// Hands every payslip, with its worker's record index, to a function, and
/// returns a run without its workers (their list may be borrowed).
pub(crate) struct Fold<'f, F>(pub(crate) &'f mut F);

impl<F: FnMut(&Worker, usize, &Payslip)> Sink for Fold<'_, F> {
    fn take(
        &mut self,
        worker: &Worker,
        source: usize,
        slip: Payslip,
    ) -> Result<Payslip, Vec<Line>> {
        (self.0)(worker, source, &slip);
        Err(slip.lines)
    }
    fn keeps(&self) -> bool {
        false
    }
    fn keeps_workers(&self) -> bool {
        false
    }
}

impl Prepared<'_, '_> {
    /// Computes the payslips and totals, handing each payslip to `sink`.
    fn finish(self, sink: &mut impl Sink) -> Run {
        let Prepared {
            policy,
            period,
            at,
            workers,
            bad,
            errors,
            quota,
            decided,
            honours,
            inputs,
        } = self;
        let mut tax = tax::RunTax::new(&inputs);
        let mut payslips = Vec::with_capacity(if sink.keeps() { workers.len() } else { 0 });
        let mut totals = Totals::default();
        let mut by_code = [None::<FenSum>; LineCode::ALL.len()];
        let mut by_unit: HashMap<&str, FenSum> = HashMap::new();
        let mut last_unit: Option<(&str, FenSum)> = None;
        // The lines of the last payslip handed on, to hold the next one's.
        let mut spare: Vec<Line> = Vec::new();
        let mut gross = FenSum::default();
        for (wi, (w, source)) in workers.iter().enumerate() {
            if bad[wi] {
                continue;
            }
            let Decided::Grade(grade, note) = decided[wi] else {
                continue;
            };
            let mut slip = match at {
                TaxPeriod::Month(month) => {
                    let hs: Vec<&Honour> = honours[wi].iter().collect();
                    // Invariant: the position was resolved against this policy
                    // version when the worker was read, so it cannot be unknown.
                    let lines = std::mem::take(&mut spare);
                    payslip::monthly_in(lines, policy, month, w, wi, grade, note, &hs)
                        .expect("position validated")
                }
                TaxPeriod::Year(year) => payslip::annual(policy, year, w, wi, grade, note),
            };
            tax.apply(policy, &inputs, at, &mut slip);
            totals.workers += 1;
            gross.add(slip.gross);
            for l in &slip.lines {
                by_code[l.code as usize]
                    .get_or_insert_default()
                    .add(l.amount);
            }
            // Workers sorted by id usually list a unit's workers together.
            match &mut last_unit {
                Some((unit, sum)) if *unit == w.unit.as_str() => sum.add(slip.gross),
                _ => {
                    if let Some((unit, sum)) = last_unit.take() {
                        by_unit.entry(unit).or_default().merge(sum);
                    }
                    let mut sum = FenSum::default();
                    sum.add(slip.gross);
                    last_unit = Some((w.unit.as_str(), sum));
                }
            }
            match sink.take(w, *source, slip) {
                Ok(slip) => payslips.push(slip),
                Err(lines) => spare = lines,
            }
        }
        totals.by_code = LineCode::ALL
            .iter()
            .zip(by_code)
            .filter_map(|(c, t)| t.map(|t| (*c, t.total())))
            .collect();
        if let Some((unit, sum)) = last_unit {
            by_unit.entry(unit).or_default().merge(sum);
        }
        totals.by_unit = by_unit
            .into_iter()
            .map(|(u, t)| (u.to_string(), t.total()))
            .collect();
        totals.gross = gross.total();
        tax.finish(|wi| workers[wi].0.id.as_str());
        let workers = if sink.keeps_workers() {
            workers.into_iter().map(|(w, _)| w.into_owned()).collect()
        } else {
            Vec::new()
        };
        Run {
            policy: policy.clone(),
            kind: match at {
                TaxPeriod::Month(_) => Kind::Monthly,
                TaxPeriod::Year(_) => Kind::Annual,
            },
            period,
            workers,
            honours,
            payslips,
            errors,
            quota,
            totals,
            tax,
        }
    }
}

/// Whether an assessment's `period` is the run's (`run_period`, written
/// canonically as `YYYY-MM` or `YYYY`). Another valid month or year is not an
/// error (a file may hold a whole year of assessments); anything else is.
/// The common cases are decided by comparing text, without making dates.
fn assessment_period_is(p: &str, run_period: &str) -> Result<bool, String> {
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

fn wsrc_or(i: usize) -> (List, usize) {
    (List::Workers, i)
}

struct Lines<'a>(&'a Run, &'a Payslip);

impl Serialize for Lines<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        #[derive(Serialize)]
        struct L {
            code: &'static str,
            amount: Amount,
            rule: String,
            explain: String,
        }
        self.0.with_context(self.1, |cx| {
            s.collect_seq(self.1.lines.iter().map(|l| L {
                code: l.code.code(),
                amount: Amount(l.amount),
                rule: l.rule(cx),
                explain: l.explain(cx),
            }))
        })
    }
}

struct Slip<'a>(&'a Run, &'a Payslip);

impl Serialize for Slip<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let w = &self.0.workers[self.1.worker];
        let mut st = s.serialize_struct("Payslip", 5)?;
        st.serialize_field("worker_id", &w.id)?;
        st.serialize_field("name", &w.name)?;
        st.serialize_field("unit", &w.unit)?;
        st.serialize_field("lines", &Lines(self.0, self.1))?;
        st.serialize_field("gross", &Amount(self.1.gross))?;
        if let Some(Some(t)) = self.0.tax.slips.get(self.1.worker) {
            st.serialize_field("net", &Amount(t.net))?;
            if let tax::Detail::Bonus(b) = &t.detail {
                st.serialize_field("bonus_tax", &tax::BonusDoc(b))?;
            }
        }
        st.end()
    }
}

struct TotalsDoc<'a>(&'a Totals);

impl Serialize for TotalsDoc<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        struct ByCode<'a>(&'a BTreeMap<LineCode, Decimal>);
        impl Serialize for ByCode<'_> {
            fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                let mut m = s.serialize_map(Some(self.0.len()))?;
                for (k, v) in self.0 {
                    m.serialize_entry(k.code(), &Amount(*v))?;
                }
                m.end()
            }
        }
        let t = self.0;
        let mut st = s.serialize_struct("Totals", 4)?;
        st.serialize_field("workers", &t.workers)?;
        st.serialize_field("gross", &Amount(t.gross))?;
        st.serialize_field("by_code", &ByCode(&t.by_code))?;
        let by_unit: BTreeMap<&str, Amount> = t
            .by_unit
            .iter()
            .map(|(k, v)| (k.as_str(), Amount(*v)))
            .collect();
        st.serialize_field("by_unit", &by_unit)?;
        st.end()
    }
}

impl Serialize for Run {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        #[derive(Serialize)]
        struct PolicyRef<'a> {
            id: &'a str,
            version: &'a str,
        }
        let mut st = s.serialize_struct("Response", 8)?;
        st.serialize_field(
            "policy",
            &PolicyRef {
                id: &self.policy.id,
                version: &self.policy.version,
            },
        )?;
        st.serialize_field("kind", &self.kind)?;
        st.serialize_field("period", &self.period)?;
        st.serialize_field("complete", &self.complete())?;
        let slips: Vec<Slip> = self.payslips.iter().map(|p| Slip(self, p)).collect();
        st.serialize_field("payslips", &slips)?;
        st.serialize_field("errors", &self.errors)?;
        st.serialize_field("quota", &self.quota)?;
        st.serialize_field("totals", &TotalsDoc(&self.totals))?;
        if self.tax.active {
            st.serialize_field("ytd", &tax::YtdDoc(&self.tax.ytd))?;
        }
        st.end()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::worker::WorkerRecord;

    /// The example district with records of every kind a roster can hold:
    /// a doubled id, blank ids, an impossible date, a bad title and position
    /// on employed and on departed workers, a leaver before hiring.
    fn awkward() -> Request {
        let mut req = crate::example::district().into_request(Kind::Monthly, "2026-11".into());
        let w =
            |id: &str, title: &str, position: &str, hired: &str, left: Option<&str>| WorkerRecord {
                id: id.into(),
                name: "测试".into(),
                unit: "东湖社区".into(),
                position: position.into(),
                title: title.into(),
                hired_on: hired.into(),
                left_on: left.map(str::to_string),
                probation_until: None,
            };
        let first = req.workers[0].clone();
        req.workers.extend([
            first,
            w("", "none", "community_worker", "2020-01-01", None),
            w(" ", "none", "community_worker", "2020-01-01", None),
            w("X1", "none", "community_worker", "2026-02-30", None),
            w("X2", "doctor", "mayor", "2020-01-01", None),
            w("X3", "doctor", "mayor", "2020-01-01", Some("2025-06-30")),
            w(
                "X4",
                "none",
                "community_worker",
                "2020-01-01",
                Some("2019-01-01"),
            ),
            w(
                "X5",
                "none",
                "community_worker",
                "2026-06-15",
                Some("2026-07-10"),
            ),
        ]);
        req.workers.rotate_left(7);
        req
    }

    /// A run that borrows workers from a roster checked once gives the
    /// payslips, totals and errors of a plain run, every month and the year.
    #[test]
    fn runs_from_a_checked_roster_equal_plain_runs() {
        let req = awkward();
        let set = PolicySet::builtin();
        let by_period = ByPeriod::new(&req);
        let year: Year = "2026".parse().unwrap();
        let policy = set.version_on(year.first_day()).unwrap();
        let roster = Roster::new(policy, &req.workers);
        let periods = year
            .months()
            .map(|m| (Kind::Monthly, m.to_string()))
            .chain([(Kind::Annual, year.to_string())]);
        for (kind, period) in periods {
            let mut plain_req = req.clone();
            plain_req.kind = kind;
            plain_req.period = period.clone();
            let plain = run(&plain_req, Some(&set)).unwrap();
            let among = by_period.for_period(&period);
            let mut slips = Vec::new();
            let folded = run_folded(
                &req,
                kind,
                &period,
                &set,
                &among,
                Some(&roster),
                |w, i, p| {
                    assert_eq!(req.workers[i].id, w.id);
                    slips.push((w.id.clone(), p.clone()));
                },
            )
            .unwrap();
            let want: Vec<(String, Payslip)> = plain
                .payslips
                .iter()
                .map(|p| (plain.workers[p.worker].id.clone(), p.clone()))
                .collect();
            assert_eq!(slips, want, "{period}");
            assert_eq!(folded.totals, plain.totals, "{period}");
            assert_eq!(folded.errors, plain.errors, "{period}");
            assert_eq!(folded.quota, plain.quota, "{period}");
            assert!(folded.workers.is_empty());
            assert!(
                !plain.errors.is_empty(),
                "{period}: the awkward records are reported"
            );
        }
    }
}
