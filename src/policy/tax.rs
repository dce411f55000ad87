//! The optional `[versions.tax]` table of a policy version: read with the
//! same [`Reader`](super::Reader) as the rest of the policy (every problem
//! with its TOML path, unknown keys flagged), and written back by
//! [`table`] so that `to_toml()` round-trips.
//!
//! ```toml
//! [versions.tax]
//! basic_deduction = "5000.00"                  # a month employed
//! exempt_honours = ["national", "provincial"]  # default
//! annual = [ { up_to = "36000.00", rate = "0.03", quick_deduction = "0.00" }, …,
//!            { rate = "0.45", quick_deduction = "181920.00" } ]
//! [versions.tax.annual_bonus]
//! separate_until = 2027-12-31                  # optional
//! monthly = [ … ]                              # read by bonus ÷ 12
//! [versions.tax.contributions]
//! pension = "0.08"
//! medical = "0.02"
//! unemployment = "0.005"
//! housing_fund = ["0.05", "0.12"]
//! housing_fund_default = "0.12"
//! base = ["4000.00", "24000.00"]
//! ```

use super::tax_tables::{Bracket, Contributions, Table, TaxRules};
use super::{Obj, Reader, date_value, s};
use crate::worker::HonourLevel;
use rust_decimal::Decimal;
use toml::{Table as TomlTable, Value};

impl Reader {
    /// Reads `tax` from a version table: `Some(None)` when absent.
    pub(super) fn tax<'a>(&mut self, o: &mut Obj<'a>) -> Option<Option<TaxRules>> {
        if !o.table.contains_key("tax") {
            return Some(None);
        }
        let mut t = self.table(o, "tax")?;
        let basic = self.decimal(&mut t, "basic_deduction", false);
        let annual = self.brackets(&mut t, "annual");
        let exempt = self.exempt_honours(&mut t);
        let bonus = match self.table(&mut t, "annual_bonus") {
            Some(mut b) => {
                let until = if b.table.contains_key("separate_until") {
                    self.date(&mut b, "separate_until").map(Some)
                } else {
                    Some(None)
                };
                let monthly = self.brackets(&mut b, "monthly");
                self.finish(&b);
                Some((until, monthly))
            }
            None => None,
        };
        let contributions = self.contributions(&mut t);
        self.finish(&t);
        let (until, monthly) = bonus?;
        Some(Some(TaxRules {
            basic_deduction: basic?,
            annual: annual?,
            bonus_monthly: monthly?,
            separate_until: until?,
            contributions: contributions?,
            exempt_honours: exempt?,
        }))
    }

    fn brackets<'a>(&mut self, o: &mut Obj<'a>, key: &'a str) -> Option<Table> {
        let path = o.at(key);
        let items = match o.get(key) {
            None => {
                self.missing(
                    o,
                    key,
                    "an array of brackets { up_to, rate, quick_deduction }",
                );
                return None;
            }
            Some(Value::Array(a)) => a,
            Some(v) => {
                self.problem(
                    path,
                    format!("expected an array of brackets, found a {}", v.type_str()),
                );
                return None;
            }
        };
        let mut out = Vec::with_capacity(items.len());
        let mut ok = true;
        for (i, item) in items.iter().enumerate() {
            let bp = format!("{path}[{i}]");
            let Value::Table(bt) = item else {
                self.problem(
                    bp,
                    "expected a table such as { up_to = \"36000.00\", rate = \"0.03\", quick_deduction = \"0.00\" }",
                );
                ok = false;
                continue;
            };
            let mut b = Obj::new(bp, bt);
            let up_to = if bt.contains_key("up_to") {
                self.decimal(&mut b, "up_to", false).map(Some)
            } else {
                Some(None)
            };
            let rate = self.decimal(&mut b, "rate", true);
            let quick = self.decimal(&mut b, "quick_deduction", false);
            self.finish(&b);
            match (up_to, rate, quick) {
                (Some(up_to), Some(rate), Some(quick_deduction)) => out.push(Bracket {
                    up_to,
                    rate,
                    quick_deduction,
                }),
                _ => ok = false,
            }
        }
        if !ok {
            return None;
        }
        match Table::new(out) {
            Ok(t) => Some(t),
            Err(problems) => {
                for (i, field, message) in problems {
                    let p = if field.is_empty() {
                        path.clone()
                    } else {
                        format!("{path}[{i}].{field}")
                    };
                    self.problem(p, message);
                }
                None
            }
        }
    }

    fn exempt_honours<'a>(&mut self, o: &mut Obj<'a>) -> Option<Vec<HonourLevel>> {
        let path = o.at("exempt_honours");
        match o.get("exempt_honours") {
            None => Some(vec![HonourLevel::Provincial, HonourLevel::National]),
            Some(Value::Array(items)) => {
                let mut out = Vec::new();
                let mut ok = true;
                for (i, v) in items.iter().enumerate() {
                    match v.as_str().map(str::parse::<HonourLevel>) {
                        Some(Ok(l)) => out.push(l),
                        Some(Err(e)) => {
                            self.problem(format!("{path}[{i}]"), e.to_string());
                            ok = false;
                        }
                        None => {
                            self.problem(
                                format!("{path}[{i}]"),
                                "expected an honour level such as \"provincial\"",
                            );
                            ok = false;
                        }
                    }
                }
                out.sort();
                out.dedup();
                ok.then_some(out)
            }
            Some(_) => {
                self.problem(
                    path,
                    "expected a list of honour levels, such as [\"national\", \"provincial\"]",
                );
                None
            }
        }
    }

    /// A `["low", "high"]` pair; rates must lie in 0..1.
    fn pair<'a>(
        &mut self,
        o: &mut Obj<'a>,
        key: &'a str,
        rate: bool,
    ) -> Option<(Decimal, Decimal)> {
        match o.get(key) {
            Some(Value::Array(a)) if a.len() == 2 => {
                let lo = self.decimal_value(o.at(&format!("{key}[0]")), &a[0], rate);
                let hi = self.decimal_value(o.at(&format!("{key}[1]")), &a[1], rate);
                let (lo, hi) = (lo?, hi?);
                if lo > hi {
                    self.problem(o.at(key), format!("low {lo} is above high {hi}"));
                    return None;
                }
                if rate && hi >= Decimal::ONE {
                    self.problem(
                        o.at(key),
                        format!("{hi} is outside 0..1; write a fraction such as \"0.12\""),
                    );
                    return None;
                }
                Some((lo, hi))
            }
            Some(_) => {
                self.problem(o.at(key), "expected [\"low\", \"high\"]");
                None
            }
            None => {
                self.missing(o, key, "[\"low\", \"high\"]");
                None
            }
        }
    }

    fn rate_below_one<'a>(&mut self, o: &mut Obj<'a>, key: &'a str) -> Option<Decimal> {
        let r = self.decimal(o, key, true)?;
        if r >= Decimal::ONE {
            self.problem(
                o.at(key),
                format!("{r} is outside 0..1; write a fraction such as \"0.08\""),
            );
            return None;
        }
        Some(r)
    }

    fn contributions<'a>(&mut self, o: &mut Obj<'a>) -> Option<Contributions> {
        let mut t = self.table(o, "contributions")?;
        let pension = self.rate_below_one(&mut t, "pension");
        let medical = self.rate_below_one(&mut t, "medical");
        let unemployment = self.rate_below_one(&mut t, "unemployment");
        let housing_fund = self.pair(&mut t, "housing_fund", true);
        let default = self.rate_below_one(&mut t, "housing_fund_default");
        let base = self.pair(&mut t, "base", false);
        if let (Some((lo, hi)), Some(d)) = (housing_fund, default)
            && (d < lo || d > hi)
        {
            self.problem(
                t.at("housing_fund_default"),
                format!("{d} is outside the housing_fund range {lo}..{hi}"),
            );
        }
        self.finish(&t);
        Some(Contributions {
            pension: pension?,
            medical: medical?,
            unemployment: unemployment?,
            housing_fund: housing_fund?,
            housing_fund_default: default?,
            base: base?,
        })
    }
}

