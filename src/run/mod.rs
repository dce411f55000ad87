//! A whole run: read a request, validate every input, grade, compute the
//! payslips, collect the errors and totals, and write the response.
//!
//! The JSON documents here are the ones every face uses: `payrules run`, the
//! C function `payrules_run_json` and Python's `payrules.run`.
//!
//! ```
//! use payrules::{Request, run};
//!
//! let request = r#"{
//!   "kind": "monthly", "period": "2026-11",
//!   "workers": [{"id": "W001", "name": "林晓", "unit": "温泉社区", "position": "社区工作者",
//!                "title": "社会工作师", "hired_on": "2020-03-01"}],
//!   "assessments": [{"worker_id": "W001", "period": "2026-11", "grade": "合格"}]
//! }"#;
//! let result = run(&Request::from_json(request.as_bytes()).unwrap(), None).unwrap();
//! let v: serde_json::Value = serde_json::from_str(&result.to_json()).unwrap();
//! assert_eq!(v["complete"], true);
//! // 2200 + 600 + 300 + 400 + 900 (one worker alone in a pool: 20% of 1 rounds down to no excellent slot)
//! assert_eq!(v["payslips"][0]["gross"], "4400.00");
//! assert_eq!(v["payslips"][0]["lines"][4]["explain"], "grade pass → 900.00");
//! ```

mod document;
pub mod packed;
mod runner;
mod serialize;
mod sink;
mod validate;

pub use document::{ByWorker, InputError, Kind, List, Request, RequestError, Response, Run, Totals, Warning};
pub(crate) use sink::Fold;
pub(crate) use validate::Roster;

use compact_str::CompactString;
use crate::period::{Year, YearMonth};
use crate::policy::PolicySet;
use crate::rules::payslip::Payslip;
use crate::worker::Worker;
use runner::*;
use sink::*;
use std::collections::HashMap;
use std::fmt;
use validate::*;

/// Every field of a request's records at most `limits::MAX_FIELD` bytes:
/// workers, assessments, honours, and the `tax`, `ytd` and `adjustments` records.
pub(crate) fn check_fields(req: &Request) -> Result<(), RequestError> {
    use crate::limits::{check_field, check_fields};
    check_fields(&req.period, &req.workers, &req.assessments, &req.honours)
        .map_err(RequestError::Json)?;
    let opt = |v: &Option<String>| v.as_deref().unwrap_or("").to_string();
    for (i, t) in req.tax.iter().enumerate() {
        for (f, v) in [
            ("worker_id", t.worker_id.clone()),
            ("contribution_base", opt(&t.contribution_base)),
            ("housing_fund_rate", opt(&t.housing_fund_rate)),
            ("additional_deductions", opt(&t.additional_deductions)),
            ("other_deductions", opt(&t.other_deductions)),
            ("paid_on", opt(&t.paid_on)),
        ] {
            check_field("tax", i, f, &v).map_err(RequestError::Json)?;
        }
    }
    for (i, y) in req.ytd.iter().enumerate() {
        for (f, v) in [
            ("worker_id", y.worker_id.clone()),
            ("year", y.year.0.clone()),
            ("months", y.months.0.clone()),
            ("income", opt(&y.income)),
            ("exempt_income", opt(&y.exempt_income)),
            ("contributions", opt(&y.contributions)),
            ("additional_deductions", opt(&y.additional_deductions)),
            ("other_deductions", opt(&y.other_deductions)),
            ("tax_withheld", opt(&y.tax_withheld)),
            ("separate_bonus", opt(&y.separate_bonus)),
            ("separate_bonus_tax", opt(&y.separate_bonus_tax)),
            ("tax_unwithheld", opt(&y.tax_unwithheld)),
            ("through", opt(&y.through)),
        ] {
            check_field("ytd", i, f, &v).map_err(RequestError::Json)?;
        }
    }
    for (i, a) in req.adjustments.iter().enumerate() {
        for (f, v) in [
            ("worker_id", &a.worker_id),
            ("period", &a.period),
            ("code", &a.code),
            ("old", &a.old),
            ("new", &a.new),
            ("reason", &a.reason),
        ] {
            check_field("adjustments", i, f, v).map_err(RequestError::Json)?;
        }
    }
    crate::limits::check_change_fields(&req.changes).map_err(RequestError::Json)
}

/// The error for a request of nothing but white space.
pub(crate) fn refuse_empty(request: &[u8]) -> Result<(), RequestError> {
    if request.iter().all(u8::is_ascii_whitespace) {
        return Err(RequestError::Json(
            "the request is empty; expected a JSON object with kind, period and workers".into(),
        ));
    }
    Ok(())
}


/// The request a run reads: borrowed, or owned. An owned request's worker
/// records give their strings to the validated workers and the rest of it
/// is dropped before the payslips are computed, so a large run does not
/// hold its records, workers and payslips at once. Same result either way.
#[derive(Debug)]
pub enum Input<'r> {
    /// The caller keeps the request.
    Borrowed(&'r Request),
    /// The run consumes the request.
    Owned(Box<Request>),
}

