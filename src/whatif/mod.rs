//! Reforms and what-if runs: price a policy change before it is adopted.
//!
//! A [`Reform`] is a small TOML file that names its base policy, the date it
//! takes effect and only the keys it changes:
//!
//! ```toml
//! id = "excellent-quota-25"
//! base = "gulou"
//! effective_from = 2026-01-01
//!
//! [changes]
//! quota.excellent = "0.25"
//! ```
//!
//! [`Reform::apply`] copies the base version in force on `effective_from`,
//! overrides the changed keys at the TOML level, inserts the result as a new
//! version from that date and validates the whole merged policy with
//! [`PolicySet::from_toml`]; problems are reported under the reform's own keys
//! (`changes.monthly_bonus.excellent`). [`whatif`] then runs base and reform
//! through [`crate::run::run`] on the same inputs and compares them per
//! worker, line, unit and period.
//!
//! ```
//! use payrules::policy::PolicySet;
//! use payrules::whatif::Reform;
//! use payrules::period::parse_date;
//!
//! let reform = Reform::from_toml(r#"
//!     id = "plus100"
//!     base = "gulou"
//!     effective_from = 2026-01-01
//!     [changes]
//!     monthly_bonus.excellent = "1400.00"
//!     monthly_bonus.band = ["900.00", "1400.00"]
//! "#).unwrap();
//! let merged = reform.apply(&PolicySet::builtin()).unwrap();
//! let p = merged.version_on(parse_date("2026-11-01").unwrap()).unwrap();
//! assert_eq!(p.version(), "2018+plus100");
//! assert_eq!(p.monthly_bonus().excellent.to_string(), "1400.00");
//! // Before the reform the base version is still in force, now ending the day before.
//! let old = merged.version_on(parse_date("2025-12-31").unwrap()).unwrap();
//! assert_eq!(old.monthly_bonus().excellent.to_string(), "1300.00");
//!
//! // The merged policy must be valid; the error names the reform's key.
//! let bad = Reform::from_toml(r#"
//!     id = "too-much"
//!     base = "gulou"
//!     effective_from = 2026-01-01
//!     [changes]
//!     monthly_bonus.excellent = "1400.00"
//! "#).unwrap();
//! let msg = bad.apply(&PolicySet::builtin()).unwrap_err().to_string();
//! assert!(msg.contains("changes.monthly_bonus.excellent: 1400.00 is outside the band 900.00..1300.00"), "{msg}");
//! ```

use crate::money::Amount;
use crate::period::{Year, YearMonth, parse_date};
use crate::policy::{PolicyError, PolicySet, Problem};
use crate::rules::payslip::{GradeNote, LineCode, Payslip, Why};
use crate::run::{self, InputError, Kind, Request, RequestError};
use crate::worker::{AssessmentRecord, Grade, HonourRecord, Worker, WorkerRecord};
use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::ser::{SerializeMap, SerializeStruct};
use serde::{Deserialize, Serialize, Serializer};
use std::collections::BTreeMap;
use std::fmt;
use toml::{Table, Value};

mod compare;
mod doc;
mod reform;

pub use crate::policy::ReformError;
pub use compare::compare;
#[cfg_attr(not(feature = "internals"), allow(unused_imports))]
pub use reform::{Change, Reform};

/// What a what-if run covers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    /// One month's pay.
    Month(YearMonth),
    /// A year: twelve monthly runs and the annual run.
    Year(Year),
}

impl Scope {
    /// Reads `YYYY-MM` or `YYYY`.
    pub fn parse(text: &str) -> Result<Scope, RequestError> {
        if let Ok(m) = text.parse::<YearMonth>() {
            return Ok(Scope::Month(m));
        }
        text.parse::<Year>().map(Scope::Year).map_err(|_| {
            RequestError::Period(format!(
                "{text:?}: a what-if period is a month YYYY-MM or a year YYYY"
            ))
        })
    }
    fn last_day(self) -> NaiveDate {
        match self {
            Scope::Month(m) => m.last_day(),
            Scope::Year(y) => y.last_day(),
        }
    }
    /// The runs of the scope, in order: `(kind, period, first day)`.
    fn runs(self) -> Vec<(Kind, String, NaiveDate)> {
        match self {
            Scope::Month(m) => vec![(Kind::Monthly, m.to_string(), m.first_day())],
            Scope::Year(y) => y
                .months()
                .map(|m| (Kind::Monthly, m.to_string(), m.first_day()))
                .chain([(Kind::Annual, y.to_string(), y.first_day())])
                .collect(),
        }
    }
}

