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
//! use payrules::reform::Reform;
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
//! assert_eq!(p.version, "2018+plus100");
//! assert_eq!(p.monthly_bonus.excellent.to_string(), "1400.00");
//! // Before the reform the base version is still in force, now ending the day before.
//! let old = merged.version_on(parse_date("2025-12-31").unwrap()).unwrap();
//! assert_eq!(old.monthly_bonus.excellent.to_string(), "1300.00");
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
use crate::payslip::{GradeNote, LineCode, Payslip, Why};
use crate::period::{Year, YearMonth, parse_date};
use crate::policy::{PolicyError, PolicySet, Problem};
use crate::run::{self, InputError, Kind, Request, RequestError};
use crate::worker::{AssessmentRecord, Grade, HonourRecord, Worker, WorkerRecord};
use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::ser::{SerializeMap, SerializeStruct};
use serde::{Deserialize, Serialize, Serializer};
use std::collections::BTreeMap;
use std::fmt::{self, Write as _};
use toml::{Table, Value};

/// Errors from reading or applying a reform.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ReformError {
    /// The text is not TOML.
    #[error("reform is not valid TOML: {0}")]
    Toml(String),
    /// The reform, or the policy it makes, breaks the rules; every problem is
    /// listed under the reform's own key (`changes.quota.excellent`).
    #[error("reform has {} problem(s):\n{}", .0.len(), .0.iter().map(|p| format!("  - {p}")).collect::<Vec<_>>().join("\n"))]
    Invalid(Vec<Problem>),
}

/// One changed key: its path below the version table and the new value.
#[derive(Debug, Clone, PartialEq)]
pub struct Change {
    /// Path segments, such as `["monthly_bonus", "excellent"]`.
    pub path: Vec<String>,
    /// The new value, as TOML.
    pub value: Value,
}

impl Change {
    /// The dotted key, such as `monthly_bonus.excellent`.
    pub fn key(&self) -> String {
        self.path.join(".")
    }
}

/// A policy change as data.
#[derive(Debug, Clone, PartialEq)]
pub struct Reform {
    /// Identifier, such as `excellent-quota-25`.
    pub id: String,
    /// Human name.
    pub name: Option<String>,
    /// The base policy's id (must match the policy it is applied to).
    pub base: String,
    /// The base version's label, when the reform pins it.
    pub base_version: Option<String>,
    /// Label of the version the reform makes; default `BASEVERSION+ID`.
    pub version: Option<String>,
    /// First day the reform is in force.
    pub effective_from: NaiveDate,
    /// The changed keys, sorted by key.
    pub changes: Vec<Change>,
}

const META_KEYS: &str = "id, name, note, base, base_version, version, effective_from and [changes]";

fn problem(path: impl Into<String>, message: impl Into<String>) -> Problem {
    Problem {
        path: path.into(),
        message: message.into(),
    }
}

fn flatten(prefix: &mut Vec<String>, t: &Table, out: &mut Vec<Change>) {
    for (k, v) in t {
        prefix.push(k.clone());
        match v {
            Value::Table(inner) if !inner.is_empty() => flatten(prefix, inner, out),
            _ => out.push(Change {
                path: prefix.clone(),
                value: v.clone(),
            }),
        }
        prefix.pop();
    }
}

fn toml_date(d: NaiveDate) -> Value {
    use chrono::Datelike;
    Value::Datetime(toml::value::Datetime {
        date: Some(toml::value::Date {
            year: d.year() as u16,
            month: d.month() as u8,
            day: d.day() as u8,
        }),
        time: None,
        offset: None,
    })
}

/// The value at `path` below `t`, if any.
fn lookup<'a>(t: &'a Table, path: &[String]) -> Option<&'a Value> {
    let (last, init) = path.split_last()?;
    let mut cur = t;
    for seg in init {
        match cur.get(seg) {
            Some(Value::Table(inner)) => cur = inner,
            _ => return None,
        }
    }
    cur.get(last)
}

impl Reform {
    /// Reads a reform; reports every problem at once, each with its key.
    pub fn from_toml(text: &str) -> Result<Reform, ReformError> {
        let t: Table = text
            .parse()
            .map_err(|e: toml::de::Error| ReformError::Toml(e.to_string().trim().to_string()))?;
        let mut problems = Vec::new();
        let string = |key: &str, required: bool, problems: &mut Vec<Problem>| match t.get(key) {
            None if required => {
                problems.push(problem(key, "missing; expected a string"));
                None
            }
            None => None,
            Some(Value::String(s)) if !s.trim().is_empty() => Some(s.clone()),
            Some(v) => {
                problems.push(problem(
                    key,
                    format!("expected a non-empty string, found a {}", v.type_str()),
                ));
                None
            }
        };
        let id = string("id", true, &mut problems);
        let name = string("name", false, &mut problems);
        let _note = string("note", false, &mut problems);
        let base = string("base", true, &mut problems);
        let base_version = string("base_version", false, &mut problems);
        let version = string("version", false, &mut problems);
        if let Some(id) = &id
            && !id
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
        {
            problems.push(problem(
                "id",
                format!("{id:?}: expected letters, digits, '-' or '_'"),
            ));
        }
        let effective_from = match t.get("effective_from") {
            None => {
                problems.push(problem(
                    "effective_from",
                    "missing; expected the first day the reform is in force, such as 2027-01-01",
                ));
                None
            }
            Some(Value::Datetime(dt)) if dt.time.is_none() && dt.offset.is_none() => dt
                .date
                .and_then(|d| crate::period::ymd(d.year.into(), d.month.into(), d.day.into())),
            Some(Value::String(s)) => parse_date(s).ok(),
            Some(_) => None,
        };
        if effective_from.is_none() && t.contains_key("effective_from") {
            problems.push(problem(
                "effective_from",
                "expected a date such as 2027-01-01",
            ));
        }
        let mut changes = Vec::new();
        match t.get("changes") {
            None => problems.push(problem(
                "changes",
                "missing; expected a [changes] table with the keys the reform changes, such as quota.excellent = \"0.25\"",
            )),
            Some(Value::Table(c)) => flatten(&mut Vec::new(), c, &mut changes),
            Some(v) => problems.push(problem(
                "changes",
                format!("expected a table, found a {}", v.type_str()),
            )),
        }
        if t.contains_key("changes") && changes.is_empty() && problems.is_empty() {
            problems.push(problem(
                "changes",
                "empty; a reform must change at least one key",
            ));
        }
        for c in &changes {
            if let Some(first) = c.path.first()
                && matches!(
                    first.as_str(),
                    "version" | "effective_from" | "effective_until"
                )
            {
                problems.push(problem(
                    format!("changes.{}", c.key()),
                    "a reform's version and dates are set by its own version and effective_from keys, not in [changes]",
                ));
            }
        }
        for k in t.keys() {
            if !matches!(
                k.as_str(),
                "id" | "name"
                    | "note"
                    | "base"
                    | "base_version"
                    | "version"
                    | "effective_from"
                    | "changes"
            ) {
                problems.push(problem(
                    k.clone(),
                    format!("unknown key; a reform has {META_KEYS} (policy keys go in [changes])"),
                ));
            }
        }
        changes.sort_by(|a, b| a.path.cmp(&b.path));
        match (id, base, effective_from) {
            (Some(id), Some(base), Some(effective_from)) if problems.is_empty() => Ok(Reform {
                id,
                name,
                base,
                base_version,
                version,
                effective_from,
                changes,
            }),
            _ => Err(ReformError::Invalid(problems)),
        }
    }

