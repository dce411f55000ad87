//! Grade quotas: grades from scores under the caps, and checks of grades
//! that HR decided.
//!
//! The built-in policy caps `excellent` at 20% and `good` at 60% of the
//! **graded** headcount of each pool (a community, or everyone). Slots are
//! `cap × graded`, rounded by `quota.rounding` (down by default: "at most"),
//! and at least `quota.min_excellent`.
//!
//! ```
//! use payrules::quota::{slots, assign, Candidate};
//! use payrules::policy::PolicySet;
//! use payrules::period::parse_date;
//! use payrules::worker::Grade;
//!
//! let set = PolicySet::builtin();
//! let rule = set.versions()[0].quota();
//! assert_eq!(slots(rule, 4), (0, 2));
//! assert_eq!(slots(rule, 5), (1, 3));
//! assert_eq!(slots(rule, 10), (2, 6));
//! assert_eq!(slots(rule, 9), (1, 5));
//!
//! let hired = parse_date("2020-01-01").unwrap();
//! let ids = ["A", "B", "C", "D", "E"];
//! let scores = ["95", "90", "85", "80", "50"];
//! let cands: Vec<Candidate> = ids.iter().zip(scores).map(|(id, s)| Candidate {
//!     id, pool: "温泉社区", score: s.parse().unwrap(), hired_on: hired,
//! }).collect();
//! let (assigned, pools) = assign(rule, &cands);
//! let grades: Vec<Grade> = assigned.iter().map(|a| a.grade).collect();
//! // 5 graded: 1 excellent, 3 good; 50 is below fail_below = 60.
//! assert_eq!(grades, [Grade::Excellent, Grade::Good, Grade::Good, Grade::Good, Grade::Fail]);
//! assert_eq!((pools[0].excellent.allowed, pools[0].good.allowed), (1, 3));
//! ```
//!
//! # Ties
//!
//! `quota.ties` decides who gets a slot when equal scores straddle a slot
//! boundary:
//!
//! - `seniority` (the built-in default): equal scores are ordered by earlier
//!   `hired_on`, then by worker id. Every slot the cap allows is filled, no
//!   cap is ever exceeded, and a higher score never earns a lower grade.
//! - `exclude`: everyone tied across a boundary takes the lower grade, so
//!   nobody is preferred for tenure and no cap is exceeded. The price is that
//!   slots stay empty, and a tie can cost a worker a grade: with one excellent
//!   and one good slot, scores 95 and 90 give excellent and good; raise the
//!   second to 95 and both tie for excellent, both fall to good, tie again,
//!   and both end at pass. That is why it is not the default.

use crate::policy::{Pool, QuotaRounding, QuotaRule, Ties};
use crate::rules::slip::GradeNote;
use crate::worker::Grade;
use chrono::NaiveDate;
use rust_decimal::{Decimal, RoundingStrategy};
use serde::Serialize;
use std::collections::HashMap;

/// Allowed and used slots of one grade in a pool.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Default)]
pub struct Slots {
    /// Slots the cap allows.
    pub allowed: u32,
    /// Workers holding the grade.
    pub used: u32,
}

/// The quota position of one pool.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PoolReport {
    /// The pool: a unit name, or `all`.
    pub pool: String,
    /// Graded headcount (ungraded workers are not counted).
    pub graded: u32,
    /// Excellent slots.
    pub excellent: Slots,
    /// Good slots.
    pub good: Slots,
}

impl PoolReport {
    /// The cap violations of this pool, as `(grade, used, allowed)`.
    pub fn violations(&self) -> Vec<(Grade, u32, u32)> {
        let mut v = Vec::new();
        if self.excellent.used > self.excellent.allowed {
            v.push((
                Grade::Excellent,
                self.excellent.used,
                self.excellent.allowed,
            ));
        }
        if self.good.used > self.good.allowed {
            v.push((Grade::Good, self.good.used, self.good.allowed));
        }
        v
    }
}

