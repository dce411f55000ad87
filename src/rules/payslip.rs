//! A payslip's gross lines and their computation: monthly fixed pay, the
//! monthly and annual bonus, honour awards.
//!
//! A [`Line`] ([`crate::rules::slip`]) holds its code, its amount (already
//! rounded to the fen) and a compact [`Why`] from which the rule citation
//! and the explanation text are rendered only when asked for
//! ([`crate::rules::explain`]), so computing a payslip allocates nothing per
//! line.
//!
//! ```
//! use payrules::payslip::{monthly, GradeNote, LineCode};
//! use payrules::policy::PolicySet;
//! use payrules::period::{YearMonth, parse_date};
//! use payrules::worker::{Grade, Title, Worker};
//!
//! let set = PolicySet::builtin();
//! let nov: YearMonth = "2026-11".parse().unwrap();
//! let policy = set.version_on(nov.first_day()).unwrap();
//! let w = Worker {
//!     id: "W001".into(), name: "林晓".into(), unit: "温泉社区".into(),
//!     position: "community_worker".into(), title: Title::SocialWorker,
//!     hired_on: parse_date("2026-11-16").unwrap(), left_on: None, probation_until: None,
//! };
//! let slip = monthly(policy, nov, &w, 0, Grade::Excellent, GradeNote::Given, &[]).unwrap();
//! // hired on the 16th: 15 of 30 days
//! assert_eq!(slip.amount(LineCode::BasePay).unwrap().to_string(), "1100.00");
//! assert_eq!(slip.amount(LineCode::MonthlyBonus).unwrap().to_string(), "650.00");
//! assert_eq!(slip.gross.to_string(), "2400.00"); // 1100 + 300 + 150 + 200 + 650
//! ```

use crate::money::{FenSum, round_fen};
use crate::period::{Year, YearMonth, calendar_days, overlap, weekdays};
use crate::policy::{Basis, MonthsServed, Policy};
pub use crate::rules::explain::Context;
use crate::rules::slip::PAID_DAYS;
pub use crate::rules::slip::{GradeNote, Line, LineCode, Payslip, Segment, Share, Why};
use crate::worker::{Grade, Honour, Worker};
use chrono::NaiveDate;
use rust_decimal::Decimal;

/// Why a payslip could not be computed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PayError {
    /// The worker's position is not in the policy version.
    #[error("unknown position {given:?}; this policy version has: {expected}")]
    UnknownPosition {
        /// As given.
        given: String,
        /// The policy's positions.
        expected: String,
    },
}

/// The share of fixed pay for a worker in a month, or `None` when the worker
/// was not employed on any day of it.
pub fn month_share(policy: &Policy, month: YearMonth, w: &Worker) -> Option<Share> {
    share_between(policy, month, w, month.first_day(), month.last_day())
}

/// The share of fixed pay for a worker for the days `from..=to` of a month
/// (a part of it in which one position or title held), or `None` when the
/// worker was not employed on any of them.
#[inline]
pub fn share_between(
    policy: &Policy,
    month: YearMonth,
    w: &Worker,
    from: NaiveDate,
    to: NaiveDate,
) -> Option<Share> {
    let (first, last) = overlap(month, w.hired_on, w.left_on)?;
    let (first, last) = (first.max(from), last.min(to));
    if first > last {
        return None;
    }
    let rate = policy.probation.pay_rate;
    let probation = match w.probation_until {
        Some(p) if p >= first && rate != Decimal::ONE => Some((first, p.min(last))),
        _ => None,
    };
    let whole = first == month.first_day() && last == month.last_day();
    if whole && probation.is_none() {
        return Some(Share::Full);
    }
    // Days fit in u8: at most 31 in a month.
    Some(match policy.proration.basis {
        Basis::CalendarDays => Share::Calendar {
            days: calendar_days(first, last) as u8,
            probation_days: probation.map_or(0, |(a, b)| calendar_days(a, b) as u8),
            month_days: month.days() as u8,
        },
        Basis::PaidDays2175 => {
            let days = weekdays(first, last) as u8;
            let probation_days = probation.map_or(0, |(a, b)| weekdays(a, b) as u8);
            let full_units =
                Decimal::from(days - probation_days) + Decimal::from(probation_days) * rate;
            Share::PaidDays {
                days,
                probation_days,
                capped: probation_days == 0 && (whole || full_units >= PAID_DAYS),
            }
        }
    })
}