impl fmt::Display for Scope {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Scope::Month(m) => m.fmt(f),
            Scope::Year(y) => y.fmt(f),
        }
    }
}

/// An old and a new amount.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Delta {
    /// Under the base policy.
    pub old: Decimal,
    /// Under the reform.
    pub new: Decimal,
}

impl Delta {
    /// `new − old`.
    pub fn delta(&self) -> Decimal {
        self.new - self.old
    }
    fn add(&mut self, side: Side, amount: Decimal) {
        // Invariant: amounts are rounded lines of policy amounts ≤ 1e9; sums of
        // many millions of them stay far below Decimal's range.
        match side {
            Side::Base => self.old += amount,
            Side::Reform => self.new += amount,
            Side::Both => {
                self.old += amount;
                self.new += amount;
            }
        }
    }
}

impl Serialize for Delta {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut st = s.serialize_struct("Delta", 3)?;
        st.serialize_field("old", &Amount(self.old))?;
        st.serialize_field("new", &Amount(self.new))?;
        st.serialize_field("delta", &Amount(self.delta()))?;
        st.end()
    }
}

/// Which run something came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Side {
    /// The base policy's run.
    Base,
    /// The reform's run.
    Reform,
    /// Both runs.
    Both,
}

/// How a worker fares under the reform.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Outcome {
    /// Paid more.
    Gain,
    /// Paid less.
    Lose,
    /// Paid the same.
    Same,
}

/// One worker's pay under base and reform over the whole scope.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WorkerDelta {
    /// Worker id.
    pub id: String,
    /// Name.
    pub name: String,
    /// Unit.
    pub unit: String,
    /// Sum per line code over the scope, for codes paid on either side, in payslip order.
    pub lines: Vec<(LineCode, Delta)>,
    /// Gross over the scope.
    pub gross: Delta,
    /// Paid by base, reform or both (a worker paid by one side only had an
    /// input error in the other; see the errors).
    pub paid: Side,
}

impl WorkerDelta {
    /// Gain, lose or same.
    pub fn outcome(&self) -> Outcome {
        match self.gross.delta().cmp(&Decimal::ZERO) {
            std::cmp::Ordering::Greater => Outcome::Gain,
            std::cmp::Ordering::Less => Outcome::Lose,
            std::cmp::Ordering::Equal => Outcome::Same,
        }
    }
}

/// One period's totals under base and reform.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PeriodDelta {
    /// Monthly or annual.
    pub kind: Kind,
    /// `YYYY-MM` or `YYYY`.
    pub period: String,
    /// Base version used.
    pub base_version: String,
    /// Version used on the reform side.
    pub reform_version: String,
    /// Whether the reform's version was the one in force (false before its effective date).
    pub reform_in_force: bool,
    /// Workers paid by the base run and by the reform run.
    pub workers: (usize, usize),
    /// Gross.
    pub gross: Delta,
}

/// A worker whose grade differs between base and reform in one period.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GradeChange {
    /// Worker id.
    pub worker_id: String,
    /// Unit.
    pub unit: String,
    /// The period.
    pub period: String,
    /// Grade under the base policy.
    pub old: Grade,
    /// Grade under the reform.
    pub new: Grade,
    /// Whether a score drove either grade (the quota assigned it).
    pub scored: bool,
}

/// An input error of one of the runs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WhatifError {
    /// The period of the run.
    pub period: String,
    /// Which run reported it.
    pub side: Side,
    /// The error.
    pub error: InputError,
}