/// The pool a worker of `unit` belongs to under the rule.
pub fn pool_of<'a>(rule: &QuotaRule, unit: &'a str) -> &'a str {
    match rule.pool {
        Pool::Unit => unit,
        Pool::All => "all",
    }
}

fn round(rule: &QuotaRule, x: Decimal) -> u32 {
    let r = match rule.rounding {
        QuotaRounding::Floor => x.floor(),
        QuotaRounding::Ceil => x.ceil(),
        QuotaRounding::HalfUp => {
            x.round_dp_with_strategy(0, RoundingStrategy::MidpointAwayFromZero)
        }
    };
    // Caps are in 0..=1 and headcounts fit u32, so r fits u32.
    u32::try_from(r.mantissa() / 10i128.pow(r.scale())).unwrap_or(u32::MAX)
}

/// Excellent and good slots for a pool of `graded` workers.
///
/// Never more slots than workers: when rounding up would give
/// `excellent + good > graded`, good slots are reduced.
pub fn slots(rule: &QuotaRule, graded: u32) -> (u32, u32) {
    if graded == 0 {
        return (0, 0);
    }
    let n = Decimal::from(graded);
    let e = round(rule, rule.excellent * n)
        .max(rule.min_excellent)
        .min(graded);
    let g = round(rule, rule.good * n).min(graded - e);
    (e, g)
}

/// Parses a score: a decimal string from 0 to the policy's `max_score`.
pub fn parse_score(rule: &QuotaRule, text: &str) -> Result<Decimal, String> {
    let d = crate::money::parse_decimal(text, crate::money::RATE_DP)
        .map_err(|e| format!("score {e}"))?;
    if d.is_sign_negative() && !d.is_zero() {
        return Err(format!(
            "score {text} is negative; scores run from 0 to {}",
            rule.max_score
        ));
    }
    if d > rule.max_score {
        return Err(format!(
            "score {text} is above the policy's max_score {}",
            rule.max_score
        ));
    }
    Ok(d)
}

/// A worker to be graded from a score.
#[derive(Debug, Clone, Copy)]
pub struct Candidate<'a> {
    /// Worker id (last tie-break).
    pub id: &'a str,
    /// Unit (the pool under `pool = "unit"`).
    pub pool: &'a str,
    /// Score.
    pub score: Decimal,
    /// Hire date (tie-break under `seniority`).
    pub hired_on: NaiveDate,
}

/// The grade a candidate was assigned and why.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Assigned {
    /// The grade.
    pub grade: Grade,
    /// Rank in the pool, 1 = best; equal under `exclude` for equal scores.
    pub rank: u32,
    /// Graded headcount of the pool.
    pub of: u32,
    /// Index of the pool in the returned reports.
    pub pool: u32,
    /// Slots allowed for the grade assigned (0 for pass and fail).
    pub slots: u32,
}

impl Assigned {
    /// The explanation note for a bonus line.
    pub fn note(&self) -> GradeNote {
        GradeNote::Quota {
            rank: self.rank,
            of: self.of,
            pool: self.pool,
            slots: self.slots,
        }
    }
}

/// Indices grouped by pool: the pool names sorted, and all members in one
/// list, pool after pool (each pool's members in input order); pool `p`'s
/// members are `members[starts[p]..starts[p + 1]]`.
struct Groups<'a> {
    names: Vec<&'a str>,
    members: Vec<usize>,
    starts: Vec<usize>,
}

/// Pools numbered in the order they are first seen.
#[derive(Default)]
struct PoolNumbers<'a> {
    index: HashMap<&'a str, usize>,
    /// The pools, by number.
    names: Vec<&'a str>,
    /// The pool numbered last: rosters sorted by id usually list a unit's
    /// workers together, so it is tried before the hash map.
    last: Option<(&'a str, usize)>,
}

