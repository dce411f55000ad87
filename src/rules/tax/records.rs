//! The tax parts of the request and response documents: the `tax` and `ytd`
//! records and their validation into a run's inputs, the tax state a run
//! carries, and the `ytd` and `bonus_tax` response documents.

use super::*;
use crate::money::{Amount, parse_amount, parse_rate};
use crate::period::{Year, YearMonth, parse_date};
use crate::policy::{Policy, max_amount};
use crate::rules::slip::Payslip;
use chrono::Datelike;
use serde::ser::SerializeStruct;
use serde::{Deserialize, Serialize, Serializer};
use std::fmt;

/// A count (year, months) as it arrives: a JSON integer or a string, kept as
/// text so that a bad value becomes an error naming the worker and field.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Count(pub String);

impl Serialize for Count {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self.0.parse::<u64>() {
            Ok(n) => s.serialize_u64(n),
            Err(_) => s.serialize_str(&self.0),
        }
    }
}

impl<'de> Deserialize<'de> for Count {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl serde::de::Visitor<'_> for V {
            type Value = Count;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a whole number, such as 3 or \"3\"")
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Count, E> {
                Ok(Count(v.to_string()))
            }
            fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<Count, E> {
                Ok(Count(v.to_string()))
            }
            fn visit_i64<E: serde::de::Error>(self, v: i64) -> Result<Count, E> {
                Ok(Count(v.to_string()))
            }
            fn visit_f64<E: serde::de::Error>(self, v: f64) -> Result<Count, E> {
                Ok(Count(v.to_string()))
            }
        }
        d.deserialize_any(V)
    }
}

/// A worker's tax settings as they arrive (the request's `tax` list).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TaxRecord {
    /// Whose.
    pub worker_id: String,
    /// Contribution base; absent means the month's gross, clamped to the bounds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub contribution_base: Option<String>,
    /// Housing-fund rate, such as `"0.12"`; absent means the policy default.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub housing_fund_rate: Option<String>,
    /// Special additional deductions this month.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub additional_deductions: Option<String>,
    /// Other deductions this month.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub other_deductions: Option<String>,
    /// Annual runs: the day the bonus is paid; default the year's last day.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub paid_on: Option<String>,
}

/// A worker's year-to-date state as it arrives (the request's `ytd` list);
/// the response's `ytd` list has the same shape, so it can be passed on.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct YtdRecord {
    /// Whose.
    pub worker_id: String,
    /// Tax year.
    pub year: Count,
    /// Months employed this year so far.
    #[serde(default)]
    pub months: Count,
    /// Cumulative income.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub income: Option<String>,
    /// Cumulative exempt income.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub exempt_income: Option<String>,
    /// Cumulative contributions.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub contributions: Option<String>,
    /// Cumulative special additional deductions.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub additional_deductions: Option<String>,
    /// Cumulative other deductions.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub other_deductions: Option<String>,
    /// Tax withheld on wages this year.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tax_withheld: Option<String>,
    /// An annual bonus taxed separately this year.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub separate_bonus: Option<String>,
    /// Tax on it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub separate_bonus_tax: Option<String>,
    /// Tax due but not withheld because the pay did not allow it, carried to
    /// the next month (which withholds it within its own due); absent means
    /// none, and responses write it only when there is some.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tax_unwithheld: Option<String>,
    /// `YYYY-MM`: the last month whose wages the state includes. Responses
    /// of monthly runs write their month; annual runs keep the state's own.
    /// A monthly run refuses a state through its own month or later, and one
    /// with a month missing before it (unless the worker was hired after
    /// `through`). Absent means not known: not checked.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub through: Option<String>,
}