    /// Writes the reform as TOML that [`Reform::from_toml`] reads back unchanged.
    pub fn to_toml(&self) -> String {
        let mut t = Table::new();
        t.insert("id".into(), Value::String(self.id.clone()));
        if let Some(n) = &self.name {
            t.insert("name".into(), Value::String(n.clone()));
        }
        t.insert("base".into(), Value::String(self.base.clone()));
        if let Some(v) = &self.base_version {
            t.insert("base_version".into(), Value::String(v.clone()));
        }
        if let Some(v) = &self.version {
            t.insert("version".into(), Value::String(v.clone()));
        }
        t.insert("effective_from".into(), toml_date(self.effective_from));
        let mut changes = Table::new();
        for c in &self.changes {
            insert_path(&mut changes, &c.path, c.value.clone());
        }
        t.insert("changes".into(), Value::Table(changes));
        // Invariant: a table of strings, dates and TOML values read from TOML always serialises.
        toml::to_string(&t).expect("reform serialises")
    }

    /// The label of the version the reform makes, given its base version's label.
    pub fn version_label(&self, base_version: &str) -> String {
        self.version
            .clone()
            .unwrap_or_else(|| format!("{base_version}+{}", self.id))
    }

    /// Finds the base version: the one in force on `effective_from`, checked
    /// against `base` and `base_version`.
    fn base_index(&self, set: &PolicySet) -> Result<usize, ReformError> {
        let mut problems = Vec::new();
        if set.id != self.base {
            problems.push(problem(
                "base",
                format!(
                    "the reform is for policy {:?} but is applied to policy {:?}",
                    self.base, set.id
                ),
            ));
        }
        let spans = || {
            set.versions
                .iter()
                .map(|v| format!("{} from {}", v.version, v.effective_from))
                .collect::<Vec<_>>()
                .join("; ")
        };
        let in_force = set
            .version_on(self.effective_from)
            .ok()
            .and_then(|p| set.versions.iter().position(|v| v.version == p.version));
        if let Some(label) = &self.base_version {
            match set.versions.iter().position(|v| &v.version == label) {
                None => problems.push(problem(
                    "base_version",
                    format!(
                        "policy {} has no version {label:?}; its versions: {}",
                        set.id,
                        spans()
                    ),
                )),
                Some(i) if set.versions[i].effective_from > self.effective_from => {
                    problems.push(problem(
                        "effective_from",
                        format!(
                            "{} is before its base version {} {label} takes effect ({}); a reform cannot be dated before its base",
                            self.effective_from, set.id, set.versions[i].effective_from
                        ),
                    ))
                }
                Some(i) if in_force != Some(i) => problems.push(problem(
                    "base_version",
                    format!(
                        "version {label} is not in force on {}; a reform changes the version in force on its effective_from (versions: {})",
                        self.effective_from,
                        spans()
                    ),
                )),
                Some(_) => {}
            }
        }
        if in_force.is_none() && !problems.iter().any(|p| p.path == "effective_from") {
            problems.push(problem(
                "effective_from",
                format!(
                    "no version of policy {} is in force on {}, so the reform has no base (versions: {}); a reform cannot be dated before its base",
                    set.id,
                    self.effective_from,
                    spans()
                ),
            ));
        }
        match in_force {
            Some(i) if problems.is_empty() => Ok(i),
            _ => Err(ReformError::Invalid(problems)),
        }
    }