impl<'a> PoolNumbers<'a> {
    /// The number of `pool` (the next one when it is new).
    fn number(&mut self, pool: &'a str) -> usize {
        match self.last {
            Some((name, k)) if name == pool => k,
            _ => {
                let next = self.names.len();
                let k = *self.index.entry(pool).or_insert(next);
                if k == next {
                    self.names.push(pool);
                }
                self.last = Some((pool, k));
                k
            }
        }
    }
}

/// Groups indices by pool (one allocation for all the pools' members).
fn group<'a>(rule: &QuotaRule, units: impl Iterator<Item = &'a str>) -> Groups<'a> {
    let mut pools = PoolNumbers::default();
    let pool_of_each: Vec<usize> = units.map(|u| pools.number(pool_of(rule, u))).collect();
    let names = pools.names;
    let mut order: Vec<usize> = (0..names.len()).collect();
    order.sort_by(|a, b| names[*a].cmp(names[*b]));
    // Place of each pool in name order, and where its members start.
    let mut place = vec![0; names.len()];
    for (pos, &k) in order.iter().enumerate() {
        place[k] = pos;
    }
    let mut starts = vec![0; names.len() + 1];
    for &k in &pool_of_each {
        starts[place[k] + 1] += 1;
    }
    for p in 1..starts.len() {
        starts[p] += starts[p - 1];
    }
    let mut next = starts.clone();
    let mut members = vec![0; pool_of_each.len()];
    for (i, &k) in pool_of_each.iter().enumerate() {
        let p = place[k];
        members[next[p]] = i;
        next[p] += 1;
    }
    Groups {
        names: order.iter().map(|&k| names[k]).collect(),
        members,
        starts,
    }
}

/// The scores as integers at one scale, so that ranking compares integers
/// instead of decimals; `None` when one would not fit (then the decimals are
/// compared).
fn score_keys(cands: &[Candidate]) -> Option<Vec<i128>> {
    let scale = cands.iter().map(|c| c.score.scale()).max().unwrap_or(0);
    cands
        .iter()
        .map(|c| {
            let factor = 10i128.checked_pow(scale - c.score.scale())?;
            c.score.mantissa().checked_mul(factor)
        })
        .collect()
}

/// Grades candidates by score under the quota rule.
///
/// Returns one [`Assigned`] per candidate, in input order, and a report per
/// pool sorted by pool name. The result does not depend on input order.
pub fn assign(rule: &QuotaRule, cands: &[Candidate]) -> (Vec<Assigned>, Vec<PoolReport>) {
    let Groups {
        names,
        mut members,
        starts,
    } = group(rule, cands.iter().map(|c| c.pool));
    let mut out = vec![
        Assigned {
            grade: Grade::Pass,
            rank: 0,
            of: 0,
            pool: 0,
            slots: 0
        };
        cands.len()
    ];
    let mut reports = Vec::with_capacity(names.len());
    let keys = score_keys(cands);
    // Everyone of a pool not failing, in order (one buffer for all pools).
    let mut open: Vec<usize> = Vec::new();
    for (pi, name) in names.into_iter().enumerate() {
        let idx = &mut members[starts[pi]..starts[pi + 1]];
        let n = idx.len() as u32;
        let (e_slots, g_slots) = slots(rule, n);
        let tie_break = |a: usize, b: usize| {
            let (x, y) = (&cands[a], &cands[b]);
            x.hired_on.cmp(&y.hired_on).then(x.id.cmp(y.id))
        };
        match &keys {
            Some(k) => idx.sort_by(|&a, &b| k[b].cmp(&k[a]).then_with(|| tie_break(a, b))),
            None => idx.sort_by(|&a, &b| {
                (cands[b].score.cmp(&cands[a].score)).then_with(|| tie_break(a, b))
            }),
        }
        // Ranks: competition ranking on score under `exclude`, strict order under `seniority`.
        let mut rank = 0u32;
        for (pos, &i) in idx.iter().enumerate() {
            let tied = pos > 0 && cands[idx[pos - 1]].score == cands[i].score;
            if !(tied && rule.ties == Ties::Exclude) {
                rank = pos as u32 + 1;
            }
            out[i] = Assigned {
                grade: Grade::Pass,
                rank,
                of: n,
                pool: pi as u32,
                slots: 0,
            };
        }
        let fails = |c: &Candidate| rule.fail_below.is_some_and(|f| c.score < f);
        // Everyone not failing, in order, competes for excellent then good.
        open.clear();
        open.extend(idx.iter().copied().filter(|&i| !fails(&cands[i])));
        let mut used = [0u32; 2];
        let mut start = 0;
        for (gi, (grade, allowed, min)) in [
            (Grade::Excellent, e_slots, rule.excellent_min_score),
            (Grade::Good, g_slots, rule.good_min_score),
        ]
        .into_iter()
        .enumerate()
        {
            let eligible = open[start..]
                .iter()
                .take_while(|&&i| min.is_none_or(|m| cands[i].score >= m))
                .count();
            let mut take = (allowed as usize).min(eligible);
            if rule.ties == Ties::Exclude && take > 0 && take < open.len() - start {
                // Drop everyone tied with the first one left out.
                let boundary = cands[open[start + take]].score;
                while take > 0 && cands[open[start + take - 1]].score == boundary {
                    take -= 1;
                }
            }
            for &i in &open[start..start + take] {
                out[i].grade = grade;
                out[i].slots = allowed;
            }
            used[gi] = take as u32;
            start += take;
        }
        for &i in idx.iter() {
            if fails(&cands[i]) {
                out[i].grade = Grade::Fail;
            }
        }
        reports.push(PoolReport {
            pool: name.to_string(),
            graded: n,
            excellent: Slots {
                allowed: e_slots,
                used: used[0],
            },
            good: Slots {
                allowed: g_slots,
                used: used[1],
            },
        });
    }
    (out, reports)
}

