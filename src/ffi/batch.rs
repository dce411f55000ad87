//! The typed batch: worker-months in, payslips out, one status per row.
//!
//! Rows are read in place (C strings are borrowed, not copied) and paid with
//! [`payslip::monthly`], which applies [`crate::rules::award::payable`] to the
//! honours; only the batch's own checks (ids, duplicates, honours matched to
//! rows) live here.

use super::policy::{payrules_policy, policy_fail, policy_ref};
use super::{
    Fail, PAYRULES_DECIMAL_OVERFLOW, PAYRULES_DUPLICATE_WORKER, PAYRULES_INVALID_ARGUMENT,
    PAYRULES_INVALID_DATE, PAYRULES_INVALID_GRADE, PAYRULES_OK, PAYRULES_ROW_ERROR,
    PAYRULES_UNKNOWN_POSITION, PAYRULES_UNKNOWN_WORKER, amount_out, boundary, c_str, check_len,
    date, enum_arg, opt_date, payrules_date, payrules_decimal, payrules_error, slice,
};
use crate::period::YearMonth;
use crate::policy::Policy;
use crate::rules::payslip::{self, GradeNote, LineCode};
use crate::worker::{Grade, Honour, HonourLevel, Title, Worker};
use compact_str::CompactString;
use rust_decimal::Decimal;
use std::ffi::c_char;

/// One worker's month, the input row of `payrules_monthly_batch`. The
/// strings are NUL-terminated UTF-8, owned by the caller, and only read
/// during the call.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct payrules_worker_month {
    /// Employee number (工号), unique within the batch. Required, not empty.
    pub worker_id: *const c_char,
    /// Community or unit; may be NULL (it does not change the amounts).
    pub unit: *const c_char,
    /// Position code or Chinese name as the policy names it (`"community_worker"`, `"社区工作者"`). Required.
    pub position: *const c_char,
    /// A `PAYRULES_TITLE_*`.
    pub title: u32,
    /// The month's grade, a `PAYRULES_GRADE_*`, already decided by HR.
    pub grade: u32,
    /// First day of employment. Required.
    pub hired_on: payrules_date,
    /// Last day of employment, or `{0, 0, 0}`.
    pub left_on: payrules_date,
    /// Last day of probation, or `{0, 0, 0}`.
    pub probation_until: payrules_date,
}

/// An honour (先进称号), paid by the batch of the month it was awarded in.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct payrules_honour {
    /// The worker honoured; must be the `worker_id` of a row of the batch.
    pub worker_id: *const c_char,
    /// A `PAYRULES_HONOUR_*`.
    pub level: u32,
    /// Date awarded.
    pub awarded_on: payrules_date,
    /// The deed honoured, or NULL for a deed of its own. Under the built-in
    /// policy one deed honoured at several levels is paid once, at the highest.
    pub deed: *const c_char,
}

/// One row's result. When `status` is not `PAYRULES_OK` the row was not
/// paid and every amount is zero. Amounts have scale 2; `gross` is the sum
/// of the other six.
#[repr(C)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct payrules_payslip {
    /// `PAYRULES_OK`, or why this row was not paid.
    pub status: u32,
    /// 1 when the worker was employed on some day of the month; 0 when not
    /// (then every amount is zero and the status is `PAYRULES_OK`).
    pub employed: u32,
    /// 基础报酬.
    pub base_pay: payrules_decimal,
    /// 生活补贴.
    pub living_allowance: payrules_decimal,
    /// 岗位补贴.
    pub post_allowance: payrules_decimal,
    /// 职称补贴.
    pub title_allowance: payrules_decimal,
    /// 月度绩效奖金.
    pub monthly_bonus: payrules_decimal,
    /// 评优评先奖励: the sum of the honours paid this month.
    pub honour_award: payrules_decimal,
    /// Sum of the lines.
    pub gross: payrules_decimal,
}

const ZERO: payrules_decimal = payrules_decimal {
    mantissa: 0,
    scale: 2,
};