impl YtdRecord {
    /// The document of a state.
    pub fn from_ytd(worker_id: &str, y: &Ytd) -> YtdRecord {
        let s = |d: Decimal| Some(a(d).to_string());
        YtdRecord {
            worker_id: worker_id.to_string(),
            year: Count(y.year.to_string()),
            months: Count(y.months.to_string()),
            income: s(y.income),
            exempt_income: s(y.exempt_income),
            contributions: s(y.contributions),
            additional_deductions: s(y.additional_deductions),
            other_deductions: s(y.other_deductions),
            tax_withheld: s(y.tax_withheld),
            separate_bonus: s(y.separate_bonus),
            separate_bonus_tax: s(y.separate_bonus_tax),
            tax_unwithheld: (!y.tax_unwithheld.is_zero()).then(|| a(y.tax_unwithheld).to_string()),
            through: y.through.map(|m| m.to_string()),
        }
    }
}

/// The period a run's tax inputs are read for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TaxPeriod {
    /// A monthly run.
    Month(YearMonth),
    /// An annual (bonus) run.
    Year(Year),
}

/// Where a worker id of a tax input stands in the run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Found {
    /// A validated worker, at this index.
    Worker(usize),
    /// In the roster but not employed in the period (state passes through).
    NotEmployed,
    /// In the roster but refused for other errors.
    Refused,
    /// Not in the roster.
    Unknown,
}

/// Which list a tax input came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    /// The request's `tax` list.
    Tax,
    /// The request's `ytd` list.
    Ytd,
}

/// A problem with a tax input: worker, field, message, list and index.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InputProblem {
    /// The worker.
    pub worker_id: String,
    /// The field (`tax.housing_fund_rate`, `ytd.months`…).
    pub field: String,
    /// What was wrong and what was expected.
    pub message: String,
    /// The list and index of the record.
    pub source: (Source, usize),
}

/// The validated tax inputs of a run.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Inputs {
    /// Per validated worker index: the input, if the worker has one.
    pub workers: Vec<Option<Input>>,
    /// States of roster workers not employed in the period, passed through unchanged.
    pub passed: Vec<(String, Ytd)>,
    /// Whether the request had any tax input (the response then has `ytd`).
    pub active: bool,
}

fn amount_field(text: &str) -> Result<Decimal, String> {
    let d = parse_amount(text).map_err(|e| e.to_string())?;
    if d.is_sign_negative() && !d.is_zero() {
        return Err(format!("{text} is negative; expected zero or more"));
    }
    if d > max_amount() {
        return Err(format!(
            "{text} is above the largest amount accepted ({})",
            max_amount()
        ));
    }
    Ok(d)
}

