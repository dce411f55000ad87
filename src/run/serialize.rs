//! The response document's JSON form: a run's payslips with their lines,
//! totals, errors and year-to-date states, written by hand so that the
//! response does not depend on input order.

use super::*;
use crate::money::Amount;
use crate::rules::payslip::LineCode;
use crate::rules::tax;
use rust_decimal::Decimal;
use serde::ser::{SerializeMap, SerializeStruct};
use serde::{Serialize, Serializer};
use std::collections::BTreeMap;

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

impl Serialize for Warning {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut st = s.serialize_struct("Warning", 3)?;
        st.serialize_field("worker_id", &self.worker_id)?;
        st.serialize_field("field", &self.field)?;
        st.serialize_field("message", &self.message)?;
        st.end()
    }
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
        if !self.0.explain {
            #[derive(Serialize)]
            struct Bare {
                code: &'static str,
                amount: Amount,
            }
            return s.collect_seq(self.1.lines.iter().map(|l| Bare {
                code: l.code.code(),
                amount: Amount(l.amount),
            }));
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
            // Deductions the pay could not cover, only when there are some.
            if !t.tax_unwithheld.is_zero() {
                st.serialize_field("tax_unwithheld", &Amount(t.tax_unwithheld))?;
            }
            if !t.contributions_unpaid.is_zero() {
                st.serialize_field("contributions_unpaid", &Amount(t.contributions_unpaid))?;
            }
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
        // Only when there are some, so responses without them keep their bytes.
        if !self.warnings.is_empty() {
            st.serialize_field("warnings", &self.warnings)?;
        }
        st.serialize_field("quota", &self.quota)?;
        st.serialize_field("totals", &TotalsDoc(&self.totals))?;
        if self.tax.active {
            st.serialize_field("ytd", &tax::YtdDoc(&self.tax.ytd))?;
        }
        if !self.deferred.is_empty() {
            let d: Vec<_> = self.deferred.iter().map(|a| a.to_record()).collect();
            st.serialize_field("deferred", &d)?;
        }
        st.end()
    }
}
