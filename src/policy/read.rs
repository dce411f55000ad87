//! Reading a policy set from TOML: every value checked, every problem
//! collected with its TOML path, unknown keys flagged.

use super::*;
use crate::money::{parse_amount, parse_rate};
use std::collections::BTreeSet;
use toml::Value;

/// Reads TOML into policy values, collecting every problem with its path.
#[derive(Default)]
pub(super) struct Reader {
    pub(super) problems: Vec<Problem>,
}

/// A table being read: remembers which keys were used, to flag the rest.
pub(super) struct Obj<'a> {
    path: String,
    pub(super) table: &'a Table,
    used: BTreeSet<&'a str>,
}

impl<'a> Obj<'a> {
    pub(super) fn new(path: String, table: &'a Table) -> Self {
        Obj {
            path,
            table,
            used: BTreeSet::new(),
        }
    }
    pub(super) fn at(&self, key: &str) -> String {
        if self.path.is_empty() {
            key.to_string()
        } else {
            format!("{}.{key}", self.path)
        }
    }
    pub(super) fn get(&mut self, key: &'a str) -> Option<&'a Value> {
        let v = self.table.get(key);
        if v.is_some() {
            self.used.insert(key);
        }
        v
    }
}

impl Reader {
    pub(super) fn problem(&mut self, path: String, message: impl Into<String>) {
        self.problems.push(Problem {
            path,
            message: message.into(),
        });
    }

    pub(super) fn finish(&mut self, o: &Obj) {
        for k in o.table.keys() {
            if !o.used.contains(k.as_str()) {
                self.problem(
                    o.at(k),
                    "unknown key; check the spelling against the policy schema in docs/policy.md",
                );
            }
        }
    }

    pub(super) fn missing(&mut self, o: &Obj, key: &str, what: &str) {
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

    pub(super) fn decimal_value(&mut self, path: String, v: &Value, rate: bool) -> Option<Decimal> {
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

    pub(super) fn decimal<'a>(
        &mut self,
        o: &mut Obj<'a>,
        key: &'a str,
        rate: bool,
    ) -> Option<Decimal> {
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

    pub(super) fn table<'a>(&mut self, o: &mut Obj<'a>, key: &'a str) -> Option<Obj<'a>> {
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

    pub(super) fn date<'a>(&mut self, o: &mut Obj<'a>, key: &'a str) -> Option<NaiveDate> {
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

    pub(super) fn policy_set(&mut self, table: &Table) -> Option<PolicySet> {
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
        let outside = self.outside_scheme(&mut o, positions.as_deref().unwrap_or(&[]));
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
            outside_scheme: outside?,
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

    /// The optional `[versions.outside_scheme.CODE]` tables: positions a
    /// worker leaves this payroll for, each with an optional `name_zh`.
    fn outside_scheme<'a>(
        &mut self,
        o: &mut Obj<'a>,
        positions: &[Position],
    ) -> Option<Vec<OutsidePosition>> {
        if !o.table.contains_key("outside_scheme") {
            return Some(Vec::new());
        }
        let t = self.table(o, "outside_scheme")?;
        let mut out = Vec::new();
        let mut ok = true;
        for (code, v) in t.table {
            let path = t.at(code);
            let Value::Table(pt) = v else {
                self.problem(path, "expected a table, with an optional name_zh");
                ok = false;
                continue;
            };
            if positions.iter().any(|p| &p.code == code) {
                self.problem(
                    path.clone(),
                    format!("{code} is also a position paid here ([versions.positions.{code}]); a position is paid here or outside the scheme, not both"),
                );
                ok = false;
            }
            let mut p = Obj::new(path, pt);
            let name_zh = self.opt_string(&mut p, "name_zh").map(str::to_string);
            self.finish(&p);
            out.push(OutsidePosition {
                code: code.clone(),
                name_zh,
            });
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
        let pool_day = self.choice(
            &mut t,
            "pool_day",
            &[
                ("last_day", PoolDay::LastDay),
                ("first_day", PoolDay::FirstDay),
            ],
            Some(PoolDay::LastDay),
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
            pool_day: pool_day?,
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