impl Inputs {
    /// Reads and validates the request's `tax` and `ytd` lists against the
    /// policy version; `n` is the number of validated workers and `find`
    /// places a worker id. Every problem is returned; a worker with a
    /// problem should not be paid.
    pub fn read(
        policy: &Policy,
        period: TaxPeriod,
        tax: &[TaxRecord],
        ytd: &[YtdRecord],
        n: usize,
        mut find: impl FnMut(&str) -> Found,
    ) -> (Inputs, Vec<InputProblem>) {
        let active = !tax.is_empty() || !ytd.is_empty();
        let mut out = Inputs {
            // Without tax inputs nothing is kept per worker.
            workers: if active { vec![None; n] } else { Vec::new() },
            passed: Vec::new(),
            active,
        };
        let mut problems = Vec::new();
        if !out.active {
            return (out, problems);
        }
        let mut err = |id: &str, field: &str, message: String, source| {
            problems.push(InputProblem {
                worker_id: id.to_string(),
                field: field.to_string(),
                message,
                source,
            })
        };
        let Some(rules) = policy.tax.as_ref() else {
            let msg = format!(
                "policy {} has no tax rules; add a [versions.tax] table (see docs/tax.md) or leave out the tax and ytd lists",
                policy.cite()
            );
            for (i, r) in tax.iter().enumerate() {
                err(&r.worker_id, "tax", msg.clone(), (Source::Tax, i));
            }
            for (i, r) in ytd.iter().enumerate() {
                err(&r.worker_id, "ytd", msg.clone(), (Source::Ytd, i));
            }
            return (out, problems);
        };
        let cite = policy.cite();
        // Settings per worker id, keyed by index into the validated list or
        // kept aside for workers who pass through.
        let mut settings: Vec<Option<(Settings, usize)>> = vec![None; n];
        let mut states: Vec<Option<(Ytd, usize)>> = vec![None; n];
        let mut passing: std::collections::BTreeMap<String, Option<Ytd>> = Default::default();
        let mut failed: std::collections::BTreeSet<String> = Default::default();
        let mut seen_tax: std::collections::HashMap<&str, usize> = Default::default();
        for (i, r) in tax.iter().enumerate() {
            let src = (Source::Tax, i);
            let id = r.worker_id.as_str();
            if let Some(first) = seen_tax.insert(id, i) {
                err(
                    id,
                    "tax",
                    format!("given twice (also tax[{first}]); keep one entry per worker"),
                    src,
                );
                failed.insert(id.to_string());
                continue;
            }
            let mut ok = true;
            let mut s = Settings::default();
            let mut field = |name: &str, v: &Option<String>, ok: &mut bool| -> Option<Decimal> {
                let t = v.as_deref()?;
                match amount_field(t) {
                    Ok(d) => Some(d),
                    Err(m) => {
                        err(id, &format!("tax.{name}"), m, src);
                        *ok = false;
                        None
                    }
                }
            };
            s.contribution_base = field("contribution_base", &r.contribution_base, &mut ok);
            s.additional_deductions =
                field("additional_deductions", &r.additional_deductions, &mut ok).unwrap_or(zero());
            s.other_deductions =
                field("other_deductions", &r.other_deductions, &mut ok).unwrap_or(zero());
            if let Some(t) = r.housing_fund_rate.as_deref() {
                let (lo, hi) = rules.contributions.housing_fund;
                match parse_rate(t) {
                    Ok(x) if x >= lo && x <= hi => s.housing_fund_rate = Some(x),
                    Ok(x) => {
                        err(
                            id,
                            "tax.housing_fund_rate",
                            format!(
                                "{x} is outside the housing-fund range {}–{} of policy {cite} §tax.contributions.housing_fund; write a fraction such as \"0.12\"",
                                lo.normalize(),
                                hi.normalize()
                            ),
                            src,
                        );
                        ok = false;
                    }
                    Err(e) => {
                        err(id, "tax.housing_fund_rate", e.to_string(), src);
                        ok = false;
                    }
                }
            }
            if let Some(t) = r.paid_on.as_deref() {
                match (period, parse_date(t)) {
                    (TaxPeriod::Year(_), Ok(d)) => s.paid_on = Some(d),
                    (TaxPeriod::Month(_), _) => {
                        err(
                            id,
                            "tax.paid_on",
                            "paid_on is for annual runs (the day the annual bonus is paid); leave it out of monthly runs".into(),
                            src,
                        );
                        ok = false;
                    }
                    (_, Err(e)) => {
                        err(id, "tax.paid_on", e.to_string(), src);
                        ok = false;
                    }
                }
            }
            if !ok {
                failed.insert(id.to_string());
                continue;
            }
            match find(id) {
                Found::Worker(wi) => settings[wi] = Some((s, i)),
                Found::NotEmployed => {
                    passing.entry(id.to_string()).or_insert(None);
                }
                Found::Refused => {}
                Found::Unknown => {
                    err(
                        id,
                        "worker_id",
                        format!("no worker {id:?} in the roster"),
                        src,
                    );
                    failed.insert(id.to_string());
                }
            }
        }
        let mut seen_ytd: std::collections::HashMap<&str, usize> = Default::default();
        for (i, r) in ytd.iter().enumerate() {
            let src = (Source::Ytd, i);
            let id = r.worker_id.as_str();
            if let Some(first) = seen_ytd.insert(id, i) {
                err(
                    id,
                    "ytd",
                    format!("given twice (also ytd[{first}]); keep one state per worker"),
                    src,
                );
                failed.insert(id.to_string());
                continue;
            }
            let found = find(id);
            // The year the state must belong to.
            let paid_on = match found {
                Found::Worker(wi) => settings[wi].and_then(|(s, _)| s.paid_on),
                _ => None,
            };
            let (year, max_months, before, month) = match period {
                TaxPeriod::Month(m) => (m.year(), m.month() - 1, format!("before {m}"), Some(m)),
                TaxPeriod::Year(y) => {
                    let d = paid_on.unwrap_or(y.last_day());
                    (d.year(), 12, format!("by {d}"), None)
                }
            };
            match read_ytd(r, year, max_months as u8, &before, month) {
                Ok(y) => match found {
                    Found::Worker(wi) => states[wi] = Some((y, i)),
                    Found::NotEmployed => {
                        passing.insert(id.to_string(), Some(y));
                    }
                    Found::Refused => {}
                    Found::Unknown => {
                        err(
                            id,
                            "worker_id",
                            format!("no worker {id:?} in the roster"),
                            src,
                        );
                        failed.insert(id.to_string());
                    }
                },
                Err(list) => {
                    for (f, m) in list {
                        err(id, &f, m, src);
                    }
                    failed.insert(id.to_string());
                }
            }
        }
        for wi in 0..n {
            if settings[wi].is_none() && states[wi].is_none() {
                continue;
            }
            let s = settings[wi].map(|(s, _)| s).unwrap_or_default();
            let year = match period {
                TaxPeriod::Month(m) => m.year(),
                TaxPeriod::Year(y) => s.paid_on.unwrap_or(y.last_day()).year(),
            };
            let y = states[wi].map_or(Ytd::start(year), |(y, _)| y);
            out.workers[wi] = Some(Input {
                settings: s,
                ytd: y,
            });
        }
        let year = match period {
            TaxPeriod::Month(m) => m.year(),
            TaxPeriod::Year(y) => y.get(),
        };
        out.passed = passing
            .into_iter()
            .filter(|(id, _)| !failed.contains(id))
            .map(|(id, y)| (id, y.unwrap_or(Ytd::start(year))))
            .collect();
        (out, problems)
    }
}

