//! Decimals across the boundary.

use super::{
    Fail, PAYRULES_DECIMAL_OVERFLOW, PAYRULES_INVALID_DECIMAL, boundary, bytes, from_c_decimal,
    payrules_decimal, payrules_error, to_c_decimal, utf8, write_buf,
};
use crate::money::{parse_decimal, round_fen};
use std::ffi::c_char;

/// Writes `value` as a plain decimal with all its scale digits (`{130000, 2}`
/// → `"1300.00"`), NUL-terminated, into `buf` of `len` bytes. `*needed`
/// (when not NULL) receives the size needed, NUL included, on `PAYRULES_OK`
/// and `PAYRULES_BUFFER_TOO_SMALL`; `PAYRULES_DECIMAL_STRING_MAX` bytes always
/// suffice. `PAYRULES_INVALID_DECIMAL` when the scale is above 28.
///
/// # Safety
/// `buf` is NULL or has `len` writable bytes; `needed` and `err` are NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn payrules_decimal_to_string(
    value: payrules_decimal,
    buf: *mut c_char,
    len: usize,
    needed: *mut usize,
    err: *mut *mut payrules_error,
) -> u32 {
    let mut status = super::PAYRULES_OK;
    let outer = boundary(err, || {
        let d = from_c_decimal(value, "value")?;
        // SAFETY: forwarded from the caller's promise.
        status = unsafe { write_buf(&d.to_string(), buf, len, needed) };
        Ok(())
    });
    if outer != super::PAYRULES_OK {
        outer
    } else {
        status
    }
}

/// Parses `len` bytes at `text` (no NUL needed) as a plain decimal such as
/// `"1300.00"` or `"-0.5"`: optional sign, digits, optional point and digits;
/// no exponent, spaces or separators; at most 28 decimals. The scale of
/// `*out` is the number of decimals written. `PAYRULES_DECIMAL_OVERFLOW`
/// when the value does not fit a 64-bit mantissa.
///
/// # Safety
/// `text` is NULL or has `len` readable bytes; `out` and `err` are NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn payrules_decimal_parse(
    text: *const c_char,
    len: usize,
    out: *mut payrules_decimal,
    err: *mut *mut payrules_error,
) -> u32 {
    boundary(err, || {
        if text.is_null() {
            return Err(Fail::null("text"));
        }
        // SAFETY: forwarded from the caller's promise.
        let t = utf8(unsafe { bytes(text, len, "text") }?, "decimal text")?;
        if out.is_null() {
            return Err(Fail::null("out"));
        }
        let d =
            parse_decimal(t, 28).map_err(|e| Fail::new(PAYRULES_INVALID_DECIMAL, e.to_string()))?;
        let v = to_c_decimal(d).ok_or_else(|| {
            Fail::new(
                PAYRULES_DECIMAL_OVERFLOW,
                format!("{t:?} has more digits than a payrules_decimal holds (64-bit mantissa)"),
            )
        })?;
        // SAFETY: not NULL; writable by the caller's promise.
        unsafe { out.write(v) };
        Ok(())
    })
}

/// Rounds `value` half away from zero to the fen (scale 2), the one rounding
/// rule of payrules (`{1005, 3}` → `{101, 2}`, `{-1005, 3}` → `{-101, 2}`),
/// and writes it to `*out`. `PAYRULES_DECIMAL_OVERFLOW` when the result does
/// not fit a 64-bit mantissa (`{INT64_MAX, 0}` needs two more digits).
///
/// # Safety
/// `out` and `err` are NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn payrules_decimal_round_fen(
    value: payrules_decimal,
    out: *mut payrules_decimal,
    err: *mut *mut payrules_error,
) -> u32 {
    boundary(err, || {
        let d = from_c_decimal(value, "value")?;
        if out.is_null() {
            return Err(Fail::null("out"));
        }
        let r = round_fen(d);
        let v = to_c_decimal(r)
            .filter(|v| v.scale == crate::money::AMOUNT_DP)
            .ok_or_else(|| {
                Fail::new(
                    PAYRULES_DECIMAL_OVERFLOW,
                    format!("{d} rounded to the fen needs more digits than a payrules_decimal holds (64-bit mantissa)"),
                )
            })?;
        // SAFETY: not NULL; writable by the caller's promise.
        unsafe { out.write(v) };
        Ok(())
    })
}