/// Names the reform in the result.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ReformRef {
    /// Reform id.
    pub id: String,
    /// Reform name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Base policy id.
    pub base: String,
    /// Label of the version the reform makes.
    pub version: String,
    /// First day in force.
    pub effective_from: String,
}

/// The result of a what-if run.
#[derive(Debug, Clone)]
pub struct Whatif {
    /// Month or year.
    pub scope: Scope,
    /// The reform.
    pub reform: ReformRef,
    /// Per run: the twelve months and the annual run for a year.
    pub periods: Vec<PeriodDelta>,
    /// Per worker, sorted by id: every worker paid on either side.
    pub workers: Vec<WorkerDelta>,
    /// Gross per unit.
    pub by_unit: BTreeMap<String, Delta>,
    /// Per line code.
    pub by_code: BTreeMap<LineCode, Delta>,
    /// Gross in total.
    pub total: Delta,
    /// Grade changes, by period then worker id.
    pub grade_changes: Vec<GradeChange>,
    /// Input errors of the runs, by period, then as each run sorts them.
    pub errors: Vec<WhatifError>,
}

/// Counts of workers by outcome.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub struct Counts {
    /// Paid more under the reform.
    pub gain: usize,
    /// Paid less.
    pub lose: usize,
    /// Paid the same.
    pub same: usize,
}

/// A what-if request: the JSON document with `"kind": "whatif"`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WhatifRequest {
    /// Always `whatif`.
    pub kind: WhatifKind,
    /// `YYYY-MM` (one month) or `YYYY` (twelve months and the annual bonus).
    pub period: String,
    /// The base policy as TOML; absent means the caller's, or the built-in.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub policy: Option<String>,
    /// The reform as TOML text.
    pub reform: String,
    /// The roster.
    #[serde(default)]
    pub workers: Vec<WorkerRecord>,
    /// Assessments.
    #[serde(default)]
    pub assessments: Vec<AssessmentRecord>,
    /// Honours.
    #[serde(default)]
    pub honours: Vec<HonourRecord>,
    /// Changes of position, title or unit (as in a run request).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub changes: Vec<crate::worker::ChangeRecord>,
}

/// The `kind` of a what-if request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum WhatifKind {
    /// `"whatif"`.
    Whatif,
}

/// Runs a what-if request: reads its policy (or uses `policy`, or the
/// built-in) and its reform, and compares.
pub fn whatif(req: WhatifRequest, policy: Option<&PolicySet>) -> Result<Whatif, RequestError> {
    let scope = Scope::parse(&req.period)?;
    let base = PolicySet::chosen(req.policy.as_deref(), policy)?;
    let base = &*base;
    let reform = Reform::from_toml(&req.reform)?;
    let inputs = Request {
        kind: Kind::Monthly,
        period: req.period,
        policy: None,
        workers: req.workers,
        assessments: req.assessments,
        honours: req.honours,
        tax: Vec::new(),
        ytd: Vec::new(),
        adjustments: Vec::new(),
        changes: req.changes,
        explain: true,
    };
    compare(&inputs, base, &reform, scope)
}

impl Whatif {
    /// Whether both runs of every period had no input errors.
    pub fn complete(&self) -> bool {
        self.errors.is_empty()
    }

    /// Workers who gain, lose or stay the same.
    pub fn counts(&self) -> Counts {
        let mut c = Counts::default();
        for w in &self.workers {
            match w.outcome() {
                Outcome::Gain => c.gain += 1,
                Outcome::Lose => c.lose += 1,
                Outcome::Same => c.same += 1,
            }
        }
        c
    }

    /// The response document as JSON.
    pub fn to_json(&self) -> String {
        // Invariant: the document holds only strings, numbers, booleans, maps
        // with string keys and sequences, which serde_json always writes.
        serde_json::to_string_pretty(self).expect("what-if serialises")
    }
}

#[cfg(test)]
mod tests {
    use super::compare::merge_errors;
    use super::*;

