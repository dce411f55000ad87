//! The pay rules as data: effective-dated versions read from TOML, checked
//! all at once, and the district's built-in policy.
//!
//! A [`PolicySet`] has an `id`, a `name` and one or more versions; a
//! [`Policy`] is one version, in force from `effective_from` (and until
//! `effective_until`, or the day before the next version starts). Every
//! amount, band, cap and rounding choice lives here, never in code.
//!
//! ```
//! use payrules::policy::PolicySet;
//! use payrules::period::parse_date;
//! use payrules::worker::Grade;
//!
//! let set = PolicySet::builtin();
//! let p = set.version_on(parse_date("2026-11-01").unwrap()).unwrap();
//! assert_eq!(p.monthly_bonus.amount(Grade::Excellent).to_string(), "1300.00");
//! assert_eq!(p.annual_bonus.amount(Grade::Good).to_string(), "1800.00");
//!
//! // Every problem is reported at once, each with its TOML path:
//! let text = set.to_toml()
//!     .replace("excellent = \"1300.00\"", "excellent = \"1400.00\"")
//!     .replace("good = \"0.60\"", "good = \"0.90\"");
//! let err = PolicySet::from_toml(&text).unwrap_err();
//! let msg = err.to_string();
//! assert!(msg.contains("versions[0].monthly_bonus.excellent"), "{msg}");
//! assert!(msg.contains("versions[0].quota"), "{msg}");
//! ```

use crate::money::{parse_amount, parse_rate};
use crate::worker::{Grade, HonourLevel, Title};
use chrono::NaiveDate;
use rust_decimal::Decimal;
use std::collections::BTreeSet;
use std::fmt;
use toml::{Table, Value};

mod tax;

/// The built-in district policy (Gulou district, Fuzhou), as TOML.
pub const BUILTIN_TOML: &str = include_str!("../policies/gulou.toml");

/// The largest amount a policy may set: 1,000,000,000 yuan. Bounding policy
/// amounts lets the engine multiply and add them without overflow checks
/// (a line is at most this × a few units; a run's total fits many orders of
/// magnitude below `Decimal::MAX`).
pub fn max_amount() -> Decimal {
    Decimal::from(1_000_000_000u32)
}

/// One problem found in a policy file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// TOML path, such as `versions[0].monthly_bonus.excellent`.
    pub path: String,
    /// What is wrong and what was expected.
    pub message: String,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.path.is_empty() {
            f.write_str(&self.message)
        } else {
            write!(f, "{}: {}", self.path, self.message)
        }
    }
}

/// Errors from loading or using a policy.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PolicyError {
    /// The text is not TOML.
    #[error("policy is not valid TOML: {0}")]
    Toml(String),
    /// The TOML was read but breaks the schema or the rules; every problem is listed.
    #[error("policy has {} problem(s):\n{}", .0.len(), .0.iter().map(|p| format!("  - {p}")).collect::<Vec<_>>().join("\n"))]
    Invalid(Vec<Problem>),
    /// No version is in force on the date asked for.
    #[error("policy {id} has no version in force on {date}; versions: {versions}")]
    NoVersion {
        /// Policy id.
        id: String,
        /// The date asked for.
        date: NaiveDate,
        /// The versions' spans.
        versions: String,
    },
}

/// A grade's amount table with its band (`monthly_bonus`, `annual_bonus`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BonusTable {
    /// Lowest and highest amount a non-failing grade may pay.
    pub band: (Decimal, Decimal),
    /// Amount for `fail`.
    pub fail: Decimal,
    /// Amount for `pass`.
    pub pass: Decimal,
    /// Amount for `good`.
    pub good: Decimal,
    /// Amount for `excellent`.
    pub excellent: Decimal,
}

impl BonusTable {
    /// The amount a grade pays; `ungraded` pays zero.
    pub fn amount(&self, grade: Grade) -> Decimal {
        match grade {
            // On the fen like every policy amount: payslips use full amounts
            // unrounded, and the C ABI promises amounts of scale 2.
            Grade::Ungraded => Decimal::new(0, 2),
            Grade::Fail => self.fail,
            Grade::Pass => self.pass,
            Grade::Good => self.good,
            Grade::Excellent => self.excellent,
        }
    }
}

/// A position's city-schedule amounts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Position {
    /// Code, such as `community_worker`.
    pub code: String,
    /// Chinese name, accepted in inputs in place of the code.
    pub name_zh: Option<String>,
    /// 基础报酬 a month.
    pub base_pay: Decimal,
    /// 生活补贴 a month.
    pub living_allowance: Decimal,
    /// 岗位补贴 a month.
    pub post_allowance: Decimal,
}

/// How a slot count `cap × headcount` is rounded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum QuotaRounding {
    /// Down ("at most").
    Floor,
    /// Half away from zero.
    HalfUp,
    /// Up.
    Ceil,
}

/// Who is ranked together for quota slots.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pool {
    /// Each unit (community) on its own.
    Unit,
    /// Everyone in the run together.
    All,
}

/// How ties at a slot boundary are broken.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ties {
    /// Everyone tied across the boundary takes the lower grade; a cap is never exceeded.
    Exclude,
    /// Earlier `hired_on` first, then worker id.
    Seniority,
}

