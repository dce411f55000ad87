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
//! let p = &set.versions[0];
//! let h = |level, deed: &str| Honour {
//!     worker_id: "W1".into(), level, awarded_on: parse_date("2026-11-05").unwrap(),
//!     deed: Some(deed.into()),
//! };
//! let (a, b, c) = (h(HonourLevel::Municipal, "flood"), h(HonourLevel::Provincial, "flood"), h(HonourLevel::Municipal, "census"));
//! let paid = payable(p, &[&a, &b, &c]);
//! assert_eq!(paid, vec![(1, HonourLevel::Provincial, 1), (2, HonourLevel::Municipal, 0)]);
//! ```

use crate::policy::{Policy, SameDeed};
use crate::worker::{Honour, HonourLevel};

/// Which of a worker's honours in one month are paid: `(index, level,
/// superseded count)`, in the order given. Under `highest_only`, only the
/// highest level per deed is paid (the earliest awarded among equals);
/// honours without a deed are each their own deed.
pub fn payable(policy: &Policy, honours: &[&Honour]) -> Vec<(usize, HonourLevel, u8)> {
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
        // The winner: highest level, then earliest date, then first given.
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