    /// Applies the reform to `base`: the version in force on `effective_from`
    /// is copied with the changed keys, and the copy is in force from
    /// `effective_from` until the base version would have ended; the base
    /// version now ends the day before (or is replaced when it starts on the
    /// same day). Other versions are untouched. The merged policy is
    /// validated as a whole.
    pub fn apply(&self, base: &PolicySet) -> Result<PolicySet, ReformError> {
        let i = self.base_index(base)?;
        let base_label = base.versions[i].version.clone();
        let label = self.version_label(&base_label);
        if let Some(other) = base.versions.iter().find(|v| v.version == label)
            && !(other.version == base_label
                && base.versions[i].effective_from == self.effective_from)
        {
            return Err(ReformError::Invalid(vec![problem(
                "version",
                format!(
                    "policy {} already has a version {label:?}; give the reform another version label",
                    base.id
                ),
            )]));
        }
        let mut doc = policy_doc(base)?;
        let base_table = version_table(&doc, i)?.clone();
        let Some(Value::Array(versions)) = doc.get_mut("versions") else {
            return Err(internal());
        };
        let mut new = base_table.clone();
        new.insert("version".into(), Value::String(label.clone()));
        new.insert("effective_from".into(), toml_date(self.effective_from));
        let mut problems = Vec::new();
        let mut added = Vec::new();
        for c in &self.changes {
            match set_path(&mut new, &c.path, c.value.clone()) {
                Ok(existed) => {
                    if !existed {
                        added.push(c.key());
                    }
                }
                Err(at) => problems.push(problem(
                    format!("changes.{}", c.key()),
                    format!(
                        "{at} is a {} in policy {} {base_label}, not a table, so it has no key {:?}",
                        lookup(&base_table, &c.path[..at.split('.').count()])
                            .map_or("value", Value::type_str),
                        base.id,
                        c.path.last().map_or("", String::as_str)
                    ),
                )),
            }
        }
        if !problems.is_empty() {
            return Err(ReformError::Invalid(problems));
        }
        let new_index;
        if base.versions[i].effective_from == self.effective_from {
            versions[i] = Value::Table(new);
            new_index = i;
        } else {
            if let Some(Value::Table(b)) = versions.get_mut(i)
                && let Some(day_before) = self.effective_from.pred_opt()
            {
                b.insert("effective_until".into(), toml_date(day_before));
            }
            versions.insert(i + 1, Value::Table(new));
            new_index = i + 1;
        }
        // Invariant: a table read from TOML, with TOML values inserted, serialises.
        let text = toml::to_string(&doc).expect("merged policy serialises");
        PolicySet::from_toml(&text).map_err(|e| match e {
            PolicyError::Invalid(problems) => ReformError::Invalid(
                problems
                    .into_iter()
                    .map(|p| self.map_problem(p, new_index, &base_table, &added, base, &base_label))
                    .collect(),
            ),
            other => ReformError::Invalid(vec![problem(
                "changes",
                format!("the merged policy is invalid: {other}"),
            )]),
        })
    }

    /// Names a problem of the merged policy by the reform key that caused it.
    fn map_problem(
        &self,
        p: Problem,
        new_index: usize,
        base_table: &Table,
        added: &[String],
        base: &PolicySet,
        base_label: &str,
    ) -> Problem {
        let prefix = format!("versions[{new_index}]");
        let rel = match p.path.strip_prefix(&prefix) {
            Some("") => "",
            Some(r) if r.starts_with('.') => &r[1..],
            _ => {
                return problem(
                    "changes",
                    format!("the merged policy is invalid at {}: {}", p.path, p.message),
                );
            }
        };
        let keys: Vec<String> = self.changes.iter().map(Change::key).collect();
        // 1. The changed key itself (or an element of it, such as band[0]).
        if let Some(k) = keys.iter().find(|k| {
            rel == k.as_str()
                || rel
                    .strip_prefix(k.as_str())
                    .is_some_and(|r| r.starts_with('['))
        }) {
            let message = if added.contains(k) && p.message.starts_with("unknown key") {
                let path: Vec<String> = k.split('.').map(str::to_string).collect();
                let parent = &path[..path.len() - 1];
                let known = match parent.is_empty() {
                    true => Some(base_table),
                    false => match lookup(base_table, parent) {
                        Some(Value::Table(t)) => Some(t),
                        _ => None,
                    },
                };
                let known = known
                    .map(|t| t.keys().cloned().collect::<Vec<_>>().join(", "))
                    .unwrap_or_default();
                let table = if parent.is_empty() {
                    "the version".to_string()
                } else {
                    parent.join(".")
                };
                format!(
                    "unknown key: the policy schema has no such key ({table} in policy {} {base_label} has: {known})",
                    base.id
                )
            } else {
                p.message
            };
            return problem(format!("changes.{k}"), message);
        }
        let parent_of = |s: &str| s.rsplit_once('.').map_or("", |(a, _)| a).to_string();
        // 2. A table holding changed keys (an unknown table, a cap sum), or
        // 3. a sibling of changed keys (a grade outside a changed band).
        let related: Vec<&String> = keys
            .iter()
            .filter(|k| {
                rel.is_empty()
                    || k.starts_with(&format!("{rel}."))
                    || parent_of(k) == parent_of(rel)
            })
            .collect();
        let shown = if rel.is_empty() { "the version" } else { rel };
        if related.is_empty() {
            return problem(
                "changes",
                format!("the merged policy is invalid at {shown}: {}", p.message),
            );
        }
        let path = related
            .iter()
            .map(|k| format!("changes.{k}"))
            .collect::<Vec<_>>()
            .join(", ");
        problem(
            path,
            format!("in the merged policy, {shown}: {}", p.message),
        )
    }

    /// The reform that undoes this one on `base`: the same keys set back to
    /// the values of the base version in force on `effective_from`.
    ///
    /// Applied to `self.apply(base)`, it makes a version equal to the base
    /// version in everything but its label and dates. Keys the reform adds
    /// (absent from the base version) cannot be undone this way.
    pub fn inverse(&self, base: &PolicySet) -> Result<Reform, ReformError> {
        let i = self.base_index(base)?;
        let label = base.versions[i].version.clone();
        let doc = policy_doc(base)?;
        let table = version_table(&doc, i)?;
        let mut problems = Vec::new();
        let mut changes = Vec::new();
        for c in &self.changes {
            match lookup(table, &c.path) {
                Some(v) => changes.push(Change {
                    path: c.path.clone(),
                    value: v.clone(),
                }),
                None => problems.push(problem(
                    format!("changes.{}", c.key()),
                    format!(
                        "policy {} {label} has no such key, so the change cannot be undone",
                        base.id
                    ),
                )),
            }
        }
        if !problems.is_empty() {
            return Err(ReformError::Invalid(problems));
        }
        Ok(Reform {
            id: format!("{}-undo", self.id),
            name: None,
            base: self.base.clone(),
            base_version: None,
            version: Some(format!("{}-undo", self.version_label(&label))),
            effective_from: self.effective_from,
            changes,
        })
    }
}

/// The base policy as a TOML table.
fn policy_doc(set: &PolicySet) -> Result<Table, ReformError> {
    set.to_toml().parse().map_err(|_| internal())
}

