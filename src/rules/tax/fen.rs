//! The tax computations in integer fen: the same results as the `Decimal`
//! ones, several times faster, for the amounts a run produces.
//!
//! Every amount a run computes is on the fen with two decimals, and every
//! rate is a fraction with a few decimals, so `round_fen(amount × rate)` is
//! `fen × mantissa ÷ 10^scale` rounded half away from zero: an integer
//! division, exact in `i128`. The functions here take that path when every
//! amount they read has exactly two decimals (so every amount they return
//! has two decimals too, as the `Decimal` path's would) and is below 10^15
//! fen; otherwise they return `None` and the caller computes in `Decimal`.
//! A property test (`tests` below) checks both paths give the same values,
//! scales and signs on random inputs, rounding edges included.

use crate::money::fen_amount;
use crate::policy::tax_tables::Table;
use rust_decimal::Decimal;

/// Amounts at or above this many fen take the `Decimal` path, so that every
/// product with a rate (mantissa below 10^19) fits an `i128`.
const LIMIT: u128 = crate::money::FEN_LIMIT;

/// An amount with exactly two decimals, or a zero of any scale, in fen
/// ([`crate::money::fen_of`]).
#[inline]
pub(crate) fn of(d: Decimal) -> Option<i64> {
    crate::money::fen_of(d)
}

/// An amount with at most two decimals, in fen (for policy amounts and
/// bounds, whose scale does not show in any result).
#[inline]
pub(crate) fn of_up_to_2(d: Decimal) -> Option<i64> {
    let m = d.mantissa();
    if m.unsigned_abs() >= LIMIT {
        return None;
    }
    match d.scale() {
        0 => Some(m as i64 * 100),
        1 => Some(m as i64 * 10),
        2 => Some(m as i64),
        _ => None,
    }
}

/// `n ÷ d` rounded half away from zero, for `d > 0` and `|2n + d|` within
/// an `i64` (several times cheaper than [`div_round`]).
#[inline]
pub(crate) fn div_round_64(n: i64, d: i64) -> i64 {
    if n >= 0 {
        (2 * n + d) / (2 * d)
    } else {
        -((-2 * n + d) / (2 * d))
    }
}

/// `n ÷ d` rounded half away from zero, for `d > 0`.
#[inline]
pub(crate) fn div_round(n: i128, d: i128) -> i128 {
    if n >= 0 {
        (2 * n + d) / (2 * d)
    } else {
        -((-2 * n + d) / (2 * d))
    }
}

/// A rate as its mantissa and `10^scale`, when the scale is at most 18.
#[inline]
fn rate(r: Decimal) -> Option<(i128, i128)> {
    let s = r.scale();
    (s <= 18).then(|| (r.mantissa(), 10i128.pow(s)))
}

/// `round_fen(amount × rate)` for an amount of `fen` fen.
#[inline]
pub(crate) fn times(fen: i64, r: Decimal) -> Option<i64> {
    let (m, p) = rate(r)?;
    // Most products fit an i64, whose division is several times cheaper.
    if fen.unsigned_abs() < 1 << 31 && m < 1 << 31 && p < 1 << 31 {
        return Some(div_round_64(fen * m as i64, p as i64));
    }
    Some(div_round(i128::from(fen) * m, p) as i64)
}

/// [`Table::tax`] at scale 1 for an amount of `fen` fen: the bracket and
/// the tax, never below zero.
pub(crate) fn table_tax(t: &Table, fen: i64) -> Option<(usize, i64)> {
    if fen <= 0 {
        return Some((0, 0));
    }
    let brackets = t.brackets();
    let mut i = brackets.len().checked_sub(1)?;
    for (k, b) in brackets.iter().enumerate() {
        match b.up_to {
            None => {
                i = k;
                break;
            }
            Some(u) if fen <= of_up_to_2(u)? => {
                i = k;
                break;
            }
            Some(_) => {}
        }
    }
    let b = brackets[i];
    let (m, p) = rate(b.rate)?;
    let quick = of_up_to_2(b.quick_deduction)?;
    if fen < 1 << 40 && m < 1 << 20 && p < 1 << 20 && quick.unsigned_abs() < 1 << 40 {
        // Fits an i64 (below 2^61): its division is several times cheaper.
        let (m, p) = (m as i64, p as i64);
        return Some((i, div_round_64(fen * m - quick * p, p).max(0)));
    }
    let tax = div_round(i128::from(fen) * m - i128::from(quick) * p, p);
    Some((i, tax.max(0) as i64))
}