/// Reads a `ytd` record as the state of `year` after at most `max_months`
/// months (for imports of figures from before a book's first month); every
/// problem in one message.
#[cfg(any(feature = "book", feature = "internals"))]
pub fn read_state(r: &YtdRecord, year: i32, max_months: u8) -> Result<Ytd, String> {
    read_ytd(r, year, max_months, "by then", None).map_err(|list| {
        list.into_iter()
            .map(|(f, m)| format!("{f}: {m}"))
            .collect::<Vec<_>>()
            .join("; ")
    })
}

/// Reads a `ytd` record for a run needing the state of `year` with at most
/// `max_months` months (`before` says when, for messages); `month` is a
/// monthly run's month, which the state's `through` must come before.
fn read_ytd(
    r: &YtdRecord,
    year: i32,
    max_months: u8,
    before: &str,
    month: Option<YearMonth>,
) -> Result<Ytd, Vec<(String, String)>> {
    let mut problems = Vec::new();
    let y = match r.year.0.parse::<i32>() {
        Ok(y) if y == year => Some(y),
        Ok(y) => {
            problems.push((
                "ytd.year".to_string(),
                format!(
                    "state of tax year {y} given to a run in tax year {year}; the cumulative method restarts each January: leave the state out to start {year} from zero, or pass the state out of the previous {year} run"
                ),
            ));
            None
        }
        Err(_) => {
            problems.push((
                "ytd.year".to_string(),
                format!(
                    "{:?} is not a year; expected a year such as {year}",
                    r.year.0
                ),
            ));
            None
        }
    };
    let months_text = if r.months.0.is_empty() {
        "0"
    } else {
        r.months.0.as_str()
    };
    let months = match months_text.parse::<u8>() {
        Ok(m) if m > 12 => {
            problems.push((
                "ytd.months".to_string(),
                format!("{m} months employed is more than the 12 months of a year"),
            ));
            None
        }
        Ok(m) if m > max_months => {
            problems.push((
                "ytd.months".to_string(),
                format!(
                    "{m} months employed, but at most {max_months} month(s) of {year} come {before}; pass the state out of the previous run, not this one's"
                ),
            ));
            None
        }
        Ok(m) => Some(m),
        Err(_) => {
            problems.push((
                "ytd.months".to_string(),
                format!(
                    "{months_text:?} is not a number of months; expected a whole number 0 to 12"
                ),
            ));
            None
        }
    };
    let mut amt = |name: &str, v: &Option<String>| -> Option<Decimal> {
        match v.as_deref() {
            None => Some(zero()),
            Some(t) => match amount_field(t) {
                Ok(d) => Some(d),
                Err(m) => {
                    problems.push((format!("ytd.{name}"), m));
                    None
                }
            },
        }
    };
    let income = amt("income", &r.income);
    let exempt = amt("exempt_income", &r.exempt_income);
    let contributions = amt("contributions", &r.contributions);
    let additional = amt("additional_deductions", &r.additional_deductions);
    let other = amt("other_deductions", &r.other_deductions);
    let withheld = amt("tax_withheld", &r.tax_withheld);
    let sep = amt("separate_bonus", &r.separate_bonus);
    let sep_tax = amt("separate_bonus_tax", &r.separate_bonus_tax);
    let unwithheld = amt("tax_unwithheld", &r.tax_unwithheld);
    let through = match r.through.as_deref().map(|t| (t, t.parse::<YearMonth>())) {
        None => Some(None),
        Some((_, Ok(t))) => Some(Some(t)),
        Some((t, Err(_))) => {
            problems.push((
                "ytd.through".to_string(),
                format!(
                    "{t:?} is not a month; expected YYYY-MM, the last month the state includes (as the previous run's response writes it)"
                ),
            ));
            None
        }
    };
    if let Some(Some(t)) = through {
        if let Some(y) = y
            && t.year() != y
        {
            problems.push((
                "ytd.through".to_string(),
                format!("{t} is not in the state's tax year {y}; a state holds one tax year"),
            ));
        } else if let Some(m) = months
            && u32::from(m) > t.month()
        {
            problems.push((
                "ytd.months".to_string(),
                format!(
                    "{m} months employed, but the state runs only through {t} ({} month(s) of {})",
                    t.month(),
                    t.year()
                ),
            ));
        }
        if let Some(m) = month
            && t >= m
        {
            let what = if t == m {
                format!("{m} is already in this state (through {t})")
            } else {
                format!("this state runs through {t}, after this run's month {m}")
            };
            let todo = if m.month() == 1 {
                format!("leave the state out: {m} starts the tax year")
            } else {
                format!(
                    "pass the state out of the {} run",
                    YearMonth::of(m.first_day() - chrono::Days::new(1))
                )
            };
            problems.push(("ytd.through".to_string(), format!("{what}; {todo}")));
        }
    }
    if let (Some(i), Some(e)) = (income, exempt)
        && e > i
    {
        problems.push((
            "ytd.exempt_income".to_string(),
            format!(
                "{} is more than the income {}; exempt income is part of income",
                a(e),
                a(i)
            ),
        ));
    }
    if !problems.is_empty() {
        return Err(problems);
    }
    // Invariant: every field is Some when no problem was recorded.
    match (
        y,
        months,
        income,
        exempt,
        contributions,
        additional,
        other,
        withheld,
        sep,
        sep_tax,
        unwithheld,
        through,
    ) {
        (
            Some(year),
            Some(months),
            Some(income),
            Some(exempt_income),
            Some(contributions),
            Some(additional_deductions),
            Some(other_deductions),
            Some(tax_withheld),
            Some(separate_bonus),
            Some(separate_bonus_tax),
            Some(tax_unwithheld),
            Some(through),
        ) => Ok(Ytd {
            year,
            months,
            income,
            exempt_income,
            contributions,
            additional_deductions,
            other_deductions,
            tax_withheld,
            separate_bonus,
            separate_bonus_tax,
            tax_unwithheld,
            through,
        }),
        _ => Err(vec![("ytd".into(), "invalid state".into())]),
    }
}