/// The quota rule (`quota` table).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QuotaRule {
    /// Cap on `excellent`, as a fraction of the graded headcount.
    pub excellent: Decimal,
    /// Cap on `good`.
    pub good: Decimal,
    /// Rounding of slot counts.
    pub rounding: QuotaRounding,
    /// Minimum excellent slots in a pool with anyone graded.
    pub min_excellent: u32,
    /// Pooling.
    pub pool: Pool,
    /// Tie rule at slot boundaries.
    pub ties: Ties,
    /// Highest valid score.
    pub max_score: Decimal,
    /// Scores below this get `fail`.
    pub fail_below: Option<Decimal>,
    /// A score below this never takes an excellent slot.
    pub excellent_min_score: Option<Decimal>,
    /// A score below this never takes a good slot.
    pub good_min_score: Option<Decimal>,
}

/// How several honours for one deed are paid.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SameDeed {
    /// Only the highest level is paid.
    HighestOnly,
    /// Each honour is paid.
    Each,
}

/// Honour awards (`honours` table).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Honours {
    /// 国家级.
    pub national: Decimal,
    /// 省级.
    pub provincial: Decimal,
    /// 市级.
    pub municipal: Decimal,
    /// Rule for several honours for one deed.
    pub same_deed: SameDeed,
}

impl Honours {
    /// The award for a level.
    pub fn amount(&self, level: HonourLevel) -> Decimal {
        match level {
            HonourLevel::National => self.national,
            HonourLevel::Provincial => self.provincial,
            HonourLevel::Municipal => self.municipal,
        }
    }
}

/// Basis for prorating a partial month.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Basis {
    /// Days employed ÷ calendar days of the month.
    CalendarDays,
    /// Weekdays employed ÷ 21.75 (capped at a full month).
    PaidDays2175,
}

/// What counts as a month served for the annual bonus.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MonthsServed {
    /// A month counts if the worker was employed every day of it.
    WholeMonth,
    /// A month counts if the worker was employed on any day of it.
    AnyDay,
}

/// Proration rules (`proration` table).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Proration {
    /// Basis for fixed monthly pay.
    pub basis: Basis,
    /// Whether the monthly bonus is prorated like fixed pay.
    pub monthly_bonus: bool,
    /// Whether the annual bonus is prorated by months served.
    pub annual_bonus: bool,
    /// What counts as a month served.
    pub months_served: MonthsServed,
}

/// Probation rules (`probation` table).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Probation {
    /// Share of fixed monthly pay paid for days on probation (0..=1).
    pub pay_rate: Decimal,
    /// Whether a worker still on probation at the end of a period is graded.
    pub graded: bool,
}

/// What a run does with a worker who has no assessment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Missing {
    /// An error naming the worker.
    Error,
    /// The worker is `ungraded`: no bonus.
    Ungraded,
}

/// One version of a policy: every amount and rule in force over a span of dates.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Policy {
    /// Policy id (of the set).
    pub id: String,
    /// Version label, such as `2018`.
    pub version: String,
    /// First day in force.
    pub effective_from: NaiveDate,
    /// Last day in force, if set.
    pub effective_until: Option<NaiveDate>,
    /// Positions, sorted by code.
    pub positions: Vec<Position>,
    /// Title allowance for `none`, `assistant_social_worker`, `social_worker`, `senior_social_worker`.
    pub title_allowance: [Decimal; 4],
    /// Monthly performance bonus.
    pub monthly_bonus: BonusTable,
    /// Annual performance bonus.
    pub annual_bonus: BonusTable,
    /// Quota rule.
    pub quota: QuotaRule,
    /// Honour awards.
    pub honours: Honours,
    /// Proration.
    pub proration: Proration,
    /// Probation.
    pub probation: Probation,
    /// Workers with no assessment.
    pub missing_assessment: Missing,
    /// Gross-to-net rules (`[versions.tax]`), if the version has them.
    pub tax: Option<crate::tax::TaxRules>,
}

impl Policy {
    /// The title allowance a month.
    pub fn title_allowance(&self, title: Title) -> Decimal {
        self.title_allowance[title as usize]
    }
    /// Finds a position by code or Chinese name.
    pub fn position_index(&self, code: &str) -> Option<usize> {
        let exact = self
            .positions
            .binary_search_by(|p| p.code.as_str().cmp(code));
        if let Ok(i) = exact {
            return Some(i);
        }
        let code = code.trim();
        self.positions
            .binary_search_by(|p| p.code.as_str().cmp(code))
            .ok()
            .or_else(|| {
                self.positions
                    .iter()
                    .position(|p| p.name_zh.as_deref() == Some(code))
            })
    }
    /// The position codes, for error messages.
    pub fn position_codes(&self) -> String {
        let v: Vec<String> = self
            .positions
            .iter()
            .map(|p| match &p.name_zh {
                Some(z) => format!("{} ({z})", p.code),
                None => p.code.clone(),
            })
            .collect();
        v.join(", ")
    }
    /// `id version`, as rules cite it.
    pub fn cite(&self) -> String {
        format!("{} {}", self.id, self.version)
    }
}

/// A policy with all its versions.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PolicySet {
    /// Identifier, such as `gulou`.
    pub id: String,
    /// Human name.
    pub name: String,
    /// Free text (where the amounts come from).
    pub note: Option<String>,
    /// Versions, sorted by `effective_from`.
    pub versions: Vec<Policy>,
}

impl PolicySet {
    /// The built-in Gulou district policy.
    pub fn builtin() -> PolicySet {
        // Invariant: the built-in file is checked by the test suite
        // (`builtin_policy_is_valid`), so parsing cannot fail.
        Self::from_toml(BUILTIN_TOML).expect("built-in policy is valid")
    }

    /// Reads and validates a policy; reports every problem at once.
    pub fn from_toml(text: &str) -> Result<PolicySet, PolicyError> {
        let table: Table = text
            .parse()
            .map_err(|e: toml::de::Error| PolicyError::Toml(e.to_string().trim().to_string()))?;
        let mut r = Reader::default();
        let set = r.policy_set(&table);
        match set {
            Some(s) if r.problems.is_empty() => Ok(s),
            _ => Err(PolicyError::Invalid(r.problems)),
        }
    }