/// The last day of a worker's probation when the worker must be ungraded
/// for a period ending on `last`: on probation that day while the policy does
/// not grade probationers (`probation.graded = false`); otherwise `None`.
pub fn probation_ungraded(policy: &Policy, worker: &Worker, last: NaiveDate) -> Option<NaiveDate> {
    if policy.probation.graded || !worker.on_probation(last) {
        return None;
    }
    worker.probation_until
}

/// Computes a monthly payslip.
///
/// `worker_index` is stored in the payslip; `grade` is the month's grade
/// (already decided: given, by quota, or ungraded) and `note` says why;
/// `honours` are the worker's honours awarded in `month`, and any honours of
/// earlier months for the same deeds: those were paid already, so under
/// `same_deed = "highest_only"` a higher honour this month pays the
/// difference over the highest paid (nothing when not higher; see
/// [`crate::rules::award::already_paid`]). The worker must be
/// employed on some day of `month`; otherwise the payslip pays nothing.
pub fn monthly(
    policy: &Policy,
    month: YearMonth,
    worker: &Worker,
    worker_index: usize,
    grade: Grade,
    note: GradeNote,
    honours: &[&Honour],
) -> Result<Payslip, PayError> {
    monthly_split(
        policy,
        month,
        worker,
        worker_index,
        grade,
        note,
        honours,
        &[],
    )
}

/// [`monthly`] into a payslip that already exists, reusing its lines'
/// memory: the way to compute many payslips one after another without an
/// allocation each (the run does this). The payslip is overwritten; on an
/// error it is left empty.
///
/// ```
/// use payrules::payslip::{monthly, monthly_into, GradeNote, Payslip};
/// use payrules::policy::PolicySet;
/// use payrules::period::{YearMonth, parse_date};
/// use payrules::worker::{Grade, Title, Worker};
///
/// let set = PolicySet::builtin();
/// let nov: YearMonth = "2026-11".parse().unwrap();
/// let policy = set.version_on(nov.first_day()).unwrap();
/// let w = Worker {
///     id: "W001".into(), name: "林晓".into(), unit: "温泉社区".into(),
///     position: "community_worker".into(), title: Title::None,
///     hired_on: parse_date("2020-01-01").unwrap(), left_on: None, probation_until: None,
/// };
/// let mut slip = Payslip::default();
/// monthly_into(&mut slip, policy, nov, &w, 0, Grade::Good, GradeNote::Given, &[]).unwrap();
/// assert_eq!(slip, monthly(policy, nov, &w, 0, Grade::Good, GradeNote::Given, &[]).unwrap());
/// ```
#[cfg(any(test, feature = "internals"))]
#[allow(clippy::too_many_arguments)]
pub fn monthly_into(
    slip: &mut Payslip,
    policy: &Policy,
    month: YearMonth,
    worker: &Worker,
    worker_index: usize,
    grade: Grade,
    note: GradeNote,
    honours: &[&Honour],
) -> Result<(), PayError> {
    if honours.is_empty() {
        let pos = position(policy, worker)?;
        let share = share_or_none(policy, month, worker);
        slip.worker = worker_index;
        slip.lines.clear();
        slip.gross = plain(&mut slip.lines, policy, pos, worker, share, grade, note);
        return Ok(());
    }
    let lines = std::mem::take(&mut slip.lines);
    *slip = monthly_in(
        lines,
        policy,
        month,
        worker,
        worker_index,
        grade,
        note,
        honours,
        &[],
    )?;
    Ok(())
}

/// [`monthly`] for a worker whose position or title changes within the
/// month: `segments` (the first from the month's first day, then one per
/// change, in date order) say which held from which day. Each fixed-pay
/// line whose amount comes from a changing position or title is paid per
/// part of the month, each part on the policy's proration basis and rounded
/// on its own; the worker passed is the one at the month's end (its unit,
/// dates and probation are used). No segments: exactly [`monthly`].
#[allow(clippy::too_many_arguments)]
pub fn monthly_split(
    policy: &Policy,
    month: YearMonth,
    worker: &Worker,
    worker_index: usize,
    grade: Grade,
    note: GradeNote,
    honours: &[&Honour],
    segments: &[Segment],
) -> Result<Payslip, PayError> {
    monthly_in(
        Vec::new(),
        policy,
        month,
        worker,
        worker_index,
        grade,
        note,
        honours,
        segments,
    )
}