    fn reform(changes: &str, from: &str) -> Reform {
        Reform::from_toml(&format!(
            "id = \"t\"\nbase = \"gulou\"\neffective_from = {from}\n[changes]\n{changes}\n"
        ))
        .unwrap()
    }

    fn problems(e: ReformError) -> Vec<(String, String)> {
        match e {
            ReformError::Invalid(p) => p.into_iter().map(|p| (p.path, p.message)).collect(),
            other => panic!("expected problems, got {other}"),
        }
    }

    #[test]
    fn reads_keys_and_round_trips() {
        let r = reform(
            "quota.excellent = \"0.25\"\nmonthly_bonus = { band = [\"900.00\", \"1400.00\"], excellent = \"1400.00\" }",
            "2026-01-01",
        );
        let keys: Vec<String> = r.changes.iter().map(Change::key).collect();
        assert_eq!(
            keys,
            [
                "monthly_bonus.band",
                "monthly_bonus.excellent",
                "quota.excellent"
            ]
        );
        assert_eq!(r.effective_from, parse_date("2026-01-01").unwrap());
        assert_eq!(Reform::from_toml(&r.to_toml()).unwrap(), r);
    }

    #[test]
    fn refuses_bad_reform_files() {
        let e = Reform::from_toml("id = \"a b\"\neffective_from = \"2026-13-01\"\ncolour = 1\n[changes]\nversion = \"x\"\n")
            .unwrap_err();
        let p = problems(e);
        let paths: Vec<&str> = p.iter().map(|(a, _)| a.as_str()).collect();
        assert_eq!(
            paths,
            ["base", "id", "effective_from", "changes.version", "colour"]
        );
        let e = Reform::from_toml(
            "id = \"x\"\nbase = \"gulou\"\neffective_from = 2026-01-01\n[changes]\n",
        )
        .unwrap_err();
        assert!(e.to_string().contains("changes: empty"), "{e}");
        assert!(matches!(
            Reform::from_toml("id = ["),
            Err(ReformError::Toml(_))
        ));
    }

    #[test]
    fn a_later_date_ends_the_base_version_the_day_before() {
        let set = PolicySet::builtin();
        let merged = reform("quota.excellent = \"0.25\"", "2026-07-01")
            .apply(&set)
            .unwrap();
        let labels: Vec<(&str, String, Option<String>)> = merged
            .versions
            .iter()
            .map(|v| {
                (
                    v.version.as_str(),
                    v.effective_from.to_string(),
                    v.effective_until.map(|d| d.to_string()),
                )
            })
            .collect();
        assert_eq!(
            labels,
            [
                ("2018", "2018-01-01".into(), Some("2026-06-30".into())),
                ("2018+t", "2026-07-01".into(), None)
            ]
        );
        let (old, new) = (&merged.versions[0], &merged.versions[1]);
        assert_eq!(old.quota.excellent.to_string(), "0.20");
        assert_eq!(new.quota.excellent.to_string(), "0.25");
        // Everything not changed is copied.
        assert_eq!(new.monthly_bonus, old.monthly_bonus);
        assert_eq!(new.positions, old.positions);
    }

    #[test]
    fn the_same_date_replaces_the_base_version() {
        let mut r = reform("honours.municipal = \"4000.00\"", "2018-01-01");
        r.version = Some("2018b".into());
        let merged = r.apply(&PolicySet::builtin()).unwrap();
        assert_eq!(merged.versions.len(), 1);
        assert_eq!(merged.versions[0].version, "2018b");
        assert_eq!(merged.versions[0].honours.municipal.to_string(), "4000.00");
        r.version = Some("2018".into());
        assert!(r.apply(&PolicySet::builtin()).is_ok());
    }