/// Version `i` of a policy table written by [`PolicySet::to_toml`], which
/// writes one table per version in the set's (sorted) order.
fn version_table(doc: &Table, i: usize) -> Result<&Table, ReformError> {
    match doc.get("versions") {
        Some(Value::Array(v)) => match v.get(i) {
            Some(Value::Table(t)) => Ok(t),
            _ => Err(internal()),
        },
        _ => Err(internal()),
    }
}

/// `PolicySet::to_toml` always writes TOML that reads back with a
/// `versions` array, so this is not expected; it is an error rather than a
/// panic all the same.
fn internal() -> ReformError {
    ReformError::Invalid(vec![problem(
        "base",
        "internal error: the base policy could not be written as TOML tables; please report",
    )])
}

fn insert_path(t: &mut Table, path: &[String], value: Value) {
    // Used only on fresh tables built from flattened changes, whose
    // intermediate entries are always tables.
    let _ = set_path(t, path, value);
}

/// Sets `path` below `t`, creating tables on the way. Returns whether the
/// key existed, or the dotted prefix that is not a table.
fn set_path(t: &mut Table, path: &[String], value: Value) -> Result<bool, String> {
    let Some((last, init)) = path.split_last() else {
        return Ok(true);
    };
    let mut cur = t;
    for (n, seg) in init.iter().enumerate() {
        let entry = cur
            .entry(seg.clone())
            .or_insert_with(|| Value::Table(Table::new()));
        match entry {
            Value::Table(inner) => cur = inner,
            _ => return Err(path[..=n].join(".")),
        }
    }
    Ok(cur.insert(last.clone(), value).is_some())
}

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
    let owned;
    let base = match (&req.policy, policy) {
        (Some(text), _) => {
            owned = PolicySet::from_toml(text)?;
            &owned
        }
        (None, Some(p)) => p,
        (None, None) => {
            owned = PolicySet::builtin();
            &owned
        }
    };
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
    };
    compare(&inputs, base, &reform, scope)
}

/// Whether a JSON document is a what-if request (`"kind": "whatif"`).
pub fn is_whatif(request: &[u8]) -> bool {
    #[derive(Deserialize)]
    struct Peek {
        kind: Option<serde_json::Value>,
    }
    serde_json::from_slice::<Peek>(request)
        .ok()
        .and_then(|p| p.kind)
        .is_some_and(|k| k == "whatif")
}

/// Reads a JSON what-if request, runs it and writes the JSON response.
pub fn whatif_json(
    request: &[u8],
    policy: Option<&PolicySet>,
) -> Result<run::Response, RequestError> {
    use crate::limits;
    limits::check_request_size(request).map_err(RequestError::Json)?;
    let req: WhatifRequest =
        serde_json::from_slice(request).map_err(|e| RequestError::Json(limits::json_error(&e)))?;
    limits::check_fields(&req.period, &req.workers, &req.assessments, &req.honours)
        .map_err(RequestError::Json)?;
    let w = whatif(req, policy)?;
    Ok(run::Response {
        json: w.to_json(),
        complete: w.complete(),
    })
}

/// The number of line codes.
const CODES: usize = LineCode::ALL.len();

/// One side's per-worker sums while runs are compared, in the order of
/// the request's workers sorted by id. Sums are kept in fen as integers
/// (lines are always on the fen), 120 bytes a worker.
struct SideAcc {
    /// Sum per line code, in fen.
    lines: Vec<[i64; CODES]>,
    /// Which codes were paid at all (bit = code).
    present: Vec<u16>,
    /// Sum of gross, in fen.
    gross: Vec<i64>,
    /// Amounts not on the fen (never, by the payslip invariant; kept exact
    /// all the same): (worker, code or CODES for gross) → sum.
    odd: BTreeMap<(usize, usize), Decimal>,
    paid: Vec<bool>,
    /// Name and unit, from the first run that paid the worker.
    info: Vec<Option<(String, String)>>,
    /// The current run's grade per worker.
    grades: Vec<Option<(Grade, bool)>>,
    /// Gross per unit, summed over the runs.
    by_unit: BTreeMap<String, Decimal>,
}

/// An amount in fen, when it is on the fen and fits.
fn fen(amount: Decimal) -> Option<i64> {
    (amount.scale() == 2)
        .then(|| i64::try_from(amount.mantissa()).ok())
        .flatten()
}

impl SideAcc {
    fn new(n: usize) -> Self {
        SideAcc {
            lines: vec![[0; CODES]; n],
            present: vec![0; n],
            gross: vec![0; n],
            odd: BTreeMap::new(),
            paid: vec![false; n],
            info: vec![None; n],
            grades: vec![None; n],
            by_unit: BTreeMap::new(),
        }
    }

    fn add(&mut self, k: usize, code: usize, amount: Decimal) {
        let sum = if code == CODES {
            &mut self.gross[k]
        } else {
            &mut self.lines[k][code]
        };
        match fen(amount).and_then(|f| sum.checked_add(f)) {
            Some(total) => *sum = total,
            None => *self.odd.entry((k, code)).or_default() += amount,
        }
    }

    /// The sum of worker `k`'s `code` (CODES: gross).
    fn total(&self, k: usize, code: usize) -> Decimal {
        let fen = if code == CODES {
            self.gross[k]
        } else {
            self.lines[k][code]
        };
        let mut t = Decimal::new(fen, 2) + self.odd.get(&(k, code)).copied().unwrap_or_default();
        t.rescale(2);
        t
    }

    /// Adds one payslip of the worker from record `source`; `at[source]`
    /// is that record's place in the sums.
    fn fold(&mut self, at: &[usize], source: usize, w: &Worker, slip: &Payslip) {
        // Invariant: payslips come from the request's records, so `source`
        // is in range; were it not, the payslip would only be left out of
        // the per-worker view.
        let Some(&k) = at.get(source) else {
            return;
        };
        for l in &slip.lines {
            let c = l.code as usize;
            self.add(k, c, l.amount);
            self.present[k] |= 1 << c;
        }
        self.add(k, CODES, slip.gross);
        self.paid[k] = true;
        if self.info[k].is_none() {
            self.info[k] = Some((w.name.clone(), w.unit.clone()));
        }
        self.grades[k] = grade_of(slip);
    }
}

