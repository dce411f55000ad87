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
//! assert_eq!(p.monthly_bonus().amount(Grade::Excellent).to_string(), "1300.00");
//! assert_eq!(p.annual_bonus().amount(Grade::Good).to_string(), "1800.00");
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

use crate::worker::{Grade, HonourLevel, Title};
use chrono::NaiveDate;
use rust_decimal::Decimal;
use std::fmt;
use toml::Table;

mod choose;
mod read;
mod tax;
pub mod tax_tables;
mod write;

use read::{Obj, Reader};
use write::{date_value, s};

/// The built-in district policy (Gulou district, Fuzhou), as TOML.
pub const BUILTIN_TOML: &str = include_str!("../../policies/gulou.toml");

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

/// Errors from reading or applying a reform (the what-if's overlay): a reform is
/// an overlay of policy data, so its problems are policy problems.
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

/// A position outside this pay scheme (`[versions.outside_scheme.CODE]`):
/// a worker promoted to it (a sub-district deputy, or a career-established
/// secretary paid elsewhere) leaves this payroll the day before.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutsidePosition {
    /// Code, such as `sub_district_deputy`.
    pub code: String,
    /// Chinese name, accepted in inputs in place of the code.
    pub name_zh: Option<String>,
}

/// Which day of the period decides the unit (and so the quota pool) of a
/// worker who changes unit within it (`quota.pool_day`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PoolDay {
    /// The unit on the period's last day (the default).
    LastDay,
    /// The unit on the period's first day.
    FirstDay,
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
    /// Which day's unit is a worker's pool when the unit changes in the period.
    pub pool_day: PoolDay,
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
    pub(crate) id: String,
    /// Version label, such as `2018`.
    pub(crate) version: String,
    /// First day in force.
    pub(crate) effective_from: NaiveDate,
    /// Last day in force, if set.
    pub(crate) effective_until: Option<NaiveDate>,
    /// Positions, sorted by code.
    pub(crate) positions: Vec<Position>,
    /// Positions outside this pay scheme, sorted by code: a change to one
    /// ends the worker's pay here the day before (empty when none).
    pub(crate) outside_scheme: Vec<OutsidePosition>,
    /// Title allowance for `none`, `assistant_social_worker`, `social_worker`, `senior_social_worker`.
    pub(crate) title_allowance: [Decimal; 4],
    /// Monthly performance bonus.
    pub(crate) monthly_bonus: BonusTable,
    /// Annual performance bonus.
    pub(crate) annual_bonus: BonusTable,
    /// Quota rule.
    pub(crate) quota: QuotaRule,
    /// Honour awards.
    pub(crate) honours: Honours,
    /// Proration.
    pub(crate) proration: Proration,
    /// Probation.
    pub(crate) probation: Probation,
    /// Workers with no assessment.
    pub(crate) missing_assessment: Missing,
    /// Gross-to-net rules (`[versions.tax]`), if the version has them.
    pub(crate) tax: Option<tax_tables::TaxRules>,
}

/// Whether two codes are equal: for 8 to 24 bytes, three (overlapping)
/// 8-byte words compared inline (a position is looked up per payslip; this
/// spares a call to `memcmp`); otherwise the slices.
#[inline]
fn same_code(a: &[u8], b: &[u8]) -> bool {
    let n = a.len();
    if n != b.len() {
        return false;
    }
    if (8..=24).contains(&n) {
        let word = |s: &[u8], at: usize| {
            let mut w = [0u8; 8];
            w.copy_from_slice(&s[at..at + 8]);
            u64::from_ne_bytes(w)
        };
        let mid = (n - 8).min(8);
        return word(a, 0) == word(b, 0)
            && word(a, mid) == word(b, mid)
            && word(a, n - 8) == word(b, n - 8);
    }
    a == b
}