    #[test]
    fn merged_problems_name_the_reform_keys() {
        let set = PolicySet::builtin();
        // A band that leaves an unchanged amount outside it.
        let p = problems(
            reform(
                "monthly_bonus.band = [\"1000.00\", \"1300.00\"]",
                "2026-01-01",
            )
            .apply(&set)
            .unwrap_err(),
        );
        assert_eq!(
            p,
            [(
                "changes.monthly_bonus.band".to_string(),
                "in the merged policy, monthly_bonus.pass: 900.00 is outside the band 1000.00..1300.00"
                    .to_string()
            )]
        );
        // Caps that overflow one headcount are reported on the quota table.
        let p = problems(
            reform("quota.good = \"0.85\"", "2026-01-01")
                .apply(&set)
                .unwrap_err(),
        );
        assert_eq!(p[0].0, "changes.quota.good");
        assert!(
            p[0].1
                .contains("excellent 0.20 + good 0.85 = 1.05 is over 1"),
            "{p:?}"
        );
        // A key below a value that is not a table.
        let p = problems(
            reform("quota.excellent.high = \"1\"", "2026-01-01")
                .apply(&set)
                .unwrap_err(),
        );
        assert_eq!(p[0].0, "changes.quota.excellent.high");
        assert!(p[0].1.contains("quota.excellent is a string"), "{p:?}");
        // A label already used.
        let mut r = reform("quota.good = \"0.50\"", "2026-01-01");
        r.version = Some("2018".into());
        let p = problems(r.apply(&set).unwrap_err());
        assert_eq!(p[0].0, "version");
    }

    #[test]
    fn the_base_must_match() {
        let mut r = reform("quota.good = \"0.50\"", "2026-01-01");
        r.base = "other".into();
        r.base_version = Some("2017".into());
        let p = problems(r.apply(&PolicySet::builtin()).unwrap_err());
        let paths: Vec<&str> = p.iter().map(|(a, _)| a.as_str()).collect();
        assert_eq!(paths, ["base", "base_version"]);
        assert!(p[1].1.contains("versions: 2018 from 2018-01-01"), "{p:?}");
    }

    #[test]
    fn inverse_restores_the_base_values() {
        let set = PolicySet::builtin();
        let r = reform(
            "quota.excellent = \"0.25\"\ntitle_allowance.social_worker = \"500.00\"",
            "2026-01-01",
        );
        let merged = r.apply(&set).unwrap();
        let inv = r.inverse(&set).unwrap();
        assert_eq!(inv.changes[0].value, Value::String("0.20".into()));
        let back = inv.apply(&merged).unwrap();
        let d = parse_date("2026-05-01").unwrap();
        let (mut a, b) = (
            back.version_on(d).unwrap().clone(),
            set.version_on(d).unwrap(),
        );
        assert_eq!(a.version, "2018+t-undo");
        a.version = b.version.clone();
        a.effective_from = b.effective_from;
        assert_eq!(&a, b);
        let added = reform("quota.excellent_min_score = \"90\"", "2026-01-01");
        assert!(added.apply(&set).is_ok());
        assert!(added.inverse(&set).is_err());
    }

    #[test]
    fn errors_of_both_runs_are_merged() {
        let e = |w: &str| InputError {
            worker_id: Some(w.into()),
            field: "grade".into(),
            message: "m".into(),
            source: None,
            related: Vec::new(),
        };
        let mut out = Vec::new();
        merge_errors("2026-11", &[e("A"), e("B")], &[e("B"), e("C")], &mut out);
        let got: Vec<(Side, Option<String>)> = out
            .into_iter()
            .map(|x| (x.side, x.error.worker_id))
            .collect();
        assert_eq!(
            got,
            [
                (Side::Base, Some("A".into())),
                (Side::Both, Some("B".into())),
                (Side::Reform, Some("C".into()))
            ]
        );
    }

    #[test]
    fn scope_parses_months_and_years() {
        assert_eq!(
            Scope::parse("2026-11").unwrap(),
            Scope::Month("2026-11".parse().unwrap())
        );
        assert_eq!(Scope::parse("2026").unwrap().to_string(), "2026");
        assert!(Scope::parse("2026-13").is_err());
        assert_eq!(Scope::parse("2026").unwrap().runs().len(), 13);
    }
}