/// The gross-to-net part of a run: per-payslip figures and the states out.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RunTax {
    /// Whether the request had tax inputs (then the response carries `ytd`).
    pub active: bool,
    /// Per worker index: the payslip's gross-to-net figures.
    pub slips: Vec<Option<TaxSlip>>,
    /// States out, sorted by worker id: paid workers' new states and the
    /// unchanged states of roster workers not employed in the period.
    pub ytd: Vec<(String, Ytd)>,
}

impl RunTax {
    /// Starts the gross-to-net part of a run from its validated inputs.
    pub fn new(inputs: &Inputs) -> RunTax {
        RunTax {
            active: inputs.active,
            // Empty unless the request had tax inputs (`inputs.workers` is
            // empty then), so plain runs keep nothing per worker.
            slips: vec![None; inputs.workers.len()],
            ytd: inputs.passed.clone(),
        }
    }

    /// Adds the net-pay lines to a payslip of worker `wi`, if the worker has
    /// a tax input and the policy has tax rules.
    pub fn apply(
        &mut self,
        policy: &Policy,
        inputs: &Inputs,
        period: TaxPeriod,
        slip: &mut Payslip,
    ) {
        let wi = slip.worker;
        let (Some(rules), Some(Some(input))) = (policy.tax.as_ref(), inputs.workers.get(wi)) else {
            return;
        };
        let t = match period {
            TaxPeriod::Month(m) => {
                let mut t = month_lines(rules, input, slip);
                t.set_through(m);
                t
            }
            TaxPeriod::Year(y) => {
                let paid_on = input.settings.paid_on.unwrap_or(y.last_day());
                bonus_lines(rules, input, slip, paid_on)
            }
        };
        if let Some(s) = self.slips.get_mut(wi) {
            *s = Some(t);
        }
    }