impl<'r> From<&'r Request> for Input<'r> {
    fn from(req: &'r Request) -> Self {
        Input::Borrowed(req)
    }
}

impl Input<'_> {
    fn request(&self) -> &Request {
        match self {
            Input::Borrowed(req) => req,
            Input::Owned(req) => req,
        }
    }
}

impl From<Request> for Input<'static> {
    fn from(req: Request) -> Self {
        Input::Owned(Box::new(req))
    }
}

/// What a run does with each payslip it computes.
pub enum Payslips<'f> {
    /// Keeps them in [`Run::payslips`].
    Keep,
    /// Hands each to the function as it is computed, in worker-id order,
    /// and keeps none: for callers that write or fold payslips one at a
    /// time, so that a large run never holds them all. The function gets
    /// the payslip's worker (`slip.worker` is its index in the run's
    /// `workers`).
    Each(&'f mut dyn FnMut(&Worker, &Payslip)),
}

impl fmt::Debug for Payslips<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Payslips::Keep => "Keep",
            Payslips::Each(_) => "Each(..)",
        })
    }
}

/// Runs a request under `policy` (`None`: the request's own `policy` text,
/// else the built-in district policy) and keeps the payslips. The request
/// may be borrowed or given ([`Input`]).
///
/// ```
/// use payrules::{Request, run};
///
/// let request = Request::from_json(br#"{
///   "kind": "monthly", "period": "2026-11",
///   "workers": [{"id": "W001", "name": "Lin", "unit": "Wenquan", "position": "community_worker",
///                "title": "social_worker", "hired_on": "2020-03-01"}],
///   "assessments": [{"worker_id": "W001", "period": "2026-11", "grade": "pass"}]
/// }"#).unwrap();
/// let run = run(&request, None).unwrap();
/// assert!(run.complete());
/// assert_eq!(run.totals.gross.to_string(), "4400.00");
/// ```
pub fn run<'r>(req: impl Into<Input<'r>>, policy: Option<&PolicySet>) -> Result<Run, RequestError> {
    run_with(req, policy, Payslips::Keep)
}

/// [`run`], with what to do with each payslip ([`Payslips`]). With
/// [`Payslips::Each`] the returned [`Run`] is that of [`run`] except that
/// its `payslips` is empty: workers, honours, errors, quota reports, totals
/// and tax states are all there.
///
/// ```
/// use payrules::{Payslips, Request, run_with};
///
/// let request = Request::from_json(br#"{
///   "kind": "monthly", "period": "2026-11",
///   "workers": [{"id": "W001", "name": "Lin", "unit": "Wenquan", "position": "community_worker",
///                "title": "social_worker", "hired_on": "2020-03-01"}],
///   "assessments": [{"worker_id": "W001", "period": "2026-11", "grade": "pass"}]
/// }"#).unwrap();
/// let mut seen = Vec::new();
/// let mut each = |worker: &payrules::types::Worker, slip: &payrules::Payslip| {
///     seen.push((worker.id.to_string(), slip.gross))
/// };
/// let run = run_with(request, None, Payslips::Each(&mut each)).unwrap();
/// assert!(run.payslips.is_empty());
/// assert_eq!(seen, [("W001".to_string(), run.totals.gross)]);
/// ```
pub fn run_with<'r>(
    req: impl Into<Input<'r>>,
    policy: Option<&PolicySet>,
    payslips: Payslips<'_>,
) -> Result<Run, RequestError> {
    match payslips {
        Payslips::Keep => run_into(req.into(), policy, &mut Keep),
        Payslips::Each(each) => run_into(req.into(), policy, &mut Stream(each)),
    }
}

impl Request {
    /// Reads a `monthly` or `annual` request document, with every field
    /// bounded ([`Document::parse`](crate::Document::parse) reads a document
    /// of any kind).
    pub fn from_json(bytes: &[u8]) -> Result<Request, RequestError> {
        refuse_empty(bytes)?;
        crate::limits::check_request_size(bytes).map_err(RequestError::Json)?;
        let req: Request = serde_json::from_slice(bytes)
            .map_err(|e| RequestError::Json(crate::limits::json_error(&e)))?;
        check_fields(&req)?;
        Ok(req)
    }
}

/// Runs a request into `sink`. An owned request's worker records give
/// their strings to the validated workers and are released as they are
/// read; the rest of it is released before the payslips are computed.
fn run_into(
    req: Input<'_>,
    policy: Option<&PolicySet>,
    sink: &mut impl Sink,
) -> Result<Run, RequestError> {
    let set = PolicySet::chosen(req.request().policy.as_deref(), policy)?;
    let prepared = match req {
        Input::Borrowed(req) => {
            let records = Records::Borrowed(&req.workers);
            prepare(req, records, Assessments::Borrowed(&req.assessments), &set, None, req.kind, &req.period)?
        }
        Input::Owned(mut req) => {
            let records = Records::Owned(std::mem::take(&mut req.workers));
            let prepared =
                prepare(&req, records, Assessments::Borrowed(&req.assessments), &set, None, req.kind, &req.period)?;
            drop(req);
            prepared
        }
    };
    Ok(prepared.finish(sink))
}

