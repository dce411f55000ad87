//! Money and rates: exact decimals, one rounding rule, strict parsing.
//!
//! Every amount in payrules is a [`Decimal`] in yuan. Amounts are computed
//! exactly and rounded **once per payslip line** with [`round_fen`], half away
//! from zero (四舍五入) to 0.01. Totals are sums of rounded lines, so every
//! payslip adds up to the fen.
//!
//! `Decimal`'s own `round()` is banker's rounding; never call it on money.
//!
//! ```
//! use payrules::money::{parse_amount, round_fen};
//! use rust_decimal::Decimal;
//!
//! let a = parse_amount("2200.00").unwrap();
//! // 2200.00 × 15/31 = 1064.5161… → 1064.52
//! let exact = a * Decimal::from(15) / Decimal::from(31);
//! assert_eq!(round_fen(exact).to_string(), "1064.52");
//! // half away from zero, not to even:
//! assert_eq!(round_fen("0.125".parse().unwrap()).to_string(), "0.13");
//! assert_eq!(round_fen("-0.125".parse().unwrap()).to_string(), "-0.13");
//! assert!(parse_amount("1e3").is_err());
//! assert!(parse_amount("12.345").is_err());
//! ```

use rust_decimal::{Decimal, RoundingStrategy};
use std::fmt;

/// Decimal places of an amount (fen).
pub const AMOUNT_DP: u32 = 2;
/// Decimal places a rate (a cap, a probation pay rate) may carry.
pub const RATE_DP: u32 = 6;

/// Rounds an exact amount half away from zero to the fen (0.01 yuan).
///
/// This is the only rounding function for money in payrules; the result
/// always carries exactly two decimal places, so `to_string()` prints
/// `"1300.00"`, never `"1300"`.
pub fn round_fen(exact: Decimal) -> Decimal {
    let mut r = exact.round_dp_with_strategy(AMOUNT_DP, RoundingStrategy::MidpointAwayFromZero);
    r.rescale(AMOUNT_DP);
    r
}

/// An amount of `fen` fen (`fen_amount(130000)` is 1300.00), with two
/// decimals: the cheapest way from an integer fen count to a `Decimal`.
#[inline]
#[must_use]
pub fn fen_amount(fen: i64) -> Decimal {
    let m = fen.unsigned_abs();
    Decimal::from_parts(m as u32, (m >> 32) as u32, 0, fen < 0, AMOUNT_DP)
}

/// Amounts of this many fen or more are not taken as integers by
/// [`fen_of`] (10^13 yuan: far above any payroll amount, far below `i64`).
pub const FEN_LIMIT: u128 = 1_000_000_000_000_000;

/// An amount in fen, when it has exactly two decimals (or is a zero of any
/// scale) and is below [`FEN_LIMIT`]: the integer the fast paths compute
/// with.
#[inline]
#[must_use]
pub fn fen_of(d: Decimal) -> Option<i64> {
    if d.is_zero() {
        return Some(0);
    }
    if d.scale() != AMOUNT_DP {
        return None;
    }
    let m = d.mantissa();
    (m.unsigned_abs() < FEN_LIMIT).then_some(m as i64)
}

/// An exact running total of amounts already on the fen.
///
/// Adding fen amounts as integers is several times faster than `Decimal`'s
/// general addition, which matters when a run sums millions of lines. An
/// amount that is not on the fen is refused by a debug assertion and, in a
/// release build, added exactly through `Decimal` all the same.
///
/// ```
/// use payrules::money::FenSum;
/// let mut t = FenSum::default();
/// t.add("1100.00".parse().unwrap());
/// t.add("0.05".parse().unwrap());
/// assert_eq!(t.total().to_string(), "1100.05");
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct FenSum {
    fen: i128,
    other: Decimal,
}