/// What compare keeps of one run once its payslips are folded.
struct RunSummary {
    version: String,
    totals: run::Totals,
    errors: Vec<InputError>,
    /// The run's grade per worker (in sorted-request order).
    grades: Vec<Option<(Grade, bool)>>,
}

/// Runs every period of `runs` under `set`, folding payslips into `side`;
/// stops at the first run that cannot be made, returning its position and error.
fn run_side(
    inputs: &Request,
    at: &[usize],
    by_period: &run::ByPeriod,
    runs: &[(Kind, String, NaiveDate)],
    set: &PolicySet,
    side: &mut SideAcc,
) -> (Vec<RunSummary>, Option<(usize, RequestError)>) {
    let mut out = Vec::with_capacity(runs.len());
    // The roster checked once per policy version the runs meet.
    let mut rosters: Vec<run::Roster> = Vec::new();
    for (i, (kind, period, first)) in runs.iter().enumerate() {
        let among = by_period.for_period(period);
        // A version that cannot be found is the run's own error to report.
        let roster = set.version_on(*first).ok().map(|policy| {
            match rosters.iter().position(|r| r.version() == policy.version) {
                Some(k) => k,
                None => {
                    rosters.push(run::Roster::new(policy, &inputs.workers));
                    rosters.len() - 1
                }
            }
        });
        let roster = roster.map(|k| &rosters[k]);
        let r = run::run_folded(
            inputs,
            *kind,
            period,
            set,
            &among,
            roster,
            |w, source, slip| side.fold(at, source, w, slip),
        );
        match r {
            Ok(mut r) => out.push(RunSummary {
                version: r.policy.version.clone(),
                totals: {
                    // Gross per unit is summed over the runs here, on the
                    // side's own thread.
                    for (unit, amount) in std::mem::take(&mut r.totals.by_unit) {
                        *side.by_unit.entry(unit).or_default() += amount;
                    }
                    r.totals
                },
                errors: r.errors,
                grades: std::mem::replace(&mut side.grades, vec![None; at.len()]),
            }),
            Err(e) => return (out, Some((i, e))),
        }
    }
    (out, None)
}

/// Compares base and reform on the same inputs over `scope`.
///
/// `inputs` supplies the workers, assessments and honours; its `kind`,
/// `period` and `policy` are ignored. Every period is run under `base` on
/// one thread and under the merged policy `reform.apply(base)` on another
/// (one after the other when no thread can be started); each payslip is
/// folded into its side's per-worker sums as it is computed, so no run's
/// payslips are kept. The roster is checked once per side and policy
/// version and the runs borrow its workers; the assessments are grouped by
/// period once, and each run reads its own.
pub fn compare(
    inputs: &Request,
    base: &PolicySet,
    reform: &Reform,
    scope: Scope,
) -> Result<Whatif, RequestError> {
    let merged = reform.apply(base)?;
    let base_label = base.version_on(reform.effective_from)?.version.clone();
    let label = reform.version_label(&base_label);
    if reform.effective_from > scope.last_day() {
        return Err(RequestError::Period(format!(
            "reform {} takes effect on {}, after {scope} ends, so nothing in {scope} would change; give a later period or an earlier effective_from",
            reform.id, reform.effective_from
        )));
    }
    // Request workers sorted by id: runs hand over payslips sorted by id, so
    // each is matched to this order by a merge.
    let mut order: Vec<usize> = (0..inputs.workers.len()).collect();
    order.sort_by(|&a, &b| inputs.workers[a].id.cmp(&inputs.workers[b].id));
    // Each record's place in that order.
    let mut at = vec![0; order.len()];
    for (k, &i) in order.iter().enumerate() {
        at[i] = k;
    }
    let by_period = run::ByPeriod::new(inputs);
    let runs = scope.runs();
    let mut b_side = SideAcc::new(order.len());
    let mut r_side = SideAcc::new(order.len());
    let side =
        |set: &PolicySet, acc: &mut SideAcc| run_side(inputs, &at, &by_period, &runs, set, acc);
    let (old, new) = std::thread::scope(|s| {
        let other = std::thread::Builder::new().spawn_scoped(s, || side(&merged, &mut r_side));
        let old = side(base, &mut b_side);
        let new = other.ok().map(|h| {
            // A panic in the reform runs is re-raised as it would be without threads.
            h.join()
                .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
        });
        (old, new)
    });
    // No thread could be started: run the reform after the base.
    let (old, new) = (old, new.unwrap_or_else(|| side(&merged, &mut r_side)));
    let ((old_runs, old_failed), (new_runs, new_failed)) = (old, new);
    // The error a one-thread run would have met first: the earliest period,
    // base before reform.
    let failed = [
        old_failed.map(|(i, e)| (i, 0, e)),
        new_failed.map(|(i, e)| (i, 1, e)),
    ]
    .into_iter()
    .flatten()
    .min_by_key(|(i, side, _)| (*i, *side));
    let done = failed.as_ref().map_or(runs.len(), |(i, _, _)| *i);
    let mut out = Whatif {
        scope,
        reform: ReformRef {
            id: reform.id.clone(),
            name: reform.name.clone(),
            base: reform.base.clone(),
            version: label.clone(),
            effective_from: reform.effective_from.to_string(),
        },
        periods: Vec::new(),
        workers: Vec::new(),
        by_unit: BTreeMap::new(),
        by_code: BTreeMap::new(),
        total: Delta::default(),
        grade_changes: Vec::new(),
        errors: Vec::new(),
    };
    for ((kind, period, first), (old, new)) in
        runs[..done].iter().zip(old_runs.iter().zip(&new_runs))
    {
        let in_force = merged.version_on(*first)?.version == label;
        out.periods.push(PeriodDelta {
            kind: *kind,
            period: period.clone(),
            base_version: old.version.clone(),
            reform_version: new.version.clone(),
            reform_in_force: in_force,
            workers: (old.totals.workers, new.totals.workers),
            gross: Delta {
                old: old.totals.gross,
                new: new.totals.gross,
            },
        });
        for (side, r) in [(Side::Base, old), (Side::Reform, new)] {
            out.total.add(side, r.totals.gross);
            for (code, amount) in &r.totals.by_code {
                out.by_code.entry(*code).or_default().add(side, *amount);
            }
        }
        for (k, (b, n)) in old.grades.iter().zip(&new.grades).enumerate() {
            if let (Some((old_grade, s1)), Some((new_grade, s2))) = (*b, *n)
                && old_grade != new_grade
                && let Some((_, unit)) = b_side.info[k].as_ref().or(r_side.info[k].as_ref())
            {
                out.grade_changes.push(GradeChange {
                    worker_id: inputs.workers[order[k]].id.clone(),
                    unit: unit.clone(),
                    period: period.clone(),
                    old: old_grade,
                    new: new_grade,
                    scored: s1 || s2,
                });
            }
        }
        merge_errors(period, &old.errors, &new.errors, &mut out.errors);
    }
    if let Some((_, _, e)) = failed {
        return Err(e);
    }
    for (side, sums) in [
        (Side::Base, std::mem::take(&mut b_side.by_unit)),
        (Side::Reform, std::mem::take(&mut r_side.by_unit)),
    ] {
        for (unit, amount) in sums {
            out.by_unit.entry(unit).or_default().add(side, amount);
        }
    }
    // The per-worker view, made in two halves side by side.
    let mut b_info = std::mem::take(&mut b_side.info);
    let mut r_info = std::mem::take(&mut r_side.info);
    let mid = order.len() / 2;
    let (b_lo, b_hi) = b_info.split_at_mut(mid);
    let (r_lo, r_hi) = r_info.split_at_mut(mid);
    let sides = (&b_side, &r_side);
    let half =
        |from: usize, b: &mut [Option<(String, String)>], r: &mut [Option<(String, String)>]| {
            worker_deltas(inputs, &order[from..from + b.len()], from, sides, b, r)
        };
    let (lo, hi) = std::thread::scope(|s| {
        let other = std::thread::Builder::new().spawn_scoped(s, || half(mid, b_hi, r_hi));
        let lo = half(0, b_lo, r_lo);
        let hi = other
            .ok()
            .map(|h| h.join().unwrap_or_else(|p| std::panic::resume_unwind(p)));
        (lo, hi)
    });
    // No thread could be started: the second half after the first.
    let (b_hi, r_hi) = (&mut b_info[mid..], &mut r_info[mid..]);
    let hi = hi.unwrap_or_else(|| half(mid, b_hi, r_hi));
    out.workers = lo;
    out.workers.extend(hi);
    Ok(out)
}