/// The parts of a month in which `key` of the segments holds: `(from, to,
/// key)` with consecutive equal keys merged.
fn parts<K: PartialEq + Copy>(
    month: YearMonth,
    segments: &[Segment],
    key: impl Fn(&Segment) -> K,
) -> Vec<(NaiveDate, NaiveDate, K)> {
    let mut out: Vec<(NaiveDate, NaiveDate, K)> = Vec::with_capacity(segments.len());
    for s in segments {
        let k = key(s);
        match out.last_mut() {
            Some(last) if last.2 == k => {}
            Some(last) => {
                last.1 = s.from.pred_opt().unwrap_or(s.from);
                out.push((s.from, month.last_day(), k));
            }
            None => out.push((s.from, month.last_day(), k)),
        }
    }
    out
}

/// [`monthly`] writing the lines into `lines` (emptied first), so that a
/// caller that hands payslips on one by one can reuse one buffer.
#[allow(clippy::too_many_arguments)]
pub(crate) fn monthly_in(
    mut lines: Vec<Line>,
    policy: &Policy,
    month: YearMonth,
    worker: &Worker,
    worker_index: usize,
    grade: Grade,
    note: GradeNote,
    honours: &[&Honour],
    segments: &[Segment],
) -> Result<Payslip, PayError> {
    lines.clear();
    // Five lines, one per honour, and a fixed line more per segment.
    lines.reserve(5 + honours.len() + 2 * segments.len().saturating_sub(1));
    let pos = position(policy, worker)?;
    let share = share_or_none(policy, month, worker);
    let rate = policy.probation.pay_rate;
    if segments.len() < 2 && honours.is_empty() {
        let gross = plain(&mut lines, policy, pos, worker, share, grade, note);
        return Ok(Payslip {
            worker: worker_index,
            lines,
            gross,
        });
    }
    let mut gross = FenSum::default();
    let mut push = |code, full: Decimal, why: Why, share: Share| {
        let amount = shared(full, share, rate);
        gross.add(amount);
        lines.push(Line { code, amount, why });
    };
    if segments.len() < 2 {
        for (code, full) in [
            (LineCode::BasePay, pos.base_pay),
            (LineCode::LivingAllowance, pos.living_allowance),
            (LineCode::PostAllowance, pos.post_allowance),
            (
                LineCode::TitleAllowance,
                policy.title_allowance(worker.title),
            ),
        ] {
            push(code, full, Why::Fixed { share }, share);
        }
    } else {
        let positions = parts(month, segments, |s| s.position);
        let titles = parts(month, segments, |s| s.title);
        let codes = [
            LineCode::BasePay,
            LineCode::LivingAllowance,
            LineCode::PostAllowance,
        ];
        for (k, code) in codes.into_iter().enumerate() {
            if positions.len() < 2 {
                let full = [pos.base_pay, pos.living_allowance, pos.post_allowance][k];
                push(code, full, Why::Fixed { share }, share);
                continue;
            }
            for &(from, to, p) in &positions {
                let Some(part) = share_between(policy, month, worker, from, to) else {
                    continue;
                };
                let at = &policy.positions[p as usize];
                let full = [at.base_pay, at.living_allowance, at.post_allowance][k];
                let from = from.max(worker.hired_on);
                let why = Why::Segment {
                    share: part,
                    from,
                    of: p,
                };
                push(code, full, why, part);
            }
        }
        if titles.len() < 2 {
            let full = policy.title_allowance(worker.title);
            push(LineCode::TitleAllowance, full, Why::Fixed { share }, share);
        } else {
            for &(from, to, t) in &titles {
                let Some(part) = share_between(policy, month, worker, from, to) else {
                    continue;
                };
                let from = from.max(worker.hired_on);
                let why = Why::Segment {
                    share: part,
                    from,
                    of: t.number() as u16,
                };
                push(
                    LineCode::TitleAllowance,
                    policy.title_allowance(t),
                    why,
                    part,
                );
            }
        }
    }
    let full = policy.monthly_bonus.amount(grade);
    let bonus_share = if policy.proration.monthly_bonus {
        share.without_probation()
    } else {
        Share::Full
    };
    push(
        LineCode::MonthlyBonus,
        full,
        Why::Bonus {
            grade,
            share: bonus_share,
            note,
        },
        bonus_share,
    );
    if honours.is_empty() {
        return Ok(Payslip {
            worker: worker_index,
            lines,
            gross: gross.total(),
        });
    }
    // Honours of earlier months are not paid again: under highest_only
    // they are what was already paid for their deed.
    let (now, before): (Vec<usize>, Vec<usize>) =
        (0..honours.len()).partition(|&i| honours[i].awarded_on >= month.first_day());
    let priors = crate::rules::award::already_paid(policy, honours, &before);
    let current: Vec<&Honour> = now.iter().map(|&i| honours[i]).collect();
    for (k, level, superseded) in crate::rules::award::payable(policy, &current) {
        let index = now[k];
        let full = policy.honours.amount(level);
        let prior = honours[index]
            .deed
            .as_deref()
            .and_then(|d| priors.get(d).copied());
        let full = match prior {
            Some((_, paid)) => non_negative_fen(full - paid),
            None => full,
        };
        push(
            LineCode::HonourAward,
            full,
            Why::Honour {
                level,
                index: index as u32,
                superseded,
                prior: prior.map(|(i, _)| i as u32),
            },
            Share::Full,
        );
    }
    Ok(Payslip {
        worker: worker_index,
        lines,
        gross: gross.total(),
    })
}