impl FenSum {
    /// Adds an amount.
    #[inline]
    pub fn add(&mut self, amount: Decimal) {
        if amount.scale() == AMOUNT_DP {
            // Fen counts of amounts ≤ 1e9 summed over any realistic run stay
            // far below i128's range.
            self.fen += amount.mantissa();
        } else {
            debug_assert!(amount.scale() <= AMOUNT_DP, "{amount} is not on the fen");
            self.other += amount;
        }
    }
    /// Adds a count of fen.
    #[inline]
    pub fn add_fen(&mut self, fen: i128) {
        self.fen += fen;
    }
    /// Adds another sum's amounts.
    #[inline]
    pub fn merge(&mut self, other: FenSum) {
        self.fen += other.fen;
        self.other += other.other;
    }
    /// The total, with two decimals.
    #[inline]
    pub fn total(&self) -> Decimal {
        // The common case: every amount was on the fen and the sum fits an
        // i64, so the total is the fen count itself.
        if self.other.is_zero()
            && let Ok(fen) = i64::try_from(self.fen)
        {
            return fen_amount(fen);
        }
        self.total_slow()
    }
    #[cold]
    #[inline(never)]
    fn total_slow(&self) -> Decimal {
        let mut t = Decimal::from_i128_with_scale(self.fen, AMOUNT_DP) + self.other;
        t.rescale(AMOUNT_DP);
        t
    }
}

/// Formats an amount with exactly two decimals (`"1300.00"`).
///
/// The value is rounded with [`round_fen`] first, so a value that is already
/// on the fen prints unchanged.
pub fn format_amount(amount: Decimal) -> String {
    let mut s = String::with_capacity(16);
    push_amount(&mut s, amount);
    s
}

/// Appends [`format_amount`]'s text of an amount to `out`, without
/// allocating for an amount already on the fen (the digits of its fen
/// count, a point before the last two).
pub fn push_amount(out: &mut String, amount: Decimal) {
    if let Some(fen) = on_fen(amount) {
        let mut buf = [0u8; 24];
        // Invariant: only ASCII digits, a sign and a point were written.
        out.push_str(std::str::from_utf8(fen_text(fen, &mut buf)).unwrap_or_default());
        return;
    }
    out.push_str(&round_fen(amount).to_string());
}

/// Appends the text of `fen` fen (`-12.34` for -1234) to `out`: the same
/// text [`format_amount`] gives the amount.
pub fn push_fen(out: &mut Vec<u8>, fen: i64) {
    let mut buf = [0u8; 24];
    out.extend_from_slice(fen_text(fen, &mut buf));
}

/// The fen count of an amount written with exactly two decimals, as
/// [`format_amount`] prints it unchanged; `None` for any other scale, a
/// negative zero (which prints as Decimal prints it) or a count beyond `i64`.
#[inline]
pub fn on_fen(amount: Decimal) -> Option<i64> {
    if amount.scale() != AMOUNT_DP || (amount.is_zero() && amount.is_sign_negative()) {
        return None;
    }
    i64::try_from(amount.mantissa()).ok()
}

/// The text of a fen count in `buf`: sign, yuan digits, point, two fen
/// digits; two digits at a time.
fn fen_text(fen: i64, buf: &mut [u8; 24]) -> &[u8] {
    const PAIRS: &[u8; 200] = b"0001020304050607080910111213141516171819\
        2021222324252627282930313233343536373839\
        4041424344454647484950515253545556575859\
        6061626364656667686970717273747576777879\
        8081828384858687888990919293949596979899";
    let pair = |n: u64| {
        let k = 2 * n as usize;
        [PAIRS[k], PAIRS[k + 1]]
    };
    let u = fen.unsigned_abs();
    let mut i = buf.len() - 3;
    buf[i..].copy_from_slice(&[b'.', pair(u % 100)[0], pair(u % 100)[1]]);
    let mut y = u / 100;
    while y >= 100 {
        i -= 2;
        buf[i..i + 2].copy_from_slice(&pair(y % 100));
        y /= 100;
    }
    if y >= 10 {
        i -= 2;
        buf[i..i + 2].copy_from_slice(&pair(y));
    } else {
        i -= 1;
        buf[i] = b'0' + y as u8;
    }
    if fen < 0 {
        i -= 1;
        buf[i] = b'-';
    }
    &buf[i..]
}