/// `a + b` (amounts [`of`] accepts, `fa` and `fb` fen) as `Decimal`
/// prints it: when one is zero `Decimal` returns the other as it is (a zero
/// keeps its own scale: `0.00 + 0` is `0`), else the two-decimal sum.
#[inline]
pub(crate) fn add(a: Decimal, fa: i64, b: Decimal, fb: i64) -> Decimal {
    if a.is_zero() {
        b
    } else if b.is_zero() {
        a
    } else {
        amount(fa + fb)
    }
}

/// An amount of fen as a two-decimal `Decimal` (zero is `0.00`, positive).
#[inline]
pub(crate) fn amount(fen: i64) -> Decimal {
    fen_amount(fen)
}

/// `round_fen(base × rate)` of the four contributions, for a base with two
/// decimals.
#[inline]
pub(crate) fn contributions(base: Decimal, rates: [Decimal; 4]) -> Option<[Decimal; 4]> {
    let b = of(base)?;
    Some([
        amount(times(b, rates[0])?),
        amount(times(b, rates[1])?),
        amount(times(b, rates[2])?),
        amount(times(b, rates[3])?),
    ])
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::money::round_fen;
    use proptest::prelude::*;

    /// Value, scale and sign: what a `Decimal` prints.
    fn same(a: Decimal, b: Decimal) -> bool {
        a.to_string() == b.to_string()
    }

    proptest! {
        #[test]
        fn times_is_round_fen_of_the_product(
            fen in -10_000_000_000i64..10_000_000_000,
            m in 0i64..1_000_000,
            s in 0u32..7,
        ) {
            let rate = Decimal::new(m, s);
            let exact = round_fen(Decimal::new(fen, 2) * rate);
            let fast = amount(times(fen, rate).unwrap());
            prop_assert!(same(exact, fast), "{} × {}: {} vs {}", Decimal::new(fen, 2), rate, exact, fast);
        }

        /// The rounding edges: amounts whose product with a rate ends in
        /// exactly half a fen, either side of zero.
        #[test]
        fn half_fen_edges_round_away_from_zero(k in -1_000_000i64..1_000_000) {
            // × 0.5 of an odd fen count is exactly half a fen.
            let fen = 2 * k + 1;
            let rate = Decimal::new(5, 1);
            let exact = round_fen(Decimal::new(fen, 2) * rate);
            prop_assert!(same(exact, amount(times(fen, rate).unwrap())));
        }
    }

    #[test]
    fn table_tax_matches_the_decimal_table_at_every_bound() {
        let set = crate::policy::PolicySet::builtin();
        let rules = set.versions[0].tax.as_ref().unwrap();
        let t = &rules.annual;
        let mut edges = vec![-1i64, 0, 1, 99, 100, 101];
        for b in t.brackets() {
            if let Some(u) = b.up_to {
                let f = of_up_to_2(u).unwrap();
                edges.extend([f - 1, f, f + 1]);
            }
        }
        for f in edges {
            let d = Decimal::new(f, 2);
            let (i, tax) = t.tax(d, Decimal::ONE);
            let (j, fast) = table_tax(t, f).unwrap();
            assert_eq!(i, j, "bracket of {d}");
            assert!(same(tax, amount(fast)), "{d}: {tax} vs {}", amount(fast));
        }
    }
}