/// The worker's position in the policy version.
#[inline]
fn position<'p>(
    policy: &'p Policy,
    worker: &Worker,
) -> Result<&'p crate::policy::Position, PayError> {
    policy
        .position_index(&worker.position)
        .map(|i| &policy.positions[i])
        .ok_or_else(|| PayError::UnknownPosition {
            given: worker.position.to_string(),
            expected: policy.position_codes(),
        })
}

/// The worker's share of the month; no day employed is a share of none.
#[inline]
fn share_or_none(policy: &Policy, month: YearMonth, worker: &Worker) -> Share {
    month_share(policy, month, worker).unwrap_or(Share::Calendar {
        days: 0,
        probation_days: 0,
        month_days: month.days() as u8,
    })
}

/// A share of a policy amount, rounded to the fen. Policy amounts read from
/// TOML are held on the fen, so a full share of one needs no rounding.
///
/// Without probation days the share is a ratio of small integers, so it is
/// computed in integer fen: `(2·fen·n + d) ÷ 2d` rounds `fen·n/d` half away
/// from zero exactly as [`round_fen`] of [`Share::apply`] does (the decimal
/// quotient can never fall within `Decimal`'s precision of a half fen
/// without being one: its denominator is at most 31 or 2175). A property
/// test checks the two against each other.
#[inline]
pub(crate) fn shared(full: Decimal, share: Share, rate: Decimal) -> Decimal {
    if share.is_full() && full.scale() == crate::money::AMOUNT_DP {
        // A full month of a policy amount (held on the fen): most lines.
        return full;
    }
    if full.scale() == crate::money::AMOUNT_DP && !full.is_sign_negative() {
        let m = full.mantissa();
        // Policy amounts are far below this; the products then fit an i64.
        if m < 1_000_000_000_000 {
            let f = m as i64;
            let ratio = |n: i64, d: i64| crate::money::fen_amount((2 * f * n + d) / (2 * d));
            match share {
                Share::Full | Share::PaidDays { capped: true, .. } => return full,
                Share::Calendar {
                    days,
                    probation_days: 0,
                    month_days,
                } if month_days > 0 => return ratio(i64::from(days), i64::from(month_days)),
                Share::PaidDays {
                    days,
                    probation_days: 0,
                    ..
                } => return ratio(100 * i64::from(days), PAID_DAYS.mantissa() as i64),
                _ => {}
            }
        }
    }
    round_fen(share.apply(full, rate))
}