/// Why a decimal string was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MoneyError {
    /// Empty string.
    #[error("empty amount; write a decimal such as \"1300.00\"")]
    Empty,
    /// Not a plain decimal (letters, exponent, NaN, several points…).
    #[error(
        "{0:?} is not a plain decimal; write digits with an optional sign and point, such as \"1300.00\" (no exponent, no thousands separator)"
    )]
    Syntax(String),
    /// More decimal places than allowed.
    #[error("{text:?} has {got} decimal places; at most {max} are allowed here")]
    TooPrecise {
        /// The text as given.
        text: String,
        /// Decimal places found.
        got: usize,
        /// Decimal places allowed.
        max: u32,
    },
    /// Too many digits for an exact decimal.
    #[error("{0:?} is too large to represent exactly")]
    Overflow(String),
    /// A negative value where only zero or more makes sense.
    #[error("{0:?} is negative; a value of zero or more is expected")]
    Negative(String),
}

/// Parses a decimal with at most `max_dp` decimal places.
///
/// Accepts an optional leading `-` or `+`, digits, and an optional `.` with
/// digits after it. Refuses exponents (`1e3`), `NaN`, `inf`, thousands
/// separators, surrounding spaces and anything else that is not a plain
/// decimal, so a value can never be silently reinterpreted.
pub fn parse_decimal(text: &str, max_dp: u32) -> Result<Decimal, MoneyError> {
    if text.is_empty() {
        return Err(MoneyError::Empty);
    }
    let body = text
        .strip_prefix('-')
        .or_else(|| text.strip_prefix('+'))
        .unwrap_or(text);
    let (int, frac) = match body.split_once('.') {
        Some((i, f)) => (i, Some(f)),
        None => (body, None),
    };
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    if !digits(int) || frac.is_some_and(|f| !digits(f)) {
        return Err(MoneyError::Syntax(text.to_string()));
    }
    let dp = frac.map_or(0, str::len);
    if dp > max_dp as usize {
        return Err(MoneyError::TooPrecise {
            text: text.to_string(),
            got: dp,
            max: max_dp,
        });
    }
    let normalized = text.strip_prefix('+').unwrap_or(text);
    Decimal::from_str_exact(normalized).map_err(|_| MoneyError::Overflow(text.to_string()))
}

/// Parses an amount in yuan: a plain decimal with at most two decimals.
pub fn parse_amount(text: &str) -> Result<Decimal, MoneyError> {
    parse_decimal(text, AMOUNT_DP)
}

/// Parses an amount that must not be negative.
pub fn parse_non_negative_amount(text: &str) -> Result<Decimal, MoneyError> {
    let d = parse_amount(text)?;
    if d.is_sign_negative() && !d.is_zero() {
        return Err(MoneyError::Negative(text.to_string()));
    }
    Ok(d)
}

/// Parses a rate (a fraction such as `"0.20"`): at most six decimals.
pub fn parse_rate(text: &str) -> Result<Decimal, MoneyError> {
    parse_decimal(text, RATE_DP)
}

/// An amount that serialises as a two-decimal JSON string and deserialises
/// only from a string, so a JSON number such as `1300.1` is an error rather
/// than a silently rounded float.
///
/// ```
/// use payrules::money::Amount;
/// let a: Amount = serde_json::from_str("\"1300.00\"").unwrap();
/// assert_eq!(serde_json::to_string(&a).unwrap(), "\"1300.00\"");
/// assert!(serde_json::from_str::<Amount>("1300.1").is_err());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Amount(pub Decimal);

impl fmt::Display for Amount {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&format_amount(self.0))
    }
}