#[cfg(feature = "files")]
/// [`run_with`] on a request whose roster and assessments come packed
/// beside it (a run from HR files, [`packed`]) in place of its own
/// `workers` and `assessments`. The roster is released as the run reads
/// it; the rest of the request and the assessments before the payslips are
/// computed. Same result as [`run_with`] on the request with the lists
/// unpacked into it (a request that has lists of its own is run that way,
/// its records after the packed ones).
pub(crate) fn run_packed(
    req: Request,
    roster: packed::Packed<crate::worker::WorkerRecord>,
    assessments: packed::Packed<crate::worker::AssessmentRecord>,
    policy: Option<&PolicySet>,
    payslips: Payslips<'_>,
) -> Result<Run, RequestError> {
    if !req.workers.is_empty() || !req.assessments.is_empty() {
        let mut req = req;
        let mut workers = roster.to_vec();
        workers.append(&mut req.workers);
        let mut list = assessments.to_vec();
        list.append(&mut req.assessments);
        req.workers = workers;
        req.assessments = list;
        return run_with(req, policy, payslips);
    }
    let set = PolicySet::chosen(req.policy.as_deref(), policy)?;
    let records = Records::Packed(roster);
    let assessments = Assessments::Packed(assessments);
    let prepared = prepare(&req, records, assessments, &set, None, req.kind, &req.period)?;
    drop(req);
    Ok(match payslips {
        Payslips::Keep => prepared.finish(&mut Keep),
        Payslips::Each(each) => prepared.finish(&mut Stream(each)),
    })
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
    let prepared = prepare(req, records, Assessments::Borrowed(&req.assessments), set, Some(among), kind, period)?;
    Ok(prepared.finish(&mut Fold(&mut each)))
}

/// Reads and validates a request's inputs for a run of `kind` and `period`
/// under the policy version in force; `among`, when given, lists the only
/// assessments that may concern the run.
fn prepare<'a, 'w, 'p>(
    req: &'a Request,
    records: Records<'a, 'w>,
    assessments: Assessments<'a>,
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
            Ok(Runner::new(policy, req, records, assessments, among, period, (first, last)).monthly(month))
        }
        Kind::Annual => {
            let year: Year = period.parse().map_err(period_error)?;
            let policy = set.version_on(year.first_day())?;
            let records = records.for_version(req, policy);
            let (first, last) = (year.first_day(), year.last_day());
            Ok(Runner::new(policy, req, records, assessments, among, period, (first, last)).annual(year))
        }
    }
}

#[cfg(test)]
mod tests {
    // The example district comes from the files feature's example module.
    #[cfg(feature = "files")]
    use super::*;
    #[cfg(feature = "files")]
    use crate::worker::WorkerRecord;

    /// The example district with records of every kind a roster can hold:
    /// a doubled id, blank ids, an impossible date, a bad title and position
    /// on employed and on departed workers, a leaver before hiring.
    #[cfg(feature = "files")]
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
                left_on: left.map(Into::into),
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
    #[cfg(feature = "files")]
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
            let want: Vec<(CompactString, Payslip)> = plain
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

    /// A run of a roster and assessments packed beside the request (the
    /// CLI's, its roster validated in two halves at once past 196,608
    /// records) gives the workers, payslips, totals and errors of a plain
    /// run, with the awkward records and a doubled id across the halves.
    #[cfg(feature = "files")]
    #[test]
    fn packed_runs_equal_plain_runs() {
        let month: YearMonth = "2026-11".parse().unwrap();
        let mut req = crate::synth::monthly_request(200_000, month);
        let awkward = awkward();
        let n = req.workers.len();
        for (k, w) in awkward.workers.iter().take(12).enumerate() {
            // Half the awkward records in each half of the roster.
            req.workers.insert(if k % 2 == 0 { 3 + k } else { n - 40 + k }, w.clone());
        }
        let twin = req.workers[10].clone();
        req.workers.insert(n - 7, twin);
        let plain = run(&req, None).unwrap();
        assert!(!plain.errors.is_empty());
        let mut bare = req.clone();
        let roster = packed::Packed::from_vec(std::mem::take(&mut bare.workers)).unwrap();
        let assessments = packed::Packed::from_vec(std::mem::take(&mut bare.assessments)).unwrap();
        assert!(roster.len() > 3 * 65_536);
        let got = run_packed(bare, roster, assessments, None, Payslips::Keep).unwrap();
        assert_eq!(got.workers, plain.workers);
        assert_eq!(got.payslips, plain.payslips);
        assert_eq!(got.errors, plain.errors);
        assert_eq!(got.warnings, plain.warnings);
        assert_eq!(got.totals, plain.totals);
        assert_eq!(got.quota, plain.quota);
    }
}