const BLANK: payrules_payslip = payrules_payslip {
    status: PAYRULES_OK,
    employed: 0,
    base_pay: ZERO,
    living_allowance: ZERO,
    post_allowance: ZERO,
    title_allowance: ZERO,
    monthly_bonus: ZERO,
    honour_award: ZERO,
    gross: ZERO,
};

/// Most problems spelled out in the batch's error message.
const LISTED: usize = 100;

/// Computes monthly pay for `n_rows` worker-months of `year`-`month` under
/// the policy version in force on the month's first day, the amounts exactly
/// as the Rust library (and `payrules_run_json`) computes them.
///
/// Grades are taken as given: there is no grading by score or quota check on
/// this path (use `payrules_run_json` for that). A worker on probation on
/// the month's last day must be graded `PAYRULES_GRADE_UNGRADED` when the
/// policy does not grade probationers.
///
/// `out` must have room for `n_rows` payslips; `out[i]` is row `i`'s result.
/// Rows are independent: a bad row gets its own status (`PAYRULES_INVALID_ENUM`,
/// `PAYRULES_INVALID_DATE`, `PAYRULES_UNKNOWN_POSITION`, …) and zero amounts,
/// and the others are paid. Rows sharing a worker id all get
/// `PAYRULES_DUPLICATE_WORKER`. An honour with a bad level, date or deed
/// makes its worker's row fail; an honour naming no row is refused.
///
/// Returns `PAYRULES_OK` when every row is `PAYRULES_OK` and every honour was
/// matched; `PAYRULES_ROW_ERROR` when `out` was written but some rows or
/// honours were refused (`*err` names each: row, worker, field, what was
/// expected); any other status when nothing could be computed (NULL
/// arguments, a month that does not exist, no policy version in force) and
/// `out` is not written. Faster when rows are sorted by worker id.
///
/// # Safety
/// `policy` is NULL or live; `rows` is NULL or has `n_rows` rows whose
/// strings are NULL or NUL-terminated; `honours` likewise with `n_honours`;
/// `out` is NULL or has room for `n_rows` payslips; `err` is NULL or writable.
#[unsafe(no_mangle)]
#[allow(clippy::too_many_arguments)]
pub unsafe extern "C" fn payrules_monthly_batch(
    policy: *const payrules_policy,
    year: u32,
    month: u32,
    rows: *const payrules_worker_month,
    n_rows: usize,
    honours: *const payrules_honour,
    n_honours: usize,
    out: *mut payrules_payslip,
    err: *mut *mut payrules_error,
) -> u32 {
    boundary(err, || {
        // SAFETY (all three): forwarded from the caller's promise.
        let set = unsafe { policy_ref(policy) }?;
        let rows = unsafe { slice(rows, n_rows, "rows") }?;
        let honours = unsafe { slice(honours, n_honours, "honours") }?;
        let ym = i32::try_from(year)
            .ok()
            .and_then(|y| YearMonth::new(y, month))
            .ok_or_else(|| {
                Fail::new(
                    PAYRULES_INVALID_DATE,
                    format!(
                        "year/month: {year:04}-{month:02} is not a month; year 1..9999, month 1..12"
                    ),
                )
            })?;
        let v = set.version_on(ym.first_day()).map_err(policy_fail)?;
        let out: &mut [payrules_payslip] = if n_rows == 0 {
            &mut []
        } else if out.is_null() {
            return Err(Fail::null("out"));
        } else {
            check_len::<payrules_payslip>(n_rows, "out")?;
            // SAFETY: not NULL, length checked, and the caller promises room
            // for `n_rows` payslips.
            unsafe { std::slice::from_raw_parts_mut(out, n_rows) }
        };
        Batch::new(v, ym).run(rows, honours, out)
    })
}

#[derive(Default)]
struct Problems {
    lines: Vec<String>,
    total: usize,
    rows: usize,
    honours: usize,
}

