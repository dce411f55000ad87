//! Honour awards (评优评先奖励): which honours a month pays.
//!
//! Under `same_deed = "highest_only"` (the built-in rule), one deed honoured
//! at several levels is paid once, at the highest level.
//!
//! ```
//! use payrules::award::payable;
//! use payrules::policy::PolicySet;
//! use payrules::period::parse_date;
//! use payrules::worker::{Honour, HonourLevel};
//!
//! let set = PolicySet::builtin();
//! let p = &set.versions()[0];
//! let h = |level, deed: &str| Honour {
//!     worker_id: "W1".into(), level, awarded_on: parse_date("2026-11-05").unwrap(),
//!     deed: Some(deed.into()), paid: None,
//! };
//! let (a, b, c) = (h(HonourLevel::Municipal, "flood"), h(HonourLevel::Provincial, "flood"), h(HonourLevel::Municipal, "census"));
//! let paid = payable(p, &[&a, &b, &c]);
//! assert_eq!(paid, vec![(1, HonourLevel::Provincial, 1), (2, HonourLevel::Municipal, 0)]);
//! ```

use crate::policy::{Policy, SameDeed};
use crate::worker::{Honour, HonourLevel};
use rust_decimal::Decimal;
use std::collections::HashMap;

/// Which of a worker's honours in one month are paid: `(index, level,
/// superseded count)`, in the order given. Under `highest_only`, only the
/// highest level per deed is paid (the earliest awarded among equals);
/// honours without a deed are each their own deed.
///
/// One pass finds each deed's winner and count, a second lists the paid
/// honours in order: linear in the honours (a hash map of deeds).
pub fn payable(policy: &Policy, honours: &[&Honour]) -> Vec<(usize, HonourLevel, u8)> {
    if policy.honours.same_deed == SameDeed::Each {
        return honours
            .iter()
            .enumerate()
            .map(|(i, h)| (i, h.level, 0))
            .collect();
    }
    // Per deed: the winner so far and how many honours it has.
    let mut deeds: HashMap<&str, (usize, usize)> = HashMap::new();
    for (i, h) in honours.iter().enumerate() {
        let Some(deed) = h.deed.as_deref() else {
            continue;
        };
        let e = deeds.entry(deed).or_insert((i, 0));
        e.1 += 1;
        // The winner: highest level, then earliest date, then first given.
        let w = honours[e.0];
        if h.level > w.level || (h.level == w.level && h.awarded_on < w.awarded_on) {
            e.0 = i;
        }
    }
    let mut out = Vec::new();
    for (i, h) in honours.iter().enumerate() {
        match h.deed.as_deref() {
            None => out.push((i, h.level, 0)),
            Some(deed) => {
                if let Some(&(w, n)) = deeds.get(deed)
                    && w == i
                {
                    out.push((i, h.level, (n - 1).min(255) as u8));
                }
            }
        }
    }
    out
}

/// What an honour of an earlier month was paid: its `paid` amount, or the
/// policy amount of its level.
pub fn paid_for(policy: &Policy, h: &Honour) -> Decimal {
    h.paid.unwrap_or_else(|| policy.honours.amount(h.level))
}

