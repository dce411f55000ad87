//! Computing the payslips and totals of a prepared run, and where each
//! payslip goes: kept in the run, streamed to a caller, or folded.

use super::*;
use crate::money::FenSum;
use crate::rules::correction::Adjustment;
use crate::rules::payslip::{self, Line, LineCode, Why};
use crate::rules::tax::{self, TaxPeriod};
use crate::worker::Honour;

/// Where [`Prepared::finish`] puts each payslip.
pub(super) trait Sink {
    /// Takes one payslip of the worker from record `source`: returns it
    /// when the run should keep it, else gives its lines back for the next
    /// payslip (`Err`).
    fn take(&mut self, worker: &Worker, source: usize, slip: Payslip)
    -> Result<Payslip, Vec<Line>>;
    /// Whether it keeps payslips (to reserve room for them).
    fn keeps(&self) -> bool;
    /// Whether the run it returns lists its workers: false only for a
    /// caller inside the crate that needs the totals and errors alone.
    fn keeps_workers(&self) -> bool {
        true
    }
}

/// Keeps every payslip in the run.
pub(super) struct Keep;

impl Sink for Keep {
    fn take(&mut self, _: &Worker, _: usize, slip: Payslip) -> Result<Payslip, Vec<Line>> {
        Ok(slip)
    }
    fn keeps(&self) -> bool {
        true
    }
}

/// Hands every payslip to a function and keeps none.
pub(super) struct Stream<'f, F: ?Sized>(pub(super) &'f mut F);

impl<F: FnMut(&Worker, &Payslip) + ?Sized> Sink for Stream<'_, F> {
    fn take(&mut self, worker: &Worker, _: usize, slip: Payslip) -> Result<Payslip, Vec<Line>> {
        (self.0)(worker, &slip);
        Err(slip.lines)
    }
    fn keeps(&self) -> bool {
        false
    }
}

/// Hands every payslip, with its worker's record index, to a function, and
/// returns a run without its workers (their list may be borrowed).
pub(crate) struct Fold<'f, F>(pub(crate) &'f mut F);

impl<F: FnMut(&Worker, usize, &Payslip)> Sink for Fold<'_, F> {
    fn take(
        &mut self,
        worker: &Worker,
        source: usize,
        slip: Payslip,
    ) -> Result<Payslip, Vec<Line>> {
        (self.0)(worker, source, &slip);
        Err(slip.lines)
    }
    fn keeps(&self) -> bool {
        false
    }
    fn keeps_workers(&self) -> bool {
        false
    }
}

/// Adds a line per correction paid (after the period's own earnings, before
/// the net-pay lines): arrears or a recovery, part of gross.
///
/// Recoveries take at most what the month's pay (with its arrears) allows,
/// in order: gross never goes below zero. A recovery larger than what is
/// left is split: the part recovered now stays in `adjustments` (its `new`
/// moved up by what is still owed) and the rest is returned, to be
/// recovered in a later month; one nothing can be taken for has no line
/// and is returned whole.
fn pay_adjustments(slip: &mut Payslip, adjustments: &mut [Adjustment]) -> Vec<Adjustment> {
    let mut left = slip.gross
        + adjustments
            .iter()
            .map(Adjustment::amount)
            .filter(|a| a.is_sign_positive())
            .sum::<rust_decimal::Decimal>();
    let mut deferred = Vec::new();
    for (i, a) in adjustments.iter_mut().enumerate() {
        let mut amount = a.amount();
        if amount.is_sign_negative() {
            let take = (-amount).min(left.max(rust_decimal::Decimal::ZERO));
            if take.is_zero() {
                // Nothing can be recovered this month: all of it later, no line.
                deferred.push(a.clone());
                continue;
            }
            if take < -amount {
                // Recovered now: old → old − take; later: old − take → new.
                let split = a.old - take;
                deferred.push(Adjustment {
                    old: split,
                    ..a.clone()
                });
                a.new = split;
                amount = -take;
            }
            left -= take;
        }
        slip.lines.push(Line {
            code: a.line_code(),
            amount,
            // Invariant: a worker has fewer than 2^32 corrections (a request
            // is at most 1 GiB).
            why: Why::Adjustment { index: i as u32 },
        });
        slip.gross += amount;
    }
    deferred
}