impl Problems {
    fn push(&mut self, line: impl FnOnce() -> String) {
        self.total += 1;
        if self.lines.len() < LISTED {
            self.lines.push(line());
        }
    }

    fn row(&mut self, out: &mut [payrules_payslip], i: usize, id: &str, f: Fail) {
        if out[i].status == PAYRULES_OK {
            out[i] = payrules_payslip {
                status: f.status,
                ..BLANK
            };
            self.rows += 1;
        }
        self.push(|| match id {
            "" => format!("rows[{i}]: {}", f.message),
            id => format!("rows[{i}] (worker {id}): {}", f.message),
        });
    }

    fn honour(&mut self, hi: usize, f: Fail) {
        self.honours += 1;
        self.push(|| format!("honours[{hi}]: {}", f.message));
    }
}

/// Finds rows by worker id: by binary search when the ids are sorted, else
/// through a sorted table of id hashes (no per-row allocation either way).
enum Index {
    Sorted,
    Hashed(Vec<(u64, usize)>),
}

/// FNV-1a: a fixed, fast hash, so the batch is deterministic.
fn fnv(s: &str) -> u64 {
    s.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    })
}

impl Index {
    /// Builds the index and returns the groups of rows sharing an id.
    fn new(ids: &[&str]) -> (Index, Vec<Vec<usize>>) {
        if ids.windows(2).all(|w| w[0] < w[1]) {
            return (Index::Sorted, Vec::new());
        }
        let mut table: Vec<(u64, usize)> = ids
            .iter()
            .enumerate()
            .filter(|(_, id)| !id.is_empty())
            .map(|(i, id)| (fnv(id), i))
            .collect();
        table.sort_unstable();
        let mut dups = Vec::new();
        for run in table.chunk_by(|a, b| a.0 == b.0).filter(|r| r.len() > 1) {
            let mut seen = vec![false; run.len()];
            for a in 0..run.len() {
                if seen[a] {
                    continue;
                }
                let group: Vec<usize> = (a..run.len())
                    .filter(|&b| ids[run[b].1] == ids[run[a].1])
                    .inspect(|&b| seen[b] = true)
                    .map(|b| run[b].1)
                    .collect();
                if group.len() > 1 {
                    dups.push(group);
                }
            }
        }
        (Index::Hashed(table), dups)
    }

    fn find(&self, ids: &[&str], id: &str) -> Option<usize> {
        match self {
            Index::Sorted => ids.binary_search(&id).ok(),
            Index::Hashed(table) => {
                let h = fnv(id);
                let from = table.partition_point(|e| e.0 < h);
                table[from..]
                    .iter()
                    .take_while(|e| e.0 == h)
                    .map(|e| e.1)
                    .find(|&i| ids[i] == id)
            }
        }
    }
}

struct Batch<'p> {
    policy: &'p Policy,
    month: YearMonth,
    problems: Problems,
}

impl<'p> Batch<'p> {
    fn new(policy: &'p Policy, month: YearMonth) -> Self {
        Batch {
            policy,
            month,
            problems: Problems::default(),
        }
    }