/// The per-worker view of the workers at `order` (sorted-request places
/// `from..`), taking their names and units out of `b_info` / `r_info`.
fn worker_deltas(
    inputs: &Request,
    order: &[usize],
    from: usize,
    (b_side, r_side): (&SideAcc, &SideAcc),
    b_info: &mut [Option<(String, String)>],
    r_info: &mut [Option<(String, String)>],
) -> Vec<WorkerDelta> {
    let mut out = Vec::with_capacity(order.len());
    for (j, &record) in order.iter().enumerate() {
        let k = from + j;
        let Some((name, unit)) = b_info[j].take().or_else(|| r_info[j].take()) else {
            continue;
        };
        let lines = LineCode::ALL
            .iter()
            .enumerate()
            .filter(|(c, _)| (b_side.present[k] | r_side.present[k]) & (1 << c) != 0)
            .map(|(c, code)| {
                (
                    *code,
                    Delta {
                        old: b_side.total(k, c),
                        new: r_side.total(k, c),
                    },
                )
            })
            .collect();
        out.push(WorkerDelta {
            id: inputs.workers[record].id.clone(),
            name,
            unit,
            lines,
            gross: Delta {
                old: b_side.total(k, CODES),
                new: r_side.total(k, CODES),
            },
            paid: match (b_side.paid[k], r_side.paid[k]) {
                (true, false) => Side::Base,
                (false, true) => Side::Reform,
                _ => Side::Both,
            },
        });
    }
    out
}

fn grade_of(slip: &Payslip) -> Option<(Grade, bool)> {
    slip.lines.iter().find_map(|l| match l.why {
        Why::Bonus { grade, note, .. } => Some((grade, matches!(note, GradeNote::Quota { .. }))),
        _ => None,
    })
}