impl Prepared<'_, '_> {
    /// Computes the payslips and totals, handing each payslip to `sink`.
    pub(super) fn finish(self, sink: &mut impl Sink) -> Run {
        let Prepared {
            policy,
            period,
            at,
            workers,
            bad,
            errors,
            mut warnings,
            quota,
            decided,
            honours,
            inputs,
            mut adjustments,
            segments,
        } = self;
        let mut deferred: Vec<Adjustment> = Vec::new();
        let mut tax = tax::RunTax::new(&inputs);
        let mut payslips = Vec::with_capacity(if sink.keeps() { workers.len() } else { 0 });
        let mut totals = Totals::default();
        let mut by_code = [None::<FenSum>; LineCode::ALL.len()];
        // Gross per unit: a sum per run of workers of one unit (workers
        // sorted by id usually list a unit's workers together), the runs of
        // one unit added up at the end.
        let mut units: Vec<(&str, FenSum)> = Vec::new();
        let mut last_unit: Option<(&str, FenSum)> = None;
        // The lines of the last payslip handed on, to hold the next one's.
        let mut spare: Vec<Line> = Vec::new();
        let mut gross = FenSum::default();
        // The next worker with segments (the list is by worker index).
        let mut seg_at = 0;
        for (wi, (w, source)) in workers.iter().enumerate() {
            if bad[wi] {
                continue;
            }
            let Decided::Grade(grade, note) = decided.get(wi) else {
                continue;
            };
            let mut slip = match at {
                TaxPeriod::Month(month) => {
                    let hs: Vec<&Honour> = honours.of(wi).iter().collect();
                    // Invariant: the position was resolved against this policy
                    // version when the worker was read, so it cannot be unknown.
                    let lines = std::mem::take(&mut spare);
                    while segments.get(seg_at).is_some_and(|(i, _)| *i < wi) {
                        seg_at += 1;
                    }
                    let segs = match segments.get(seg_at) {
                        Some((i, s)) if *i == wi => s.as_slice(),
                        _ => &[],
                    };
                    payslip::monthly_in(lines, policy, month, w, wi, grade, note, &hs, segs)
                        .expect("position validated")
                }
                TaxPeriod::Year(year) => payslip::annual(policy, year, w, wi, grade, note),
            };
            if let Some(adj) = adjustments.get_mut(wi) {
                for d in pay_adjustments(&mut slip, adj) {
                    warnings.push(Warning {
                        worker_id: w.id.to_string(),
                        field: "recovery".into(),
                        message: format!(
                            "correction of {} {}: {} left to recover (the pay allows no more this month); pass it in a later month's adjustments",
                            d.period,
                            d.code.code(),
                            crate::money::Amount(-d.amount())
                        ),
                    });
                    deferred.push(d);
                }
            }
            tax.apply(policy, &inputs, at, &mut slip);
            if let Some(Some(t)) = tax.slips.get(wi) {
                for (field, message) in tax::shortfalls(t) {
                    warnings.push(Warning {
                        worker_id: w.id.to_string(),
                        field: field.to_string(),
                        message,
                    });
                }
            }
            totals.workers += 1;
            gross.add(slip.gross);
            for l in &slip.lines {
                by_code[l.code as usize]
                    .get_or_insert_default()
                    .add(l.amount);
            }
            // Workers sorted by id usually list a unit's workers together.
            match &mut last_unit {
                Some((unit, sum)) if *unit == w.unit.as_str() => sum.add(slip.gross),
                _ => {
                    units.extend(last_unit.take());
                    let mut sum = FenSum::default();
                    sum.add(slip.gross);
                    last_unit = Some((w.unit.as_str(), sum));
                }
            }
            match sink.take(w, *source, slip) {
                Ok(slip) => payslips.push(slip),
                Err(lines) => spare = lines,
            }
        }
        totals.by_code = LineCode::ALL
            .iter()
            .zip(by_code)
            .filter_map(|(c, t)| t.map(|t| (*c, t.total())))
            .collect();
        // What was kept per worker for the payslips goes before the totals
        // per unit are built (a run's largest moment).
        drop((bad, decided, segments));
        units.extend(last_unit);
        units.sort_by(|a, b| a.0.cmp(b.0));
        units.dedup_by(|later, first| {
            let same = later.0 == first.0;
            if same {
                first.1.merge(later.1);
            }
            same
        });
        totals.by_unit = units
            .into_iter()
            .map(|(u, t)| (u.to_string(), t.total()))
            .collect();
        totals.gross = gross.total();
        tax.finish(|wi| workers[wi].0.id.as_str());
        let workers = if sink.keeps_workers() {
            let mut workers: Vec<Worker> = workers.into_iter().map(|(w, _)| w.into_owned()).collect();
            // The list kept its room of (worker, index) pairs: give back the rest.
            workers.shrink_to_fit();
            workers
        } else {
            Vec::new()
        };
        Run {
            policy: policy.clone(),
            kind: match at {
                TaxPeriod::Month(_) => Kind::Monthly,
                TaxPeriod::Year(_) => Kind::Annual,
            },
            period,
            workers,
            honours,
            adjustments,
            deferred,
            payslips,
            errors,
            warnings: {
                warnings.sort();
                warnings
            },
            quota,
            totals,
            tax,
            explain: true,
        }
    }
}