    fn run(
        mut self,
        rows: &[payrules_worker_month],
        honours: &[payrules_honour],
        out: &mut [payrules_payslip],
    ) -> Result<(), Fail> {
        // 1. Worker ids, borrowed from the caller.
        let mut ids: Vec<&str> = Vec::with_capacity(rows.len());
        for (i, r) in rows.iter().enumerate() {
            out[i] = BLANK;
            // SAFETY: NULL or NUL-terminated, by the caller's promise.
            let id = match unsafe { c_str(r.worker_id, "worker_id") } {
                Ok(id) if !id.trim().is_empty() => id,
                Ok(_) => {
                    let f = Fail::new(
                        PAYRULES_INVALID_ARGUMENT,
                        "worker_id: empty; every row needs a worker id (工号)",
                    );
                    self.problems.row(out, i, "", f);
                    ""
                }
                Err(f) => {
                    self.problems.row(out, i, "", f);
                    ""
                }
            };
            ids.push(id);
        }
        // 2. Duplicate ids: every row of a duplicated id fails.
        let (index, dups) = Index::new(&ids);
        for group in dups {
            let at: Vec<String> = group.iter().map(|j| format!("rows[{j}]")).collect();
            for &i in &group {
                let msg = format!(
                    "worker_id: duplicate worker id, given {} times ({}); ids must be unique",
                    group.len(),
                    at.join(", ")
                );
                let f = Fail::new(PAYRULES_DUPLICATE_WORKER, msg);
                self.problems.row(out, i, ids[i], f);
            }
        }
        // 3. Honours: checked, matched to rows, and kept when awarded this month.
        let mut paid: Vec<(usize, Honour)> = Vec::new();
        for (hi, h) in honours.iter().enumerate() {
            // SAFETY: NULL or NUL-terminated, by the caller's promise.
            let id = match unsafe { c_str(h.worker_id, "worker_id") } {
                Ok(id) => id,
                Err(f) => {
                    self.problems.honour(hi, f);
                    continue;
                }
            };
            let Some(row) = index.find(&ids, id).filter(|_| !id.is_empty()) else {
                let f = Fail::new(
                    PAYRULES_UNKNOWN_WORKER,
                    format!(
                        "worker_id: no row has worker {id:?}; pass the honours of the batch's workers only"
                    ),
                );
                self.problems.honour(hi, f);
                continue;
            };
            match self.honour(hi, h, id) {
                Ok(Some(honour)) => paid.push((row, honour)),
                Ok(None) => {}
                Err(f) => self.problems.row(out, row, id, f),
            }
        }
        paid.sort_by_key(|(row, _)| *row);
        // 4. The rows, paid by the library.
        let mut worker = Worker {
            id: CompactString::default(),
            name: CompactString::default(),
            unit: CompactString::default(),
            position: CompactString::default(),
            title: Title::None,
            hired_on: self.month.first_day(),
            left_on: None,
            probation_until: None,
        };
        let mut theirs: Vec<&Honour> = Vec::new();
        let mut next = 0;
        for (i, r) in rows.iter().enumerate() {
            let from = next;
            while next < paid.len() && paid[next].0 == i {
                next += 1;
            }
            if out[i].status != PAYRULES_OK {
                continue;
            }
            theirs.clear();
            theirs.extend(paid[from..next].iter().map(|(_, h)| h));
            match self.row(r, ids[i], i, &mut worker, &theirs) {
                Ok(slip) => out[i] = slip,
                Err(f) => self.problems.row(out, i, ids[i], f),
            }
        }
        let p = self.problems;
        if p.total == 0 {
            return Ok(());
        }
        let mut msg = format!(
            "{} of {} row(s) not paid and {} honour(s) refused:",
            p.rows,
            rows.len(),
            p.honours
        );
        for line in &p.lines {
            msg.push_str("\n  - ");
            msg.push_str(line);
        }
        if p.total > p.lines.len() {
            msg.push_str(&format!("\n  … and {} more", p.total - p.lines.len()));
        }
        Err(Fail::new(PAYRULES_ROW_ERROR, msg))
    }

    /// Checks one honour; `Some` when it is paid this month.
    fn honour(&self, hi: usize, h: &payrules_honour, id: &str) -> Result<Option<Honour>, Fail> {
        let level = enum_arg!(HonourLevel, h.level, format!("honours[{hi}].level"))?;
        let on = date(h.awarded_on, &format!("honours[{hi}].awarded_on"))?;
        let deed = if h.deed.is_null() {
            None
        } else {
            // SAFETY: not NULL; NUL-terminated by the caller's promise.
            Some(unsafe { c_str(h.deed, &format!("honours[{hi}].deed")) }?)
        };
        if !self.month.contains(on) {
            return Ok(None);
        }
        Ok(Some(Honour {
            worker_id: id.to_string(),
            level,
            awarded_on: on,
            deed: deed.filter(|d| !d.trim().is_empty()).map(str::to_string),
            paid: None,
        }))
    }