/// Merges the sorted error lists of the two runs of a period: errors both
/// runs report are listed once, as `both`.
fn merge_errors(period: &str, old: &[InputError], new: &[InputError], out: &mut Vec<WhatifError>) {
    let (mut i, mut j) = (0, 0);
    let mut push = |side, error: &InputError| {
        out.push(WhatifError {
            period: period.to_string(),
            side,
            error: error.clone(),
        })
    };
    while i < old.len() || j < new.len() {
        match (old.get(i), new.get(j)) {
            (Some(a), Some(b)) if a == b => {
                push(Side::Both, a);
                i += 1;
                j += 1;
            }
            (Some(a), Some(b)) if a < b => {
                push(Side::Base, a);
                i += 1;
            }
            (Some(a), None) => {
                push(Side::Base, a);
                i += 1;
            }
            (_, Some(b)) => {
                push(Side::Reform, b);
                j += 1;
            }
            (None, None) => break,
        }
    }
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

    /// One CSV table: a `record` column says what each row is — `total`,
    /// `period`, `unit`, `code` (a line code over all workers), `worker` (a
    /// worker's gross) or `line` (one of a worker's lines) — with old, new
    /// and delta amounts. Text cells go through
    /// [`csv_text`](crate::hrfile::output::csv_text); amounts are plain numbers.
    pub fn to_csv(&self) -> String {
        let mut rows: Vec<[String; 9]> = Vec::new();
        let row = |record: &str,
                   period: &str,
                   id: &str,
                   name: &str,
                   unit: &str,
                   line: &str,
                   d: &Delta| {
            let text = |s: &str| crate::hrfile::output::csv_text(s).into_owned();
            [
                text(record),
                text(period),
                text(id),
                text(name),
                text(unit),
                text(line),
                Amount(d.old).to_string(),
                Amount(d.new).to_string(),
                Amount(d.delta()).to_string(),
            ]
        };
        let scope = self.scope.to_string();
        rows.push(row("total", &scope, "", "", "", "gross", &self.total));
        for p in &self.periods {
            rows.push(row("period", &p.period, "", "", "", "gross", &p.gross));
        }
        for (unit, d) in &self.by_unit {
            rows.push(row("unit", &scope, "", "", unit, "gross", d));
        }
        for (code, d) in &self.by_code {
            rows.push(row("code", &scope, "", "", "", code.code(), d));
        }
        for wd in &self.workers {
            rows.push(row(
                "worker", &scope, &wd.id, &wd.name, &wd.unit, "gross", &wd.gross,
            ));
            for (code, d) in &wd.lines {
                rows.push(row(
                    "line",
                    &scope,
                    &wd.id,
                    &wd.name,
                    &wd.unit,
                    code.code(),
                    d,
                ));
            }
        }
        let header = [
            "record",
            "period",
            "worker_id",
            "name",
            "unit",
            "line",
            "old",
            "new",
            "delta",
        ];
        let mut w = csv::Writer::from_writer(Vec::new());
        // Writing UTF-8 strings to a Vec cannot fail; were it to, the
        // rows written so far are returned rather than a panic.
        let _ = w.write_record(header);
        for r in &rows {
            let _ = w.write_record(r);
        }
        let bytes = w.into_inner().unwrap_or_default();
        String::from_utf8(bytes).unwrap_or_default()
    }

    /// A plain-text report for a terminal: totals, periods, units, codes,
    /// grade changes, then every worker whose pay changed.
    pub fn to_table(&self) -> String {
        let mut s = String::new();
        let c = self.counts();
        let r = &self.reform;
        let _ = writeln!(
            s,
            "What-if {}: reform {}{} (policy {} version {}, from {})",
            self.scope,
            r.id,
            r.name
                .as_deref()
                .map(|n| format!(" — {n}"))
                .unwrap_or_default(),
            r.base,
            r.version,
            r.effective_from
        );
        let _ = writeln!(
            s,
            "Workers: {} — {} gain, {} lose, {} unchanged{}",
            self.workers.len(),
            c.gain,
            c.lose,
            c.same,
            if self.complete() {
                String::new()
            } else {
                format!("; {} input error(s), see below", self.errors.len())
            }
        );
        let amounts = |d: &Delta| {
            vec![
                Amount(d.old).to_string(),
                Amount(d.new).to_string(),
                signed(d.delta()),
            ]
        };
        let mut t = vec![vec![
            "period".into(),
            "versions".into(),
            "old".into(),
            "new".into(),
            "delta".into(),
        ]];
        for p in &self.periods {
            let mut row = vec![
                p.period.clone(),
                if p.reform_in_force {
                    format!("{} → {}", p.base_version, p.reform_version)
                } else {
                    format!("{} (reform not yet in force)", p.base_version)
                },
            ];
            row.extend(amounts(&p.gross));
            t.push(row);
        }
        let mut total = vec!["total".into(), String::new()];
        total.extend(amounts(&self.total));
        t.push(total);
        s.push('\n');
        table(&mut s, &t, 2);
        let mut t = vec![vec![
            "unit".into(),
            "old".into(),
            "new".into(),
            "delta".into(),
        ]];
        for (unit, d) in &self.by_unit {
            let mut row = vec![unit.clone()];
            row.extend(amounts(d));
            t.push(row);
        }
        s.push('\n');
        table(&mut s, &t, 1);
        let mut t = vec![vec![
            "line".into(),
            "old".into(),
            "new".into(),
            "delta".into(),
        ]];
        for (code, d) in &self.by_code {
            let mut row = vec![format!("{} {}", code.code(), code.zh())];
            row.extend(amounts(d));
            t.push(row);
        }
        s.push('\n');
        table(&mut s, &t, 1);
        if !self.grade_changes.is_empty() {
            let _ = writeln!(s, "\nGrade changes ({}):", self.grade_changes.len());
            let mut t = vec![vec![
                "period".into(),
                "worker".into(),
                "unit".into(),
                "grade".into(),
            ]];
            for g in &self.grade_changes {
                t.push(vec![
                    g.period.clone(),
                    g.worker_id.clone(),
                    g.unit.clone(),
                    format!(
                        "{} → {}{}",
                        g.old,
                        g.new,
                        if g.scored { " (by score)" } else { "" }
                    ),
                ]);
            }
            table(&mut s, &t, 0);
        }
        let changed: Vec<&WorkerDelta> = self
            .workers
            .iter()
            .filter(|w| w.lines.iter().any(|(_, d)| d.old != d.new) || w.paid != Side::Both)
            .collect();
        let _ = writeln!(
            s,
            "\nWorkers whose pay changes ({} of {}):",
            changed.len(),
            self.workers.len()
        );
        if !changed.is_empty() {
            let mut t = vec![vec![
                "worker".into(),
                "name".into(),
                "unit".into(),
                "old".into(),
                "new".into(),
                "delta".into(),
                "lines changed".into(),
            ]];
            for w in changed {
                let mut row = vec![w.id.clone(), w.name.clone(), w.unit.clone()];
                row.extend(amounts(&w.gross));
                let mut lines: Vec<String> = w
                    .lines
                    .iter()
                    .filter(|(_, d)| d.old != d.new)
                    .map(|(c, d)| format!("{} {}", c.code(), signed(d.delta())))
                    .collect();
                match w.paid {
                    Side::Base => lines.push("not paid under the reform (input error)".into()),
                    Side::Reform => lines.push("paid only under the reform".into()),
                    Side::Both => {}
                }
                row.push(lines.join(", "));
                t.push(row);
            }
            table(&mut s, &t, 3);
        }
        if !self.errors.is_empty() {
            let _ = writeln!(s, "\nInput errors ({}):", self.errors.len());
            for e in &self.errors {
                let _ = writeln!(s, "  {} [{}] {}", e.period, side_name(e.side), e.error);
            }
        }
        s
    }
}