    /// The version in force on `date`.
    pub fn version_on(&self, date: NaiveDate) -> Result<&Policy, PolicyError> {
        let i = self.versions.partition_point(|v| v.effective_from <= date);
        let found = i
            .checked_sub(1)
            .map(|i| &self.versions[i])
            .filter(|v| v.effective_until.is_none_or(|u| date <= u));
        found.ok_or_else(|| PolicyError::NoVersion {
            id: self.id.clone(),
            date,
            versions: self
                .versions
                .iter()
                .map(|v| match v.effective_until {
                    Some(u) => format!("{} {}..{}", v.version, v.effective_from, u),
                    None => format!("{} from {}", v.version, v.effective_from),
                })
                .collect::<Vec<_>>()
                .join("; "),
        })
    }

    /// Writes the policy as TOML that [`PolicySet::from_toml`] reads back unchanged.
    pub fn to_toml(&self) -> String {
        let mut t = Table::new();
        t.insert("id".into(), Value::String(self.id.clone()));
        t.insert("name".into(), Value::String(self.name.clone()));
        if let Some(n) = &self.note {
            t.insert("note".into(), Value::String(n.clone()));
        }
        let versions = self.versions.iter().map(|v| Value::Table(version_table(v)));
        t.insert("versions".into(), Value::Array(versions.collect()));
        // Invariant: a table of strings, booleans, integers and dates always serialises.
        toml::to_string(&t).expect("policy serialises")
    }
}

fn s(d: &Decimal) -> Value {
    Value::String(d.to_string())
}

fn date_value(d: NaiveDate) -> Value {
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

fn version_table(v: &Policy) -> Table {
    let mut t = Table::new();
    t.insert("version".into(), Value::String(v.version.clone()));
    t.insert("effective_from".into(), date_value(v.effective_from));
    if let Some(u) = v.effective_until {
        t.insert("effective_until".into(), date_value(u));
    }
    let mut pos = Table::new();
    for p in &v.positions {
        let mut pt = Table::new();
        if let Some(z) = &p.name_zh {
            pt.insert("name_zh".into(), Value::String(z.clone()));
        }
        pt.insert("base_pay".into(), s(&p.base_pay));
        pt.insert("living_allowance".into(), s(&p.living_allowance));
        pt.insert("post_allowance".into(), s(&p.post_allowance));
        pos.insert(p.code.clone(), Value::Table(pt));
    }
    t.insert("positions".into(), Value::Table(pos));
    let mut ti = Table::new();
    for title in Title::ALL {
        ti.insert(title.code().into(), s(&v.title_allowance(*title)));
    }
    t.insert("title_allowance".into(), Value::Table(ti));
    for (key, b) in [
        ("monthly_bonus", &v.monthly_bonus),
        ("annual_bonus", &v.annual_bonus),
    ] {
        let mut bt = Table::new();
        bt.insert(
            "band".into(),
            Value::Array(vec![s(&b.band.0), s(&b.band.1)]),
        );
        bt.insert("excellent".into(), s(&b.excellent));
        bt.insert("good".into(), s(&b.good));
        bt.insert("pass".into(), s(&b.pass));
        bt.insert("fail".into(), s(&b.fail));
        t.insert(key.into(), Value::Table(bt));
    }
    let q = &v.quota;
    let mut qt = Table::new();
    qt.insert("excellent".into(), s(&q.excellent));
    qt.insert("good".into(), s(&q.good));
    let rounding = match q.rounding {
        QuotaRounding::Floor => "floor",
        QuotaRounding::HalfUp => "half_up",
        QuotaRounding::Ceil => "ceil",
    };
    qt.insert("rounding".into(), Value::String(rounding.into()));
    qt.insert(
        "min_excellent".into(),
        Value::Integer(q.min_excellent.into()),
    );
    let pool = match q.pool {
        Pool::Unit => "unit",
        Pool::All => "all",
    };
    qt.insert("pool".into(), Value::String(pool.into()));
    let ties = match q.ties {
        Ties::Exclude => "exclude",
        Ties::Seniority => "seniority",
    };
    qt.insert("ties".into(), Value::String(ties.into()));
    qt.insert("max_score".into(), s(&q.max_score));
    for (k, o) in [
        ("fail_below", &q.fail_below),
        ("excellent_min_score", &q.excellent_min_score),
        ("good_min_score", &q.good_min_score),
    ] {
        if let Some(x) = o {
            qt.insert(k.into(), s(x));
        }
    }
    t.insert("quota".into(), Value::Table(qt));
    let h = &v.honours;
    let mut ht = Table::new();
    ht.insert("national".into(), s(&h.national));
    ht.insert("provincial".into(), s(&h.provincial));
    ht.insert("municipal".into(), s(&h.municipal));
    let sd = match h.same_deed {
        SameDeed::HighestOnly => "highest_only",
        SameDeed::Each => "each",
    };
    ht.insert("same_deed".into(), Value::String(sd.into()));
    t.insert("honours".into(), Value::Table(ht));
    let p = &v.proration;
    let mut prt = Table::new();
    let basis = match p.basis {
        Basis::CalendarDays => "calendar_days",
        Basis::PaidDays2175 => "paid_days_21_75",
    };
    prt.insert("basis".into(), Value::String(basis.into()));
    prt.insert("monthly_bonus".into(), Value::Boolean(p.monthly_bonus));
    prt.insert("annual_bonus".into(), Value::Boolean(p.annual_bonus));
    let ms = match p.months_served {
        MonthsServed::WholeMonth => "whole_month",
        MonthsServed::AnyDay => "any_day",
    };
    prt.insert("months_served".into(), Value::String(ms.into()));
    t.insert("proration".into(), Value::Table(prt));
    let mut pb = Table::new();
    pb.insert("pay_rate".into(), s(&v.probation.pay_rate));
    pb.insert("graded".into(), Value::Boolean(v.probation.graded));
    t.insert("probation".into(), Value::Table(pb));
    let mut at = Table::new();
    let missing = match v.missing_assessment {
        Missing::Error => "error",
        Missing::Ungraded => "ungraded",
    };
    at.insert("missing".into(), Value::String(missing.into()));
    t.insert("assessment".into(), Value::Table(at));
    if let Some(x) = &v.tax {
        t.insert("tax".into(), Value::Table(tax::table(x)));
    }
    t
}

/// Reads TOML into policy values, collecting every problem with its path.
#[derive(Default)]
struct Reader {
    problems: Vec<Problem>,
}

/// A table being read: remembers which keys were used, to flag the rest.
struct Obj<'a> {
    path: String,
    table: &'a Table,
    used: BTreeSet<&'a str>,
}

