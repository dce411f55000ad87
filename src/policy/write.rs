//! Writing a policy set back as TOML that the reader reads unchanged.

use super::*;
use toml::Value;

impl PolicySet {
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

pub(super) fn s(d: &Decimal) -> Value {
    Value::String(d.to_string())
}

pub(super) fn date_value(d: NaiveDate) -> Value {
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
    if !v.outside_scheme.is_empty() {
        let mut out = Table::new();
        for p in &v.outside_scheme {
            let mut pt = Table::new();
            if let Some(z) = &p.name_zh {
                pt.insert("name_zh".into(), Value::String(z.clone()));
            }
            out.insert(p.code.clone(), Value::Table(pt));
        }
        t.insert("outside_scheme".into(), Value::Table(out));
    }
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
    if q.pool_day == PoolDay::FirstDay {
        qt.insert("pool_day".into(), Value::String("first_day".into()));
    }
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::policy::{BonusTable, Pool, QuotaRounding, Ties};
    use proptest::prelude::*;

    proptest! {
        /// A policy survives TOML serialisation and parsing unchanged.
        #[test]
        fn policy_round_trips_through_toml(
            amounts in prop::collection::vec(0u64..1_000_000, 16),
            caps in (0u32..=50, 0u32..=50),
            rounding in 0usize..3, pool in any::<bool>(), ties in any::<bool>(), min_excellent in 0u32..3,
            fen in 0u64..100,
        ) {
            let mut set = PolicySet::builtin();
            let v = &mut set.versions[0];
            let amount = |i: usize| Decimal::new((amounts[i] * 100 + fen) as i64, 2);
            for (k, p) in v.positions.iter_mut().enumerate() {
                p.base_pay = amount(3 * k);
                p.living_allowance = amount(3 * k + 1);
                p.post_allowance = amount(3 * k + 2);
            }
            for t in 0..4 {
                v.title_allowance[t] = amount(9 + t);
            }
            let mut b: Vec<Decimal> = (13..16).map(amount).collect();
            b.sort();
            v.monthly_bonus = BonusTable { band: (b[0], b[2]), fail: Decimal::ZERO, pass: b[0], good: b[1], excellent: b[2] };
            v.quota.excellent = Decimal::new(caps.0 as i64, 2);
            v.quota.good = Decimal::new(caps.1 as i64, 2);
            v.quota.rounding = [QuotaRounding::Floor, QuotaRounding::HalfUp, QuotaRounding::Ceil][rounding];
            v.quota.pool = if pool { Pool::All } else { Pool::Unit };
            v.quota.ties = if ties { Ties::Exclude } else { Ties::Seniority };
            v.quota.min_excellent = min_excellent;
            let text = set.to_toml();
            let again = PolicySet::from_toml(&text);
            prop_assert_eq!(Ok(set), again);
        }
    }
}