/// The lines of a month with no change of position or title and no
/// honour: the four fixed lines and the monthly bonus, appended in one go
/// (most payslips of a run; the same lines [`monthly_in`]'s general path
/// would push). Returns their sum, the gross.
#[inline(always)]
fn plain(
    lines: &mut Vec<Line>,
    policy: &Policy,
    pos: &crate::policy::Position,
    worker: &Worker,
    share: Share,
    grade: Grade,
    note: GradeNote,
) -> Decimal {
    let rate = policy.probation.pay_rate;
    let bonus_share = if policy.proration.monthly_bonus {
        share.without_probation()
    } else {
        Share::Full
    };
    let fixed = Why::Fixed { share };
    let line = |code, amount| Line {
        code,
        amount,
        why: fixed,
    };
    let five = [
        line(LineCode::BasePay, shared(pos.base_pay, share, rate)),
        line(
            LineCode::LivingAllowance,
            shared(pos.living_allowance, share, rate),
        ),
        line(
            LineCode::PostAllowance,
            shared(pos.post_allowance, share, rate),
        ),
        line(
            LineCode::TitleAllowance,
            shared(policy.title_allowance(worker.title), share, rate),
        ),
        Line {
            code: LineCode::MonthlyBonus,
            amount: shared(policy.monthly_bonus.amount(grade), bonus_share, rate),
            why: Why::Bonus {
                grade,
                share: bonus_share,
                note,
            },
        },
    ];
    // The gross in fen where every line is on the fen (always, for policy
    // amounts): no Decimal arithmetic.
    let mut fen = 0i64;
    let mut on_fen = true;
    for l in &five {
        match crate::money::fen_of(l.amount) {
            Some(f) => fen += f,
            None => on_fen = false,
        }
    }
    lines.extend_from_slice(&five);
    if on_fen {
        return crate::money::fen_amount(fen);
    }
    let mut gross = FenSum::default();
    for l in &five {
        gross.add(l.amount);
    }
    gross.total()
}

fn non_negative_fen(x: Decimal) -> Decimal {
    if x.is_sign_negative() || x.is_zero() {
        round_fen(Decimal::ZERO)
    } else {
        x
    }
}

/// Months of `year` the worker served, by the policy's `months_served` rule.
pub fn months_served(policy: &Policy, year: Year, w: &Worker) -> u8 {
    year.months()
        .filter(|m| match overlap(*m, w.hired_on, w.left_on) {
            None => false,
            Some((a, b)) => match policy.proration.months_served {
                MonthsServed::AnyDay => true,
                MonthsServed::WholeMonth => a == m.first_day() && b == m.last_day(),
            },
        })
        .count() as u8
}