impl<'a> Obj<'a> {
    fn new(path: String, table: &'a Table) -> Self {
        Obj {
            path,
            table,
            used: BTreeSet::new(),
        }
    }
    fn at(&self, key: &str) -> String {
        if self.path.is_empty() {
            key.to_string()
        } else {
            format!("{}.{key}", self.path)
        }
    }
    fn get(&mut self, key: &'a str) -> Option<&'a Value> {
        let v = self.table.get(key);
        if v.is_some() {
            self.used.insert(key);
        }
        v
    }
}

impl Reader {
    fn problem(&mut self, path: String, message: impl Into<String>) {
        self.problems.push(Problem {
            path,
            message: message.into(),
        });
    }

    fn finish(&mut self, o: &Obj) {
        for k in o.table.keys() {
            if !o.used.contains(k.as_str()) {
                self.problem(
                    o.at(k),
                    "unknown key; check the spelling against the policy schema in README.md",
                );
            }
        }
    }

    fn missing(&mut self, o: &Obj, key: &str, what: &str) {
        self.problem(o.at(key), format!("missing; expected {what}"));
    }

    fn string<'a>(&mut self, o: &mut Obj<'a>, key: &'a str) -> Option<&'a str> {
        match o.get(key) {
            None => {
                self.missing(o, key, "a string");
                None
            }
            Some(Value::String(s)) => Some(s),
            Some(v) => {
                self.problem(
                    o.at(key),
                    format!("expected a string, found a {}", v.type_str()),
                );
                None
            }
        }
    }

    fn opt_string<'a>(&mut self, o: &mut Obj<'a>, key: &'a str) -> Option<&'a str> {
        if o.table.contains_key(key) {
            self.string(o, key)
        } else {
            None
        }
    }

    fn decimal_value(&mut self, path: String, v: &Value, rate: bool) -> Option<Decimal> {
        let Value::String(text) = v else {
            let hint = match v {
                Value::Float(_) | Value::Integer(_) => {
                    " (write numbers as strings, such as \"1300.00\", so no float rounding can creep in)"
                }
                _ => "",
            };
            self.problem(
                path,
                format!("expected a decimal string, found a {}{hint}", v.type_str()),
            );
            return None;
        };
        let parsed = if rate {
            parse_rate(text)
        } else {
            parse_amount(text)
        };
        match parsed {
            Ok(d) if d.is_sign_negative() && !d.is_zero() => {
                self.problem(path, format!("{text} is negative; expected zero or more"));
                None
            }
            Ok(d) if !rate && d > max_amount() => {
                self.problem(
                    path,
                    format!(
                        "{text} is above the largest amount a policy may set ({})",
                        max_amount()
                    ),
                );
                None
            }
            Ok(mut d) => {
                if !rate {
                    // Amounts are held on the fen (scale 2), so a full-month
                    // line is the policy amount itself, already rounded.
                    d.rescale(crate::money::AMOUNT_DP);
                }
                Some(d)
            }
            Err(e) => {
                self.problem(path, e.to_string());
                None
            }
        }
    }

    fn decimal<'a>(&mut self, o: &mut Obj<'a>, key: &'a str, rate: bool) -> Option<Decimal> {
        match o.get(key) {
            None => {
                self.missing(
                    o,
                    key,
                    if rate {
                        "a decimal string such as \"0.20\""
                    } else {
                        "an amount string such as \"1300.00\""
                    },
                );
                None
            }
            Some(v) => self.decimal_value(o.at(key), v, rate),
        }
    }