/// Reports the quota position of grades HR decided: `(unit, grade)` per
/// worker. Ungraded workers are not counted in `graded` (a pool of only
/// ungraded workers is reported with `graded: 0`). Pools are sorted by name; call
/// [`PoolReport::violations`] for what breaks a cap.
///
/// ```
/// use payrules::quota::check;
/// use payrules::policy::PolicySet;
/// use payrules::worker::Grade::*;
///
/// let set = PolicySet::builtin();
/// let grades = [("A", Excellent), ("A", Excellent), ("A", Good), ("A", Pass), ("A", Pass), ("A", Ungraded)];
/// let pools = check(set.versions()[0].quota(), grades.iter().copied());
/// assert_eq!(pools[0].graded, 5);
/// assert_eq!(pools[0].violations(), vec![(Excellent, 2, 1)]);
/// ```
pub fn check<'a>(
    rule: &QuotaRule,
    grades: impl Iterator<Item = (&'a str, Grade)>,
) -> Vec<PoolReport> {
    // Counts per pool and grade, the pools in order of first sight: one
    // pass, nothing kept per worker.
    let mut pools = PoolNumbers::default();
    let mut counts: Vec<[u32; Grade::ALL.len()]> = Vec::new();
    for (unit, grade) in grades {
        let k = pools.number(pool_of(rule, unit));
        if k == counts.len() {
            counts.push([0; Grade::ALL.len()]);
        }
        counts[k][grade as usize] += 1;
    }
    let names = pools.names;
    let mut order: Vec<usize> = (0..names.len()).collect();
    order.sort_by(|a, b| names[*a].cmp(names[*b]));
    order
        .into_iter()
        .map(|k| {
            let count = |grade: Grade| counts[k][grade as usize];
            let n = counts[k].iter().sum::<u32>() - count(Grade::Ungraded);
            let (e, g) = slots(rule, n);
            PoolReport {
                pool: names[k].to_string(),
                graded: n,
                excellent: Slots {
                    allowed: e,
                    used: count(Grade::Excellent),
                },
                good: Slots {
                    allowed: g,
                    used: count(Grade::Good),
                },
            }
        })
        .collect()
}