/// Computes an annual payslip: the annual bonus by the year's grade,
/// prorated by months served where the policy says so.
pub fn annual(
    policy: &Policy,
    year: Year,
    worker: &Worker,
    worker_index: usize,
    grade: Grade,
    note: GradeNote,
) -> Payslip {
    let full = policy.annual_bonus.amount(grade);
    let share = match months_served(policy, year, worker) {
        12 => Share::Full,
        _ if !policy.proration.annual_bonus => Share::Full,
        months => Share::Months { months },
    };
    let amount = round_fen(share.apply(full, Decimal::ONE));
    Payslip {
        worker: worker_index,
        lines: vec![Line {
            code: LineCode::AnnualBonus,
            amount,
            why: Why::Bonus { grade, share, note },
        }],
        gross: amount,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::policy::PolicySet;
    use crate::worker::Title;
    use proptest::prelude::*;

    fn share() -> impl Strategy<Value = Share> {
        prop_oneof![
            Just(Share::Full),
            (0u8..=31, 0u8..=31, 28u8..=31).prop_map(|(d, p, m)| {
                let days = d.min(m);
                Share::Calendar {
                    days,
                    probation_days: p.min(days),
                    month_days: m,
                }
            }),
            (0u8..=23, 0u8..=23, any::<bool>()).prop_map(|(days, p, capped)| Share::PaidDays {
                days,
                probation_days: p.min(days),
                capped,
            }),
            (0u8..=12).prop_map(|months| Share::Months { months }),
        ]
    }

    proptest! {
        /// The integer-fen share of an amount is the straightforward
        /// `Decimal` computation, rounded half away from zero: any amount on
        /// the fen (the halves included: amounts ending in 5 fen over an even
        /// number of days), any share, both bases, probation at any rate.
        #[test]
        fn shared_is_round_fen_of_apply(
            fen in prop_oneof![0i64..100_000_000, (0i64..1_000_000).prop_map(|k| 10 * k + 5)],
            share in share(),
            rate in prop_oneof![Just(Decimal::ONE), (0i64..=100).prop_map(|r| Decimal::new(r, 2))],
        ) {
            let full = Decimal::new(fen, 2);
            let exact = round_fen(share.apply(full, rate));
            let fast = shared(full, share, rate);
            prop_assert_eq!(fast.to_string(), exact.to_string(), "{:?} of {}", share, full);
        }

        /// A payslip from the fast path (no change, no honour) has exactly
        /// the lines the general path pushes, for workers hired, leaving and
        /// on probation anywhere in the month, on both proration bases.
        #[test]
        fn plain_payslip_is_the_general_one(
            hired in 1u32..=30,
            left in prop::option::of(1u32..=30),
            probation in prop::option::of(1u32..=30),
            title in 0usize..4,
            position in 0usize..3,
            grade in 0usize..4,
            paid_days in any::<bool>(),
            rate in prop_oneof![Just("1.00"), Just("0.80")],
        ) {
            let toml = crate::policy::BUILTIN_TOML
                .replace("pay_rate = \"1.00\"", &format!("pay_rate = \"{rate}\""));
            let toml = if paid_days {
                toml.replace("basis = \"calendar_days\"", "basis = \"paid_days_21_75\"")
            } else {
                toml
            };
            let set = PolicySet::from_toml(&toml).unwrap();
            let nov: YearMonth = "2026-11".parse().unwrap();
            let policy = set.version_on(nov.first_day()).unwrap();
            let day = |d: u32| NaiveDate::from_ymd_opt(2026, 11, d).unwrap();
            let w = Worker {
                id: "W1".into(),
                name: "林".into(),
                unit: "U".into(),
                position: policy.positions[position % policy.positions.len()].code.as_str().into(),
                title: [Title::None, Title::AssistantSocialWorker, Title::SocialWorker, Title::SeniorSocialWorker][title],
                hired_on: day(hired),
                left_on: left.map(day).filter(|l| *l >= day(hired)),
                probation_until: probation.map(day),
            };
            let g = [Grade::Excellent, Grade::Good, Grade::Pass, Grade::Fail][grade];
            let mut fast = Payslip::default();
            monthly_into(&mut fast, policy, nov, &w, 0, g, GradeNote::Given, &[]).unwrap();
            let general = straightforward(policy, nov, &w, g);
            prop_assert_eq!(&fast, &general);
        }
    }

    /// The payslip computed the straightforward way: each line the policy
    /// amount times the share in `Decimal`, rounded; the gross their sum.
    fn straightforward(policy: &Policy, month: YearMonth, w: &Worker, g: Grade) -> Payslip {
        let share = share_or_none(policy, month, w);
        let pos = position(policy, w).unwrap();
        let rate = policy.probation.pay_rate;
        let straight = |full: Decimal, s: Share| round_fen(s.apply(full, rate));
        let bonus_share = if policy.proration.monthly_bonus {
            share.without_probation()
        } else {
            Share::Full
        };
        let fixed = Why::Fixed { share };
        let lines = vec![
            Line {
                code: LineCode::BasePay,
                amount: straight(pos.base_pay, share),
                why: fixed,
            },
            Line {
                code: LineCode::LivingAllowance,
                amount: straight(pos.living_allowance, share),
                why: fixed,
            },
            Line {
                code: LineCode::PostAllowance,
                amount: straight(pos.post_allowance, share),
                why: fixed,
            },
            Line {
                code: LineCode::TitleAllowance,
                amount: straight(policy.title_allowance(w.title), share),
                why: fixed,
            },
            Line {
                code: LineCode::MonthlyBonus,
                amount: straight(policy.monthly_bonus.amount(g), bonus_share),
                why: Why::Bonus {
                    grade: g,
                    share: bonus_share,
                    note: GradeNote::Given,
                },
            },
        ];
        let gross = lines.iter().map(|l| l.amount).sum::<Decimal>();
        Payslip {
            worker: 0,
            lines,
            gross: round_fen(gross),
        }
    }
}