    /// Pays one row; `worker` is a scratch value reused across rows so that
    /// no row allocates for its strings.
    fn row(
        &self,
        r: &payrules_worker_month,
        id: &str,
        i: usize,
        worker: &mut Worker,
        honours: &[&Honour],
    ) -> Result<payrules_payslip, Fail> {
        let title = enum_arg!(Title, r.title, "title")?;
        let grade = enum_arg!(Grade, r.grade, "grade")?;
        let hired = date(r.hired_on, "hired_on")?;
        let left = opt_date(r.left_on, "left_on")?;
        let probation = opt_date(r.probation_until, "probation_until")?;
        if let Some(l) = left.filter(|l| *l < hired) {
            return Err(Fail::new(
                PAYRULES_INVALID_DATE,
                format!("left_on: {l} is before hired_on {hired}"),
            ));
        }
        let unit = if r.unit.is_null() {
            ""
        } else {
            // SAFETY: not NULL; NUL-terminated by the caller's promise.
            unsafe { c_str(r.unit, "unit") }?
        };
        // SAFETY: NULL or NUL-terminated, by the caller's promise.
        let position = unsafe { c_str(r.position, "position") }?;
        for (field, text) in [
            (&mut worker.id, id),
            (&mut worker.unit, unit),
            (&mut worker.position, position),
        ] {
            field.clear();
            field.push_str(text);
        }
        worker.title = title;
        worker.hired_on = hired;
        worker.left_on = left;
        worker.probation_until = probation;
        let (first, last) = (self.month.first_day(), self.month.last_day());
        if !worker.employed_between(first, last) {
            return Ok(BLANK);
        }
        let note = match payslip::probation_ungraded(self.policy, worker, last) {
            Some(until) if grade != Grade::Ungraded => {
                return Err(Fail::new(
                    PAYRULES_INVALID_GRADE,
                    format!(
                        "grade: {grade} given, but the worker is on probation until {until} and policy {} does not grade probationers (probation.graded = false); give PAYRULES_GRADE_UNGRADED",
                        self.policy.cite()
                    ),
                ));
            }
            Some(until) => GradeNote::Probation(until),
            None => GradeNote::Given,
        };
        let slip = payslip::monthly(self.policy, self.month, worker, i, grade, note, honours)
            .map_err(|e| {
                Fail::new(
                    PAYRULES_UNKNOWN_POSITION,
                    format!("position: {e} (policy {})", self.policy.cite()),
                )
            })?;
        let mut p = payrules_payslip {
            employed: 1,
            ..BLANK
        };
        let mut honour = Decimal::new(0, 2);
        for l in &slip.lines {
            let slot = match l.code {
                LineCode::BasePay => &mut p.base_pay,
                LineCode::LivingAllowance => &mut p.living_allowance,
                LineCode::PostAllowance => &mut p.post_allowance,
                LineCode::TitleAllowance => &mut p.title_allowance,
                LineCode::MonthlyBonus => &mut p.monthly_bonus,
                // The monthly batch computes gross pay only: no annual, tax or
                // correction lines.
                LineCode::AnnualBonus
                | LineCode::Arrears
                | LineCode::Recovery
                | LineCode::Pension
                | LineCode::Medical
                | LineCode::Unemployment
                | LineCode::HousingFund
                | LineCode::IncomeTax
                | LineCode::Net => continue,
                LineCode::HonourAward => {
                    honour = honour.checked_add(l.amount).ok_or_else(|| {
                        Fail::new(PAYRULES_DECIMAL_OVERFLOW, "honour_award: sum overflows")
                    })?;
                    continue;
                }
            };
            *slot = amount_out(l.amount, l.code.code())?;
        }
        p.honour_award = amount_out(honour, "honour_award")?;
        p.gross = amount_out(slip.gross, "gross")?;
        Ok(p)
    }
}