impl serde::Serialize for Amount {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> serde::Deserialize<'de> for Amount {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl serde::de::Visitor<'_> for V {
            type Value = Amount;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("an amount as a string with at most two decimals, such as \"1300.00\"")
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Amount, E> {
                parse_amount(v).map(Amount).map_err(E::custom)
            }
            fn visit_f64<E: serde::de::Error>(self, v: f64) -> Result<Amount, E> {
                Err(E::custom(format!(
                    "amount {v} is a JSON number; amounts must be strings such as \"{v}\" so no float rounding can creep in"
                )))
            }
            fn visit_i64<E: serde::de::Error>(self, v: i64) -> Result<Amount, E> {
                self.visit_f64(v as f64)
            }
            fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<Amount, E> {
                self.visit_f64(v as f64)
            }
        }
        d.deserialize_any(V)
    }
}

#[cfg(test)]
mod tests {
    proptest::proptest! {
        /// The fast text of an amount is the `Decimal` one: any sign, any
        /// number of digits, amounts on the fen and off it, zeros.
        #[test]
        fn push_amount_is_round_fen_to_string(m in -10_000_000_000_000i64..10_000_000_000_000, scale in 0u32..5) {
            let d = Decimal::new(m, scale);
            let mut s = String::new();
            push_amount(&mut s, d);
            proptest::prop_assert_eq!(&s, &round_fen(d).to_string());
            if let Some(fen) = on_fen(d) {
                let mut b = Vec::new();
                push_fen(&mut b, fen);
                proptest::prop_assert_eq!(String::from_utf8(b).unwrap(), s);
            }
        }
    }

    #[test]
    fn push_amount_pins() {
        for (d, want) in [
            ("0.00", "0.00"),
            ("0.05", "0.05"),
            ("-0.50", "-0.50"),
            ("1300.00", "1300.00"),
            ("-12.34", "-12.34"),
            ("7", "7.00"),
            ("-0.00", &round_fen("-0.00".parse().unwrap()).to_string()),
        ] {
            let mut s = String::new();
            push_amount(&mut s, d.parse().unwrap());
            assert_eq!(s, want, "{d}");
        }
    }

    use super::*;

    fn d(s: &str) -> Decimal {
        s.parse().unwrap()
    }

    #[test]
    fn rounds_half_away_from_zero() {
        assert_eq!(round_fen(d("0.005")).to_string(), "0.01");
        assert_eq!(round_fen(d("0.015")).to_string(), "0.02");
        assert_eq!(round_fen(d("0.025")).to_string(), "0.03"); // banker's would give 0.02
        assert_eq!(round_fen(d("-0.025")).to_string(), "-0.03");
        assert_eq!(round_fen(d("0.0049999")).to_string(), "0.00");
        assert_eq!(round_fen(d("1300")).to_string(), "1300.00");
    }

    #[test]
    fn parses_plain_decimals_only() {
        assert_eq!(parse_amount("1300.00").unwrap(), d("1300"));
        assert_eq!(parse_amount("+5").unwrap(), d("5"));
        assert_eq!(parse_amount("-0.5").unwrap(), d("-0.5"));
        for bad in [
            "", " 1", "1 ", "1e3", "1E3", "NaN", "nan", "inf", "1,000", ".5", "5.", "1.2.3", "--1",
            "0x10", "１２",
        ] {
            assert!(parse_amount(bad).is_err(), "{bad:?} should be refused");
        }
        assert!(matches!(
            parse_amount("1.005"),
            Err(MoneyError::TooPrecise { got: 3, max: 2, .. })
        ));
        assert_eq!(parse_rate("0.123456").unwrap(), d("0.123456"));
        assert!(parse_rate("0.1234567").is_err());
        assert!(parse_amount("99999999999999999999999999999999").is_err());
        assert!(parse_non_negative_amount("-1").is_err());
        assert!(parse_non_negative_amount("-0.00").is_ok());
    }

    #[test]
    fn amount_json_is_string_only() {
        let a: Amount = serde_json::from_str("\"2200.5\"").unwrap();
        assert_eq!(serde_json::to_string(&a).unwrap(), "\"2200.50\"");
        let err = serde_json::from_str::<Amount>("2200.5")
            .unwrap_err()
            .to_string();
        assert!(err.contains("JSON number"), "{err}");
        assert!(serde_json::from_str::<Amount>("2200").is_err());
        assert!(serde_json::from_str::<Amount>("\"1e3\"").is_err());
    }
}