fn side_name(s: Side) -> &'static str {
    match s {
        Side::Base => "base",
        Side::Reform => "reform",
        Side::Both => "both",
    }
}

fn signed(d: Decimal) -> String {
    if d > Decimal::ZERO {
        format!("+{}", Amount(d))
    } else {
        Amount(d).to_string()
    }
}

/// Display width: East Asian wide characters take two columns.
fn width(s: &str) -> usize {
    s.chars()
        .map(|c| match c as u32 {
            0x1100..=0x115F
            | 0x2E80..=0xA4CF
            | 0xAC00..=0xD7A3
            | 0xF900..=0xFAFF
            | 0xFE30..=0xFE4F
            | 0xFF00..=0xFF60
            | 0xFFE0..=0xFFE6 => 2,
            _ => 1,
        })
        .sum()
}

/// Writes rows as aligned columns; columns from `numeric_from` on are right-aligned.
fn table(s: &mut String, rows: &[Vec<String>], numeric_from: usize) {
    let cols = rows.iter().map(Vec::len).max().unwrap_or(0);
    let widths: Vec<usize> = (0..cols)
        .map(|c| {
            rows.iter()
                .filter_map(|r| r.get(c))
                .map(|x| width(x))
                .max()
                .unwrap_or(0)
        })
        .collect();
    for r in rows {
        let mut line = String::from(" ");
        for (c, cell) in r.iter().enumerate() {
            let pad = " ".repeat(widths[c] - width(cell));
            let last = c + 1 == r.len();
            let numeric = c >= numeric_from && numeric_from > 0 && c < numeric_from + 3;
            line.push(' ');
            if numeric {
                line.push_str(&pad);
                line.push_str(cell);
            } else {
                line.push_str(cell);
                if !last {
                    line.push_str(&pad);
                }
            }
            line.push(' ');
        }
        s.push_str(line.trim_end());
        s.push('\n');
    }
}

impl Serialize for Whatif {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        struct Workers<'a>(&'a [WorkerDelta]);
        impl Serialize for Workers<'_> {
            fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.collect_seq(self.0.iter().map(|w| {
                    #[derive(Serialize)]
                    struct L {
                        code: &'static str,
                        old: Amount,
                        new: Amount,
                        delta: Amount,
                    }
                    #[derive(Serialize)]
                    struct W<'a> {
                        worker_id: &'a str,
                        name: &'a str,
                        unit: &'a str,
                        outcome: Outcome,
                        paid: Side,
                        lines: Vec<L>,
                        gross: Delta,
                    }
                    W {
                        worker_id: &w.id,
                        name: &w.name,
                        unit: &w.unit,
                        outcome: w.outcome(),
                        paid: w.paid,
                        lines: w
                            .lines
                            .iter()
                            .map(|(c, d)| L {
                                code: c.code(),
                                old: Amount(d.old),
                                new: Amount(d.new),
                                delta: Amount(d.delta()),
                            })
                            .collect(),
                        gross: w.gross,
                    }
                }))
            }
        }
        struct ByCode<'a>(&'a BTreeMap<LineCode, Delta>);
        impl Serialize for ByCode<'_> {
            fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                let mut m = s.serialize_map(Some(self.0.len()))?;
                for (k, v) in self.0 {
                    m.serialize_entry(k.code(), v)?;
                }
                m.end()
            }
        }
        #[derive(Serialize)]
        struct P<'a> {
            kind: Kind,
            period: &'a str,
            base_version: &'a str,
            reform_version: &'a str,
            reform_in_force: bool,
            workers_base: usize,
            workers_reform: usize,
            gross: Delta,
        }
        #[derive(Serialize)]
        struct G<'a> {
            period: &'a str,
            worker_id: &'a str,
            unit: &'a str,
            old: Grade,
            new: Grade,
            scored: bool,
        }
        #[derive(Serialize)]
        struct E<'a> {
            period: &'a str,
            side: Side,
            #[serde(flatten)]
            error: &'a InputError,
        }
        let mut st = s.serialize_struct("Whatif", 12)?;
        st.serialize_field("kind", "whatif")?;
        st.serialize_field("period", &self.scope.to_string())?;
        st.serialize_field("reform", &self.reform)?;
        st.serialize_field("complete", &self.complete())?;
        st.serialize_field("counts", &self.counts())?;
        st.serialize_field("total", &self.total)?;
        let periods: Vec<P> = self
            .periods
            .iter()
            .map(|p| P {
                kind: p.kind,
                period: &p.period,
                base_version: &p.base_version,
                reform_version: &p.reform_version,
                reform_in_force: p.reform_in_force,
                workers_base: p.workers.0,
                workers_reform: p.workers.1,
                gross: p.gross,
            })
            .collect();
        st.serialize_field("periods", &periods)?;
        st.serialize_field("by_unit", &self.by_unit)?;
        st.serialize_field("by_code", &ByCode(&self.by_code))?;
        let grades: Vec<G> = self
            .grade_changes
            .iter()
            .map(|g| G {
                period: &g.period,
                worker_id: &g.worker_id,
                unit: &g.unit,
                old: g.old,
                new: g.new,
                scored: g.scored,
            })
            .collect();
        st.serialize_field("grade_changes", &grades)?;
        st.serialize_field("workers", &Workers(&self.workers))?;
        let errors: Vec<E> = self
            .errors
            .iter()
            .map(|e| E {
                period: &e.period,
                side: e.side,
                error: &e.error,
            })
            .collect();
        st.serialize_field("errors", &errors)?;
        st.end()
    }
}

#[cfg(test)]
mod tests {
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
    fn scope_and_widths() {
        assert_eq!(
            Scope::parse("2026-11").unwrap(),
            Scope::Month("2026-11".parse().unwrap())
        );
        assert_eq!(Scope::parse("2026").unwrap().to_string(), "2026");
        assert!(Scope::parse("2026-13").is_err());
        assert_eq!(Scope::parse("2026").unwrap().runs().len(), 13);
        assert_eq!(width("温泉社区 A"), 10);
        assert_eq!(signed(Decimal::from(5)), "+5.00");
        assert_eq!(signed(Decimal::from(-5)), "-5.00");
    }
}