/// Read-only views of a version: it is built only by
/// [`PolicySet::from_toml`] (and [`PolicySet::builtin`]), whose checks no
/// caller can bypass.
impl Policy {
    /// The policy id (of its set).
    #[must_use]
    pub fn id(&self) -> &str {
        &self.id
    }
    /// The version label, such as `2018`.
    #[must_use]
    pub fn version(&self) -> &str {
        &self.version
    }
    /// The first day in force.
    #[must_use]
    pub fn effective_from(&self) -> NaiveDate {
        self.effective_from
    }
    /// The last day in force, if set.
    #[must_use]
    pub fn effective_until(&self) -> Option<NaiveDate> {
        self.effective_until
    }
    /// The positions, sorted by code.
    #[must_use]
    pub fn positions(&self) -> &[Position] {
        &self.positions
    }
    /// The positions outside this pay scheme, sorted by code.
    #[must_use]
    pub fn outside_scheme(&self) -> &[OutsidePosition] {
        &self.outside_scheme
    }
    /// The monthly performance bonus.
    #[must_use]
    pub fn monthly_bonus(&self) -> &BonusTable {
        &self.monthly_bonus
    }
    /// The annual performance bonus.
    #[must_use]
    pub fn annual_bonus(&self) -> &BonusTable {
        &self.annual_bonus
    }
    /// The quota rule.
    #[must_use]
    pub fn quota(&self) -> &QuotaRule {
        &self.quota
    }
    /// The honour awards.
    #[must_use]
    pub fn honours(&self) -> &Honours {
        &self.honours
    }
    /// Proration of partial months.
    #[must_use]
    pub fn proration(&self) -> &Proration {
        &self.proration
    }
    /// Probation.
    #[must_use]
    pub fn probation(&self) -> &Probation {
        &self.probation
    }
    /// What a run does with a worker who has no assessment.
    #[must_use]
    pub fn missing_assessment(&self) -> Missing {
        self.missing_assessment
    }
    /// The gross-to-net rules (`[versions.tax]`), if the version has them.
    #[must_use]
    pub fn tax(&self) -> Option<&tax_tables::TaxRules> {
        self.tax.as_ref()
    }
    /// The title allowance a month.
    pub fn title_allowance(&self, title: Title) -> Decimal {
        self.title_allowance[title as usize]
    }
    /// Finds a position by code, else by Chinese name (either trimmed).
    pub fn position_index(&self, code: &str) -> Option<usize> {
        // A handful of positions: a linear scan comparing lengths first
        // beats a binary search of string comparisons.
        let find = |c: &[u8]| {
            let ps = &self.positions;
            ps.iter()
                .position(|p| same_code(p.code.as_bytes(), c))
                .or_else(|| {
                    ps.iter().position(|p| {
                        p.name_zh
                            .as_deref()
                            .is_some_and(|z| same_code(z.as_bytes(), c))
                    })
                })
        };
        find(code.as_bytes()).or_else(|| {
            let t = code.trim();
            (t.len() != code.len()).then(|| find(t.as_bytes())).flatten()
        })
    }
    /// Finds a position outside the scheme by code or Chinese name.
    pub fn outside_index(&self, code: &str) -> Option<usize> {
        let code = code.trim();
        self.outside_scheme
            .iter()
            .position(|p| p.code == code || p.name_zh.as_deref() == Some(code))
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
    pub(crate) id: String,
    /// Human name.
    pub(crate) name: String,
    /// Free text (where the amounts come from).
    pub(crate) note: Option<String>,
    /// Versions, sorted by `effective_from`.
    pub(crate) versions: Vec<Policy>,
}

impl PolicySet {
    /// The identifier, such as `gulou`.
    #[must_use]
    pub fn id(&self) -> &str {
        &self.id
    }
    /// The human name.
    #[must_use]
    pub fn name(&self) -> &str {
        &self.name
    }
    /// The free-text note (where the amounts come from), if any.
    #[must_use]
    pub fn note(&self) -> Option<&str> {
        self.note.as_deref()
    }
    /// The versions, sorted by first day in force.
    #[must_use]
    pub fn versions(&self) -> &[Policy] {
        &self.versions
    }
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