    fn opt_decimal<'a>(&mut self, o: &mut Obj<'a>, key: &'a str) -> Option<Option<Decimal>> {
        match o.get(key) {
            None => Some(None),
            Some(v) => self.decimal_value(o.at(key), v, true).map(Some),
        }
    }

    fn boolean<'a>(&mut self, o: &mut Obj<'a>, key: &'a str) -> Option<bool> {
        match o.get(key) {
            None => {
                self.missing(o, key, "true or false");
                None
            }
            Some(Value::Boolean(b)) => Some(*b),
            Some(v) => {
                self.problem(
                    o.at(key),
                    format!("expected true or false, found a {}", v.type_str()),
                );
                None
            }
        }
    }

    fn choice<'a, T: Copy>(
        &mut self,
        o: &mut Obj<'a>,
        key: &'a str,
        options: &[(&str, T)],
        default: Option<T>,
    ) -> Option<T> {
        let names: Vec<String> = options.iter().map(|(n, _)| format!("\"{n}\"")).collect();
        let names = names.join(" | ");
        if !o.table.contains_key(key) {
            if default.is_none() {
                self.missing(o, key, &names);
            }
            return default;
        }
        let s = self.string(o, key)?;
        match options.iter().find(|(n, _)| *n == s) {
            Some((_, v)) => Some(*v),
            None => {
                self.problem(o.at(key), format!("{s:?} is not one of {names}"));
                None
            }
        }
    }

    fn table<'a>(&mut self, o: &mut Obj<'a>, key: &'a str) -> Option<Obj<'a>> {
        match o.get(key) {
            None => {
                self.missing(o, key, "a table");
                None
            }
            Some(Value::Table(t)) => Some(Obj::new(o.at(key), t)),
            Some(v) => {
                self.problem(
                    o.at(key),
                    format!("expected a table, found a {}", v.type_str()),
                );
                None
            }
        }
    }

    fn date<'a>(&mut self, o: &mut Obj<'a>, key: &'a str) -> Option<NaiveDate> {
        let v = o.get(key)?;
        let parsed = match v {
            Value::Datetime(dt) if dt.time.is_none() && dt.offset.is_none() => dt
                .date
                .and_then(|d| crate::period::ymd(d.year.into(), d.month.into(), d.day.into())),
            Value::String(s) => crate::period::parse_date(s).ok(),
            _ => None,
        };
        if parsed.is_none() {
            self.problem(o.at(key), "expected a date such as 2026-01-01");
        }
        parsed
    }

    fn policy_set(&mut self, table: &Table) -> Option<PolicySet> {
        let mut o = Obj::new(String::new(), table);
        let id = self.string(&mut o, "id");
        if let Some(id) = id
            && (id.is_empty()
                || !id
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-'))
        {
            self.problem(
                "id".into(),
                format!("{id:?}: expected letters, digits, '-' or '_'"),
            );
        }
        let name = self.string(&mut o, "name");
        let note = self.opt_string(&mut o, "note");
        let mut versions = Vec::new();
        match o.get("versions") {
            Some(Value::Array(items)) if !items.is_empty() => {
                for (i, item) in items.iter().enumerate() {
                    let path = format!("versions[{i}]");
                    match item {
                        Value::Table(t) => {
                            if let Some(v) = self.version(path, t, id.unwrap_or_default()) {
                                versions.push(v);
                            }
                        }
                        _ => self.problem(path, "expected a table ([[versions]])"),
                    }
                }
            }
            Some(_) => self.problem(
                "versions".into(),
                "expected one or more [[versions]] tables",
            ),
            None => self.missing(&o, "versions", "one or more [[versions]] tables"),
        }
        self.finish(&o);
        self.check_spans(&mut versions);
        Some(PolicySet {
            id: id?.to_string(),
            name: name?.to_string(),
            note: note.map(str::to_string),
            versions,
        })
    }

    fn check_spans(&mut self, versions: &mut [Policy]) {
        // Keep the file order for paths, then sort.
        let mut order: Vec<usize> = (0..versions.len()).collect();
        order.sort_by_key(|&i| versions[i].effective_from);
        let mut labels = BTreeSet::new();
        for v in versions.iter() {
            if !labels.insert(v.version.clone()) {
                self.problem(
                    "versions".into(),
                    format!("version label {:?} is used twice", v.version),
                );
            }
            if let Some(u) = v.effective_until
                && u < v.effective_from
            {
                self.problem(
                    format!("versions ({}).effective_until", v.version),
                    format!("{u} is before effective_from {}", v.effective_from),
                );
            }
        }
        for w in order.windows(2) {
            let (a, b) = (&versions[w[0]], &versions[w[1]]);
            let overlaps = a.effective_from == b.effective_from
                || a.effective_until.is_some_and(|u| u >= b.effective_from);
            if overlaps {
                self.problem(
                    "versions".into(),
                    format!(
                        "versions {:?} (from {}) and {:?} (from {}) overlap; end the first before the second begins",
                        a.version, a.effective_from, b.version, b.effective_from
                    ),
                );
            }
        }
        versions.sort_by_key(|v| v.effective_from);
    }

    fn bonus<'a>(&mut self, o: &mut Obj<'a>, key: &'a str) -> Option<BonusTable> {
        let mut t = self.table(o, key)?;
        let band = match t.get("band") {
            Some(Value::Array(a)) if a.len() == 2 => {
                let lo = self.decimal_value(t.at("band[0]"), &a[0], false);
                let hi = self.decimal_value(t.at("band[1]"), &a[1], false);
                match (lo, hi) {
                    (Some(lo), Some(hi)) if lo <= hi => Some((lo, hi)),
                    (Some(lo), Some(hi)) => {
                        self.problem(
                            t.at("band"),
                            format!("band low {lo} is above band high {hi}"),
                        );
                        None
                    }
                    _ => None,
                }
            }
            Some(_) => {
                self.problem(
                    t.at("band"),
                    "expected [\"low\", \"high\"], such as [\"900.00\", \"1300.00\"]",
                );
                None
            }
            None => {
                self.missing(&t, "band", "[\"low\", \"high\"]");
                None
            }
        };
        let excellent = self.decimal(&mut t, "excellent", false);
        let good = self.decimal(&mut t, "good", false);
        let pass = self.decimal(&mut t, "pass", false);
        let fail = self.decimal(&mut t, "fail", false);
        self.finish(&t);
        let named = [("pass", pass), ("good", good), ("excellent", excellent)];
        if let Some((lo, hi)) = band {
            for (name, v) in named {
                if let Some(v) = v.filter(|v| *v < lo || *v > hi) {
                    self.problem(t.at(name), format!("{v} is outside the band {lo}..{hi}"));
                }
            }
        }
        let ordered = [
            ("fail", fail),
            ("pass", pass),
            ("good", good),
            ("excellent", excellent),
        ];
        for w in ordered.windows(2) {
            if let ((worse, Some(a)), (better, Some(b))) = (w[0], w[1])
                && b < a
            {
                self.problem(
                        t.at(better),
                        format!("{better} pays {b}, less than {worse} ({a}); a better grade must never pay less"),
                    );
            }
        }
        Some(BonusTable {
            band: band?,
            fail: fail?,
            pass: pass?,
            good: good?,
            excellent: excellent?,
        })
    }

    fn version(&mut self, path: String, table: &Table, id: &str) -> Option<Policy> {
        let mut o = Obj::new(path, table);
        let version = self.string(&mut o, "version");
        let from = self.date(&mut o, "effective_from");
        if from.is_none() && !table.contains_key("effective_from") {
            self.missing(&o, "effective_from", "a date such as 2018-01-01");
        }
        let until = if table.contains_key("effective_until") {
            self.date(&mut o, "effective_until").map(Some)
        } else {
            Some(None)
        };

        let positions = self.positions(&mut o);
        let titles = self.titles(&mut o);
        let monthly = self.bonus(&mut o, "monthly_bonus");
        let annual = self.bonus(&mut o, "annual_bonus");
        let quota = self.quota(&mut o);
        let honours = self.honours(&mut o);
        let proration = self.proration(&mut o);
        let probation = self.probation(&mut o);
        let tax = self.tax(&mut o);
        let missing = match o.table.contains_key("assessment") {
            true => {
                let mut t = self.table(&mut o, "assessment")?;
                let m = self.choice(
                    &mut t,
                    "missing",
                    &[("error", Missing::Error), ("ungraded", Missing::Ungraded)],
                    Some(Missing::Error),
                );
                self.finish(&t);
                m
            }
            false => Some(Missing::Error),
        };
        self.finish(&o);
        Some(Policy {
            id: id.to_string(),
            version: version?.to_string(),
            effective_from: from?,
            effective_until: until?,
            positions: positions?,
            title_allowance: titles?,
            monthly_bonus: monthly?,
            annual_bonus: annual?,
            quota: quota?,
            honours: honours?,
            proration: proration?,
            probation: probation?,
            missing_assessment: missing?,
            tax: tax?,
        })
    }

    fn positions<'a>(&mut self, o: &mut Obj<'a>) -> Option<Vec<Position>> {
        let t = self.table(o, "positions")?;
        if t.table.is_empty() {
            self.problem(
                t.path.clone(),
                "no positions; expected at least one [versions.positions.CODE] table",
            );
            return None;
        }
        let mut out = Vec::new();
        let mut ok = true;
        for (code, v) in t.table {
            let path = t.at(code);
            let Value::Table(pt) = v else {
                self.problem(
                    path,
                    "expected a table with base_pay, living_allowance, post_allowance",
                );
                ok = false;
                continue;
            };
            let mut p = Obj::new(path, pt);
            let name_zh = self.opt_string(&mut p, "name_zh").map(str::to_string);
            let base = self.decimal(&mut p, "base_pay", false);
            let living = self.decimal(&mut p, "living_allowance", false);
            let post = self.decimal(&mut p, "post_allowance", false);
            self.finish(&p);
            match (base, living, post) {
                (Some(base_pay), Some(living_allowance), Some(post_allowance)) => {
                    out.push(Position {
                        code: code.clone(),
                        name_zh,
                        base_pay,
                        living_allowance,
                        post_allowance,
                    })
                }
                _ => ok = false,
            }
        }
        out.sort_by(|a, b| a.code.cmp(&b.code));
        ok.then_some(out)
    }

    fn titles<'a>(&mut self, o: &mut Obj<'a>) -> Option<[Decimal; 4]> {
        let mut t = self.table(o, "title_allowance")?;
        let mut out = [Decimal::ZERO; 4];
        let mut ok = true;
        for title in Title::ALL {
            match self.decimal(&mut t, title.code(), false) {
                Some(d) => out[*title as usize] = d,
                None => ok = false,
            }
        }
        self.finish(&t);
        ok.then_some(out)
    }

    fn quota<'a>(&mut self, o: &mut Obj<'a>) -> Option<QuotaRule> {
        let mut t = self.table(o, "quota")?;
        let excellent = self.decimal(&mut t, "excellent", true);
        let good = self.decimal(&mut t, "good", true);
        for (k, v) in [("excellent", excellent), ("good", good)] {
            if let Some(v) = v.filter(|v| *v > Decimal::ONE) {
                self.problem(
                    t.at(k),
                    format!("cap {v} is outside 0..1; write a fraction such as \"0.20\""),
                );
            }
        }
        if let (Some(e), Some(g)) = (excellent, good)
            && e + g > Decimal::ONE
        {
            self.problem(
                t.path.clone(),
                format!(
                    "excellent {e} + good {g} = {} is over 1; the caps share one headcount",
                    e + g
                ),
            );
        }
        let rounding = self.choice(
            &mut t,
            "rounding",
            &[
                ("floor", QuotaRounding::Floor),
                ("half_up", QuotaRounding::HalfUp),
                ("ceil", QuotaRounding::Ceil),
            ],
            Some(QuotaRounding::Floor),
        );
        let min_excellent = match t.get("min_excellent") {
            None => Some(0),
            Some(Value::Integer(n)) if (0..=1_000_000).contains(n) => Some(*n as u32),
            Some(_) => {
                self.problem(
                    t.at("min_excellent"),
                    "expected a whole number of slots, 0 or more",
                );
                None
            }
        };
        let pool = self.choice(
            &mut t,
            "pool",
            &[("unit", Pool::Unit), ("all", Pool::All)],
            Some(Pool::Unit),
        );
        let ties = self.choice(
            &mut t,
            "ties",
            &[("exclude", Ties::Exclude), ("seniority", Ties::Seniority)],
            Some(Ties::Exclude),
        );
        let max_score = match t.get("max_score") {
            None => Some(Decimal::ONE_HUNDRED),
            Some(v) => self.decimal_value(t.at("max_score"), v, true),
        };
        let fail_below = self.opt_decimal(&mut t, "fail_below");
        let excellent_min = self.opt_decimal(&mut t, "excellent_min_score");
        let good_min = self.opt_decimal(&mut t, "good_min_score");
        if let Some(max) = max_score {
            for (k, v) in [
                ("fail_below", fail_below),
                ("excellent_min_score", excellent_min),
                ("good_min_score", good_min),
            ] {
                if let Some(v) = v.flatten().filter(|v| *v > max) {
                    self.problem(t.at(k), format!("{v} is above max_score {max}"));
                }
            }
        }
        self.finish(&t);
        Some(QuotaRule {
            excellent: excellent?,
            good: good?,
            rounding: rounding?,
            min_excellent: min_excellent?,
            pool: pool?,
            ties: ties?,
            max_score: max_score?,
            fail_below: fail_below?,
            excellent_min_score: excellent_min?,
            good_min_score: good_min?,
        })
    }

    fn honours<'a>(&mut self, o: &mut Obj<'a>) -> Option<Honours> {
        let mut t = self.table(o, "honours")?;
        let national = self.decimal(&mut t, "national", false);
        let provincial = self.decimal(&mut t, "provincial", false);
        let municipal = self.decimal(&mut t, "municipal", false);
        let same_deed = self.choice(
            &mut t,
            "same_deed",
            &[
                ("highest_only", SameDeed::HighestOnly),
                ("each", SameDeed::Each),
            ],
            Some(SameDeed::HighestOnly),
        );
        for ((lo_name, lo), (hi_name, hi)) in [
            (("municipal", municipal), ("provincial", provincial)),
            (("provincial", provincial), ("national", national)),
        ] {
            if let (Some(lo), Some(hi)) = (lo, hi)
                && hi < lo
            {
                self.problem(
                        t.at(hi_name),
                        format!("{hi_name} pays {hi}, less than {lo_name} ({lo}); a higher honour must never pay less"),
                    );
            }
        }
        self.finish(&t);
        Some(Honours {
            national: national?,
            provincial: provincial?,
            municipal: municipal?,
            same_deed: same_deed?,
        })
    }

    fn proration<'a>(&mut self, o: &mut Obj<'a>) -> Option<Proration> {
        let mut t = self.table(o, "proration")?;
        let basis = self.choice(
            &mut t,
            "basis",
            &[
                ("calendar_days", Basis::CalendarDays),
                ("paid_days_21_75", Basis::PaidDays2175),
            ],
            None,
        );
        let monthly_bonus = self.boolean(&mut t, "monthly_bonus");
        let annual_bonus = self.boolean(&mut t, "annual_bonus");
        let months_served = self.choice(
            &mut t,
            "months_served",
            &[
                ("whole_month", MonthsServed::WholeMonth),
                ("any_day", MonthsServed::AnyDay),
            ],
            Some(MonthsServed::WholeMonth),
        );
        self.finish(&t);
        Some(Proration {
            basis: basis?,
            monthly_bonus: monthly_bonus?,
            annual_bonus: annual_bonus?,
            months_served: months_served?,
        })
    }

    fn probation<'a>(&mut self, o: &mut Obj<'a>) -> Option<Probation> {
        let mut t = self.table(o, "probation")?;
        let pay_rate = self.decimal(&mut t, "pay_rate", true);
        if let Some(r) = pay_rate.filter(|r| *r > Decimal::ONE) {
            self.problem(
                t.at("pay_rate"),
                format!("{r} is outside 0..1; write a fraction such as \"0.80\""),
            );
        }
        let graded = self.boolean(&mut t, "graded");
        self.finish(&t);
        Some(Probation {
            pay_rate: pay_rate?,
            graded: graded?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::period::parse_date;
    use crate::worker::HonourLevel;

    #[test]
    fn bonus_amounts_are_on_the_fen() {
        let set = PolicySet::from_toml(BUILTIN_TOML).unwrap();
        let p = &set.versions[0];
        for g in Grade::ALL {
            assert_eq!(p.monthly_bonus.amount(*g).scale(), 2, "{g}");
            assert_eq!(p.annual_bonus.amount(*g).scale(), 2, "{g}");
        }
    }

    #[test]
    fn builtin_policy_is_valid() {
        let set = PolicySet::from_toml(BUILTIN_TOML).unwrap();
        assert_eq!(set.id, "gulou");
        let p = &set.versions[0];
        let m = &p.monthly_bonus;
        assert_eq!(
            (m.pass, m.good, m.excellent, m.fail),
            (900.into(), 1100.into(), 1300.into(), 0.into())
        );
        let a = &p.annual_bonus;
        assert_eq!(
            (a.pass, a.good, a.excellent, a.fail),
            (1200.into(), 1800.into(), 2400.into(), 0.into())
        );
        assert_eq!(p.quota.excellent, "0.20".parse().unwrap());
        assert_eq!(p.quota.good, "0.60".parse().unwrap());
        assert_eq!(p.quota.rounding, QuotaRounding::Floor);
        assert_eq!(p.honours.national, 10000.into());
        assert_eq!(p.honours.provincial, 5000.into());
        assert_eq!(p.honours.municipal, 3000.into());
        assert_eq!(p.honours.same_deed, SameDeed::HighestOnly);
    }

    #[test]
    fn round_trips_through_toml() {
        let set = PolicySet::builtin();
        let again = PolicySet::from_toml(&set.to_toml()).unwrap();
        assert_eq!(set, again);
    }

    #[test]
    fn reports_every_problem_with_its_path() {
        let text = PolicySet::builtin()
            .to_toml()
            .replace("excellent = \"1300.00\"", "excellent = \"1400.00\"")
            .replace("good = \"1800.00\"", "good = \"1000.00\"")
            .replace("good = \"0.60\"", "good = \"0.90\"")
            .replace(
                "national = \"10000.00\"",
                "national = \"-1.00\"\nnationall = \"1\"",
            )
            .replace("pay_rate = \"1.00\"", "pay_rate = 1.0");
        let Err(PolicyError::Invalid(problems)) = PolicySet::from_toml(&text) else {
            panic!("expected problems")
        };
        let paths: Vec<&str> = problems.iter().map(|p| p.path.as_str()).collect();
        for want in [
            "versions[0].monthly_bonus.excellent",
            "versions[0].annual_bonus.good",
            "versions[0].quota",
            "versions[0].honours.national",
            "versions[0].honours.nationall",
            "versions[0].probation.pay_rate",
        ] {
            assert!(paths.contains(&want), "{want} missing from {paths:?}");
        }
        let msg = PolicyError::Invalid(problems).to_string();
        assert!(msg.contains("outside the band 900.00..1300.00"), "{msg}");
        assert!(msg.contains("a better grade must never pay less"), "{msg}");
        assert!(msg.contains("unknown key"), "{msg}");
        assert!(msg.contains("negative"), "{msg}");
        assert!(msg.contains("write numbers as strings"), "{msg}");
    }

    #[test]
    fn overlapping_versions_and_lookup() {
        let base = PolicySet::builtin().to_toml();
        let v2 = base
            .split("[[versions]]")
            .nth(1)
            .unwrap()
            .replace("version = \"2018\"", "version = \"2027\"")
            .replace("effective_from = 2018-01-01", "effective_from = 2027-01-01");
        let two = format!("{base}\n[[versions]]{v2}");
        let set = PolicySet::from_toml(&two).unwrap();
        let d = |s| parse_date(s).unwrap();
        assert_eq!(set.version_on(d("2026-12-31")).unwrap().version, "2018");
        assert_eq!(set.version_on(d("2027-01-01")).unwrap().version, "2027");
        let e = set.version_on(d("2017-12-31")).unwrap_err().to_string();
        assert!(e.contains("no version in force on 2017-12-31"), "{e}");

        let overlapping = two.replacen(
            "effective_from = 2018-01-01",
            "effective_from = 2018-01-01\neffective_until = 2027-06-30",
            1,
        );
        let e = PolicySet::from_toml(&overlapping).unwrap_err().to_string();
        assert!(e.contains("overlap"), "{e}");
    }

    #[test]
    fn tax_table_problems_have_paths() {
        let set = PolicySet::builtin();
        let tax = set.versions[0].tax.as_ref().unwrap();
        assert_eq!(tax.basic_deduction, 5000.into());
        assert_eq!(tax.annual.brackets().len(), 7);
        assert_eq!(tax.separate_until, Some(parse_date("2027-12-31").unwrap()));
        assert!(tax.exempt(HonourLevel::Provincial) && !tax.exempt(HonourLevel::Municipal));
        let text = set
            .to_toml()
            .replace(
                "quick_deduction = \"2520.00\"",
                "quick_deduction = \"2500.00\"",
            )
            .replace(
                "housing_fund_default = \"0.12\"",
                "housing_fund_default = \"0.13\"",
            )
            .replace(
                "pension = \"0.08\"",
                "pension = \"0.08\"\npensoin = \"0.08\"",
            )
            .replace("\"national\"]", "\"county\"]");
        let Err(PolicyError::Invalid(problems)) = PolicySet::from_toml(&text) else {
            panic!("expected problems")
        };
        let msg = PolicyError::Invalid(problems).to_string();
        for want in [
            "versions[0].tax.annual[1].quick_deduction: 2500.00 does not continue the table: expected 2520.00",
            "versions[0].tax.contributions.housing_fund_default: 0.13 is outside",
            "versions[0].tax.contributions.pensoin: unknown key",
            "versions[0].tax.exempt_honours[1]: unknown honour level \"county\"",
        ] {
            assert!(msg.contains(want), "{want} not in {msg}");
        }
        // Without a tax table the version still reads, with no tax rules.
        let mut set2 = set.clone();
        set2.versions[0].tax = None;
        let text = set2.to_toml();
        assert!(!text.contains("tax"), "{text}");
        assert_eq!(PolicySet::from_toml(&text).unwrap(), set2);
    }

    #[test]
    fn malformed_toml_is_an_error() {
        let e = PolicySet::from_toml("id = [").unwrap_err().to_string();
        assert!(e.contains("not valid TOML"), "{e}");
        let e = PolicySet::from_toml("").unwrap_err().to_string();
        assert!(
            e.contains("id: missing") && e.contains("versions: missing"),
            "{e}"
        );
    }
}
