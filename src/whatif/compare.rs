//! Base and reform run side by side on the same inputs, folded into
//! per-worker, per-unit and per-period sums in fen, and compared.

use super::*;

/// The number of line codes.
pub(super) const CODES: usize = LineCode::ALL.len();

/// One side's per-worker sums while runs are compared, in the order of
/// the request's workers sorted by id. Sums are kept in fen as integers
/// (lines are always on the fen), 120 bytes a worker.
pub(super) struct SideAcc {
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
pub(super) fn fen(amount: Decimal) -> Option<i64> {
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
            self.info[k] = Some((w.name.to_string(), w.unit.to_string()));
        }
        self.grades[k] = grade_of(slip);
    }
}

/// What compare keeps of one run once its payslips are folded.
pub(super) struct RunSummary {
    version: String,
    totals: run::Totals,
    errors: Vec<InputError>,
    /// The run's grade per worker (in sorted-request order).
    grades: Vec<Option<(Grade, bool)>>,
}

/// Runs every period of `runs` under `set`, folding payslips into `side`;
/// stops at the first run that cannot be made, returning its position and error.
pub(super) fn run_side(
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
                    worker_id: inputs.workers[order[k]].id.to_string(),
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
pub(super) fn worker_deltas(
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
            id: inputs.workers[record].id.to_string(),
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

pub(super) fn grade_of(slip: &Payslip) -> Option<(Grade, bool)> {
    slip.lines.iter().find_map(|l| match l.why {
        Why::Bonus { grade, note, .. } => Some((grade, matches!(note, GradeNote::Quota { .. }))),
        _ => None,
    })
}

/// Merges the sorted error lists of the two runs of a period: errors both
/// runs report are listed once, as `both`.
pub(super) fn merge_errors(
    period: &str,
    old: &[InputError],
    new: &[InputError],
    out: &mut Vec<WhatifError>,
) {
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