    /// Collects the states out, sorted by worker id; `id` names a worker index.
    pub fn finish<'a>(&mut self, id: impl Fn(usize) -> &'a str) {
        for (wi, s) in self.slips.iter().enumerate() {
            if let Some(s) = s {
                self.ytd.push((id(wi).to_string(), *s.ytd_out()));
            }
        }
        self.ytd.sort_by(|a, b| a.0.cmp(&b.0));
    }
}

/// Serialises the response's `ytd` list.
pub struct YtdDoc<'a>(pub &'a [(String, Ytd)]);

impl Serialize for YtdDoc<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(self.0.iter().map(|(id, y)| YtdRecord::from_ytd(id, y)))
    }
}

/// Serialises the annual-bonus choice on a payslip.
pub struct BonusDoc<'a>(pub &'a BonusChoice);

impl Serialize for BonusDoc<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        #[derive(Serialize)]
        struct CliffDoc {
            edge: Amount,
            net_at_edge: Amount,
            net_here: Amount,
            loss: Amount,
            range_end: Amount,
        }
        let b = self.0;
        let mut st = s.serialize_struct("BonusTax", 9)?;
        st.serialize_field("bonus", &a(b.bonus))?;
        st.serialize_field("paid_on", &b.paid_on.to_string())?;
        st.serialize_field("separate", &b.separate.map(|(_, t)| a(t)))?;
        let why_not = b.no_separate.map(|n| match n {
            NoSeparate::Ended(d) => format!("separate taxation ended {d}"),
            NoSeparate::UsedThisYear => "a bonus was already taxed separately this year".into(),
        });
        st.serialize_field("separate_unavailable", &why_not)?;
        st.serialize_field("merged", &a(b.merged))?;
        st.serialize_field("separate_total", &b.separate_total.map(a))?;
        st.serialize_field("merged_total", &a(b.merged_total))?;
        st.serialize_field("chosen", b.chosen.code())?;
        st.serialize_field("saving", &a(b.saving()))?;
        st.serialize_field(
            "cliff",
            &b.cliff.map(|c| CliffDoc {
                edge: a(c.edge),
                net_at_edge: a(c.net_at_edge),
                net_here: a(c.net_here),
                loss: a(c.loss),
                range_end: a(c.range_end),
            }),
        )?;
        st.end()
    }
}