fn brackets_value(t: &Table) -> Value {
    Value::Array(
        t.brackets()
            .iter()
            .map(|b| {
                let mut bt = TomlTable::new();
                if let Some(u) = &b.up_to {
                    bt.insert("up_to".into(), s(u));
                }
                bt.insert("rate".into(), s(&b.rate));
                bt.insert("quick_deduction".into(), s(&b.quick_deduction));
                Value::Table(bt)
            })
            .collect(),
    )
}

/// The `tax` table of a version, as [`Reader::tax`] reads it back.
pub(super) fn table(r: &TaxRules) -> TomlTable {
    let mut t = TomlTable::new();
    t.insert("basic_deduction".into(), s(&r.basic_deduction));
    t.insert(
        "exempt_honours".into(),
        Value::Array(
            r.exempt_honours
                .iter()
                .map(|l| Value::String(l.code().into()))
                .collect(),
        ),
    );
    t.insert("annual".into(), brackets_value(&r.annual));
    let mut b = TomlTable::new();
    if let Some(u) = r.separate_until {
        b.insert("separate_until".into(), date_value(u));
    }
    b.insert("monthly".into(), brackets_value(&r.bonus_monthly));
    t.insert("annual_bonus".into(), Value::Table(b));
    let c = &r.contributions;
    let mut ct = TomlTable::new();
    ct.insert("pension".into(), s(&c.pension));
    ct.insert("medical".into(), s(&c.medical));
    ct.insert("unemployment".into(), s(&c.unemployment));
    ct.insert(
        "housing_fund".into(),
        Value::Array(vec![s(&c.housing_fund.0), s(&c.housing_fund.1)]),
    );
    ct.insert("housing_fund_default".into(), s(&c.housing_fund_default));
    ct.insert(
        "base".into(),
        Value::Array(vec![s(&c.base.0), s(&c.base.1)]),
    );
    t.insert("contributions".into(), Value::Table(ct));
    t
}