/// Per deed, the earlier honour paid the most and what it was paid, among
/// `before` (indices into `honours`: honours of months before the run's);
/// empty unless `same_deed = "highest_only"`. A higher honour for the same
/// deed this month pays only the difference. Linear in `before`.
pub fn already_paid<'h>(
    policy: &Policy,
    honours: &[&'h Honour],
    before: &[usize],
) -> HashMap<&'h str, (usize, Decimal)> {
    let mut out: HashMap<&str, (usize, Decimal)> = HashMap::new();
    if policy.honours.same_deed != SameDeed::HighestOnly {
        return out;
    }
    for &i in before {
        let h = honours[i];
        let Some(deed) = h.deed.as_deref() else {
            continue;
        };
        let paid = paid_for(policy, h);
        let e = out.entry(deed).or_insert((i, paid));
        if paid > e.1 {
            *e = (i, paid);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::policy::PolicySet;
    use proptest::prelude::*;

    /// The quadratic original, kept to check [`payable`] against.
    fn payable_old(policy: &Policy, honours: &[&Honour]) -> Vec<(usize, HonourLevel, u8)> {
        let mut out = Vec::new();
        for (i, h) in honours.iter().enumerate() {
            if policy.honours.same_deed == SameDeed::Each || h.deed.is_none() {
                out.push((i, h.level, 0));
                continue;
            }
            let same: Vec<(usize, &&Honour)> = honours
                .iter()
                .enumerate()
                .filter(|(_, o)| o.deed == h.deed)
                .collect();
            let winner = same
                .iter()
                .max_by(|(ia, a), (ib, b)| {
                    a.level
                        .cmp(&b.level)
                        .then(b.awarded_on.cmp(&a.awarded_on))
                        .then(ib.cmp(ia))
                })
                .map(|(i, _)| *i);
            if winner == Some(i) {
                out.push((i, h.level, (same.len() - 1).min(255) as u8));
            }
        }
        out
    }

    fn honour(level: u8, day: u32, deed: Option<u8>) -> Honour {
        Honour {
            worker_id: "W1".into(),
            level: match level % 3 {
                0 => HonourLevel::Municipal,
                1 => HonourLevel::Provincial,
                _ => HonourLevel::National,
            },
            awarded_on: chrono::NaiveDate::from_ymd_opt(2026, 11, day).unwrap(),
            deed: deed.map(|d| format!("deed{d}")),
            paid: None,
        }
    }

    proptest! {
        #[test]
        fn same_as_the_quadratic_original(
            hs in proptest::collection::vec((0u8..3, 1u32..4, proptest::option::of(0u8..4)), 0..300),
            each in any::<bool>(),
        ) {
            let set = PolicySet::builtin();
            let mut p = set.versions[0].clone();
            p.honours.same_deed = if each { SameDeed::Each } else { SameDeed::HighestOnly };
            let honours: Vec<Honour> = hs.iter().map(|&(l, d, deed)| honour(l, d, deed)).collect();
            let refs: Vec<&Honour> = honours.iter().collect();
            prop_assert_eq!(payable(&p, &refs), payable_old(&p, &refs));
        }
    }

    /// 100,000 honours of one worker: took a minute when quadratic; no time
    /// is asserted (see the `honours/payable_100k_one_worker` bench).
    #[test]
    fn a_hundred_thousand_honours() {
        let set = PolicySet::builtin();
        let honours: Vec<Honour> = (0..100_000u32)
            .map(|i| honour((i % 3) as u8, 1 + i % 3, Some((i % 200) as u8)))
            .collect();
        let refs: Vec<&Honour> = honours.iter().collect();
        let got = payable(&set.versions[0], &refs);
        assert_eq!(got.len(), 200);
        assert!(
            got.iter()
                .all(|&(_, l, n)| l == HonourLevel::National && n == 255)
        );
    }

    #[test]
    fn already_paid_is_the_highest_payment_per_deed() {
        let set = PolicySet::builtin();
        let mut p = set.versions[0].clone();
        let on = |m, d| chrono::NaiveDate::from_ymd_opt(2026, m, d).unwrap();
        let h = |level, date, deed: &str, paid: Option<&str>| Honour {
            worker_id: "W1".into(),
            level,
            awarded_on: date,
            deed: Some(deed.into()),
            paid: paid.map(|t| t.parse().unwrap()),
        };
        let hs = [
            h(HonourLevel::Municipal, on(3, 1), "flood", None),
            h(HonourLevel::Provincial, on(5, 1), "flood", Some("4500.00")),
            h(HonourLevel::Municipal, on(6, 1), "census", Some("2800.00")),
            h(HonourLevel::National, on(11, 1), "flood", None),
        ];
        let refs: Vec<&Honour> = hs.iter().collect();
        // Municipal 3000.00 (the policy amount) and provincial 4500.00 (as
        // given) for "flood": 4500.00, from honour 1; "census": 2800.00.
        let got = already_paid(&p, &refs, &[0, 1, 2]);
        assert_eq!(got.len(), 2);
        assert_eq!(got["flood"], (1, "4500.00".parse().unwrap()));
        assert_eq!(got["census"], (2, "2800.00".parse().unwrap()));
        assert_eq!(paid_for(&p, &hs[0]).to_string(), "3000.00");
        p.honours.same_deed = SameDeed::Each;
        assert!(already_paid(&p, &refs, &[0, 1, 2]).is_empty());
    }

    #[test]
    fn more_than_255_superseded_saturates() {
        let set = PolicySet::builtin();
        let honours: Vec<Honour> = (0..300).map(|i| honour(i as u8, 1, Some(0))).collect();
        let refs: Vec<&Honour> = honours.iter().collect();
        let got = payable(&set.versions[0], &refs);
        assert_eq!(got, payable_old(&set.versions[0], &refs));
        assert_eq!(got.len(), 1);
        assert_eq!(got[0].2, 255);
    }
}
