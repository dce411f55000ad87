//! The C ABI: the only module allowed `unsafe`.
//!
//! A thin translation of the library's inputs and outputs; nothing is
//! computed here that the library does not compute. `include/payrules.h` is
//! generated from this module by cbindgen (`PAYRULES_BLESS=1 cargo test
//! --test header`), so the doc comments below are the header's documentation.
//!
//! Conventions (after rustls-ffi):
//! - every fallible function returns a `uint32_t` status (`PAYRULES_OK` = 0,
//!   numbers never change) and writes its outputs only on success;
//! - an optional `payrules_error **err` receives a detailed error on failure
//!   (left untouched on success), freed with `payrules_error_free`;
//! - every exported function catches panics (`PAYRULES_PANIC`);
//! - pointers are checked for NULL before use; enums arrive as `uint32_t`
//!   and are checked; money crosses as `payrules_decimal`, never a float.

// C type names (`payrules_policy`…) are the header's names.
#![allow(non_camel_case_types)]

mod amounts;
mod batch;
#[cfg(feature = "book")]
mod book;
mod decimal;
mod json;
mod policy;

pub use amounts::*;
pub use batch::*;
#[cfg(feature = "book")]
pub use book::*;
pub use decimal::*;
pub use json::*;
pub use policy::*;

use chrono::NaiveDate;
use rust_decimal::Decimal;
use std::ffi::{CString, c_char};
use std::panic::{AssertUnwindSafe, catch_unwind};

/// Version of the C ABI this header describes. Bumped on any incompatible
/// change; compare with `payrules_abi_version()` or call
/// `payrules_check_abi(PAYRULES_ABI_VERSION)` at start-up.
pub const PAYRULES_ABI_VERSION: u32 = 1;
/// Major version of the payrules library this header comes from.
pub const PAYRULES_VERSION_MAJOR: u32 = 0;
/// Minor version of the payrules library this header comes from.
pub const PAYRULES_VERSION_MINOR: u32 = 1;
/// Patch version of the payrules library this header comes from.
pub const PAYRULES_VERSION_PATCH: u32 = 0;
/// A buffer of this many bytes holds any `payrules_decimal_to_string` result.
pub const PAYRULES_DECIMAL_STRING_MAX: u32 = 64;

// Status codes. Their numbers never change; new ones are added at the end.

/// Success.
pub const PAYRULES_OK: u32 = 0;
/// A required pointer argument was NULL.
pub const PAYRULES_NULL_ARGUMENT: u32 = 1;
/// Text that is not UTF-8.
pub const PAYRULES_INVALID_UTF8: u32 = 2;
/// A policy that is not TOML or breaks the policy rules.
pub const PAYRULES_INVALID_POLICY: u32 = 3;
/// A run request that cannot be read (not JSON, not a request, bad period).
pub const PAYRULES_INVALID_REQUEST: u32 = 4;
/// A `uint32_t` that is not one of an enum's numbers (grade 99…).
pub const PAYRULES_INVALID_ENUM: u32 = 5;
/// A date or month that does not exist (2026-02-30, month 13).
pub const PAYRULES_INVALID_DATE: u32 = 6;
/// A decimal that is not valid (scale above 28, text that is not a plain decimal).
pub const PAYRULES_INVALID_DECIMAL: u32 = 7;
/// A decimal that does not fit a `payrules_decimal` (64-bit mantissa).
pub const PAYRULES_DECIMAL_OVERFLOW: u32 = 8;
/// The policy has no version in force on the date or period asked for.
pub const PAYRULES_NO_POLICY_VERSION: u32 = 9;
/// The caller's buffer is too small; `*needed` says how many bytes are needed.
pub const PAYRULES_BUFFER_TOO_SMALL: u32 = 10;
/// A run completed with input errors: the response was written, with
/// `"complete": false`, and lists them.
pub const PAYRULES_INPUT_ERRORS: u32 = 11;
/// A batch completed, but some rows were not paid (see each row's status)
/// or some honours were refused; the details are in `*err`.
pub const PAYRULES_ROW_ERROR: u32 = 12;
/// A position the policy version does not know.
pub const PAYRULES_UNKNOWN_POSITION: u32 = 13;
/// The same worker id in more than one row of a batch (every such row gets it).
pub const PAYRULES_DUPLICATE_WORKER: u32 = 14;
/// An honour for a worker id that is not in the batch.
pub const PAYRULES_UNKNOWN_WORKER: u32 = 15;
/// A grade the policy does not allow for this worker (a probationer graded
/// while the policy has `probation.graded = false`).
pub const PAYRULES_INVALID_GRADE: u32 = 16;
/// An argument out of range (an empty worker id, too many rows).
pub const PAYRULES_INVALID_ARGUMENT: u32 = 17;
/// `payrules_check_abi` was given another ABI version than the library's.
pub const PAYRULES_ABI_MISMATCH: u32 = 18;
/// An internal error (a Rust panic) was caught at the boundary; please report it.
pub const PAYRULES_PANIC: u32 = 19;
/// A payroll book refused the command and changed nothing: a closed month
/// paid again, months out of order, a month never paid, an existing file
/// for a new book, an empty reason (the message names the month).
pub const PAYRULES_BOOK_REFUSED: u32 = 20;
/// The payroll book is being written by another handle or process; try
/// again when it has finished.
pub const PAYRULES_BOOK_BUSY: u32 = 21;
/// The payroll book file cannot be used: missing, not a book, damaged,
/// written by a newer payrules, or a database failure.
pub const PAYRULES_BOOK_IO: u32 = 22;

// Enum numbers, as `uint32_t` arguments take them. Stable, like the status codes.

/// Grade: not graded (probation, absent): no bonus.
pub const PAYRULES_GRADE_UNGRADED: u32 = 0;
/// Grade: fail (不合格): no performance bonus.
pub const PAYRULES_GRADE_FAIL: u32 = 1;
/// Grade: pass (合格).
pub const PAYRULES_GRADE_PASS: u32 = 2;
/// Grade: good (良好).
pub const PAYRULES_GRADE_GOOD: u32 = 3;
/// Grade: excellent (优秀).
pub const PAYRULES_GRADE_EXCELLENT: u32 = 4;
/// Title: none.
pub const PAYRULES_TITLE_NONE: u32 = 0;
/// Title: assistant social worker (助理社会工作师, junior).
pub const PAYRULES_TITLE_ASSISTANT_SOCIAL_WORKER: u32 = 1;
/// Title: social worker (社会工作师, intermediate).
pub const PAYRULES_TITLE_SOCIAL_WORKER: u32 = 2;
/// Title: senior social worker (高级社会工作师, senior).
pub const PAYRULES_TITLE_SENIOR_SOCIAL_WORKER: u32 = 3;
/// Honour level: municipal (市级).
pub const PAYRULES_HONOUR_MUNICIPAL: u32 = 0;
/// Honour level: provincial (省级).
pub const PAYRULES_HONOUR_PROVINCIAL: u32 = 1;
/// Honour level: national (国家级).
pub const PAYRULES_HONOUR_NATIONAL: u32 = 2;

/// An exact decimal: `mantissa × 10^-scale`. Amounts from payrules always
/// have scale 2 (`{130000, 2}` is 1300.00 yuan). `scale` is at most 28.
#[repr(C)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct payrules_decimal {
    /// The digits, with the sign.
    pub mantissa: i64,
    /// Digits after the decimal point, 0..=28.
    pub scale: u32,
}

/// A calendar date. `{0, 0, 0}` means "none" where a date is optional.
#[repr(C)]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct payrules_date {
    /// Year, 1..=9999.
    pub year: u32,
    /// Month, 1..=12.
    pub month: u32,
    /// Day of the month, 1..=31 as the month has.
    pub day: u32,
}

/// A detailed error: a status and a message naming what was wrong, where,
/// and what was expected. Owned by the caller once returned through a
/// `payrules_error **err` argument; free it with `payrules_error_free`.
pub struct payrules_error {
    status: u32,
    message: String,
}

/// A failure inside an exported function: its status and message.
#[derive(Debug)]
pub(crate) struct Fail {
    pub(crate) status: u32,
    pub(crate) message: String,
}

impl Fail {
    pub(crate) fn new(status: u32, message: impl Into<String>) -> Self {
        Fail {
            status,
            message: message.into(),
        }
    }
    pub(crate) fn null(what: &str) -> Self {
        Fail::new(
            PAYRULES_NULL_ARGUMENT,
            format!("{what} is NULL; a valid pointer is required"),
        )
    }
}

/// The panic boundary: runs `f`, turns its failure or a panic into a status
/// and, when `err` is not NULL, a `payrules_error` written to `*err`.
pub(crate) fn boundary(err: *mut *mut payrules_error, f: impl FnOnce() -> Result<(), Fail>) -> u32 {
    let fail = match catch_unwind(AssertUnwindSafe(f)) {
        Ok(Ok(())) => return PAYRULES_OK,
        Ok(Err(fail)) => fail,
        Err(payload) => {
            let what = payload
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| payload.downcast_ref::<String>().cloned())
                .unwrap_or_default();
            Fail::new(
                PAYRULES_PANIC,
                format!("internal error in payrules (a Rust panic: {what}); please report it"),
            )
        }
    };
    let status = fail.status;
    if !err.is_null() {
        let e = Box::new(payrules_error {
            status,
            message: fail.message,
        });
        // SAFETY: `err` is not NULL and the caller promises it points to a
        // writable `payrules_error *`.
        unsafe { *err = Box::into_raw(e) };
    }
    status
}

/// Runs `f` behind a panic boundary for functions that return no status.
pub(crate) fn guard<T>(fallback: T, f: impl FnOnce() -> T) -> T {
    catch_unwind(AssertUnwindSafe(f)).unwrap_or(fallback)
}

/// Reads a NUL-terminated string as UTF-8, without copying.
///
/// # Safety
/// `p` is NULL or points to a NUL-terminated string valid for `'a`.
pub(crate) unsafe fn c_str<'a>(p: *const c_char, what: &str) -> Result<&'a str, Fail> {
    if p.is_null() {
        return Err(Fail::null(what));
    }
    // SAFETY: not NULL; NUL-terminated and alive by the caller's promise.
    let bytes = unsafe { std::ffi::CStr::from_ptr(p) }.to_bytes();
    utf8(bytes, what)
}

/// Checks that bytes are UTF-8, naming the first bad byte.
pub(crate) fn utf8<'a>(bytes: &'a [u8], what: &str) -> Result<&'a str, Fail> {
    std::str::from_utf8(bytes).map_err(|e| {
        Fail::new(
            PAYRULES_INVALID_UTF8,
            format!(
                "{what} is not UTF-8: invalid byte at offset {}; text must be UTF-8",
                e.valid_up_to()
            ),
        )
    })
}

/// Reads `len` bytes at `p` (which need not be NUL-terminated).
///
/// # Safety
/// `p` is NULL or points to `len` readable bytes valid for `'a`.
pub(crate) unsafe fn bytes<'a>(p: *const c_char, len: usize, what: &str) -> Result<&'a [u8], Fail> {
    // SAFETY: forwarded.
    unsafe { slice(p.cast::<u8>(), len, what) }
}

/// Builds a slice from a C array, refusing NULL (unless `n` is 0) and sizes
/// a slice cannot have.
///
/// # Safety
/// `p` is NULL or points to `n` initialised values valid for `'a`.
pub(crate) unsafe fn slice<'a, T>(p: *const T, n: usize, what: &str) -> Result<&'a [T], Fail> {
    if p.is_null() {
        return if n == 0 {
            Ok(&[])
        } else {
            Err(Fail::null(what))
        };
    }
    check_len::<T>(n, what)?;
    // SAFETY: not NULL, length checked against isize::MAX, and the caller
    // promises `n` initialised values.
    Ok(unsafe { std::slice::from_raw_parts(p, n) })
}

/// Refuses lengths that no slice can have (`n × size > isize::MAX`).
pub(crate) fn check_len<T>(n: usize, what: &str) -> Result<(), Fail> {
    let max = isize::MAX as usize / std::mem::size_of::<T>().max(1);
    if n > max {
        return Err(Fail::new(
            PAYRULES_INVALID_ARGUMENT,
            format!("{what}: length {n} is larger than any array can be (at most {max})"),
        ));
    }
    Ok(())
}

/// Writes `*p = v` when `p` is not NULL.
///
/// # Safety
/// `p` is NULL or points to a writable `T`.
pub(crate) unsafe fn write_opt<T>(p: *mut T, v: T) {
    if !p.is_null() {
        // SAFETY: not NULL; writable by the caller's promise.
        unsafe { p.write(v) };
    }
}

/// Copies `s` and a terminating NUL into `buf` when it fits. `*needed`
/// (when not NULL) receives `strlen(s) + 1` on success and on
/// `PAYRULES_BUFFER_TOO_SMALL`; `buf` is written only on success.
///
/// # Safety
/// `buf` is NULL or points to `len` writable bytes; `needed` is NULL or writable.
pub(crate) unsafe fn write_buf(s: &str, buf: *mut c_char, len: usize, needed: *mut usize) -> u32 {
    let need = s.len() + 1;
    // SAFETY: forwarded.
    unsafe { write_opt(needed, need) };
    if len < need {
        return PAYRULES_BUFFER_TOO_SMALL;
    }
    if buf.is_null() {
        return PAYRULES_NULL_ARGUMENT;
    }
    // SAFETY: `buf` has `len >= need` writable bytes; `s` does not overlap it
    // (it is Rust-owned memory).
    unsafe {
        std::ptr::copy_nonoverlapping(s.as_ptr(), buf.cast::<u8>(), s.len());
        buf.add(s.len()).write(0);
    }
    PAYRULES_OK
}

/// Hands a string to C as a NUL-terminated allocation freed by
/// `payrules_string_free`; returns the pointer and `strlen`.
pub(crate) fn into_c_string(s: String, what: &str) -> Result<(*mut c_char, usize), Fail> {
    let n = s.len();
    let c = CString::new(s).map_err(|e| {
        Fail::new(
            PAYRULES_INVALID_ARGUMENT,
            format!(
                "{what} holds a NUL byte at offset {} and cannot be a C string",
                e.nul_position()
            ),
        )
    })?;
    Ok((c.into_raw(), n))
}

/// A Rust decimal as a `payrules_decimal`, when the mantissa fits 64 bits.
pub(crate) fn to_c_decimal(d: Decimal) -> Option<payrules_decimal> {
    Some(payrules_decimal {
        mantissa: i64::try_from(d.mantissa()).ok()?,
        scale: d.scale(),
    })
}

/// A `payrules_decimal` as a Rust decimal.
pub(crate) fn from_c_decimal(d: payrules_decimal, what: &str) -> Result<Decimal, Fail> {
    Decimal::try_from_i128_with_scale(i128::from(d.mantissa), d.scale).map_err(|_| {
        Fail::new(
            PAYRULES_INVALID_DECIMAL,
            format!(
                "{what}: scale {} is out of range; a decimal has at most 28 digits after the point",
                d.scale
            ),
        )
    })
}

/// A money result as a `payrules_decimal`, failing (never panicking) when
/// it cannot be represented.
pub(crate) fn amount_out(d: Decimal, what: &str) -> Result<payrules_decimal, Fail> {
    to_c_decimal(d).ok_or_else(|| {
        Fail::new(
            PAYRULES_DECIMAL_OVERFLOW,
            format!("{what}: {d} does not fit a payrules_decimal (64-bit mantissa)"),
        )
    })
}

/// A required date.
pub(crate) fn date(d: payrules_date, what: &str) -> Result<NaiveDate, Fail> {
    let ok = (1..=9999).contains(&d.year);
    ok.then(|| NaiveDate::from_ymd_opt(d.year as i32, d.month, d.day))
        .flatten()
        .ok_or_else(|| {
            Fail::new(
                PAYRULES_INVALID_DATE,
                format!(
                    "{what}: {:04}-{:02}-{:02} is not a date; give a day that exists, year 1..9999",
                    d.year, d.month, d.day
                ),
            )
        })
}

/// An optional date: `{0, 0, 0}` is none.
pub(crate) fn opt_date(d: payrules_date, what: &str) -> Result<Option<NaiveDate>, Fail> {
    if d == payrules_date::default() {
        Ok(None)
    } else {
        date(d, what).map(Some)
    }
}

/// Checks a `uint32_t` against an enum's numbers, naming the accepted ones.
macro_rules! enum_arg {
    ($ty:ty, $value:expr, $what:expr) => {{
        let v: u32 = $value;
        <$ty>::from_u32(v).ok_or_else(|| {
            let expected: Vec<String> = <$ty>::ALL
                .iter()
                .map(|x| format!("{} ({})", *x as u32, x.code()))
                .collect();
            $crate::ffi::Fail::new(
                $crate::ffi::PAYRULES_INVALID_ENUM,
                format!(
                    "{}: {v} is not a valid number; expected one of {}",
                    $what,
                    expected.join(", ")
                ),
            )
        })
    }};
}
pub(crate) use enum_arg;

/// The payrules library version, such as `"0.1.0"`: a static string, never freed.
#[unsafe(no_mangle)]
pub extern "C" fn payrules_version() -> *const c_char {
    const V: &str = concat!(env!("CARGO_PKG_VERSION"), "\0");
    V.as_ptr().cast()
}

/// The ABI version of the loaded library (`PAYRULES_ABI_VERSION` of the
/// header it was built with).
#[unsafe(no_mangle)]
pub extern "C" fn payrules_abi_version() -> u32 {
    PAYRULES_ABI_VERSION
}

/// Checks that the loaded library speaks the ABI the caller was compiled
/// against: call `payrules_check_abi(PAYRULES_ABI_VERSION)`. Returns
/// `PAYRULES_OK` or `PAYRULES_ABI_MISMATCH`.
#[unsafe(no_mangle)]
pub extern "C" fn payrules_check_abi(header_abi_version: u32) -> u32 {
    if header_abi_version == PAYRULES_ABI_VERSION {
        PAYRULES_OK
    } else {
        PAYRULES_ABI_MISMATCH
    }
}

/// A short English description of a status code: a static string, never
/// freed. Unknown codes give `"unknown status code"`.
#[unsafe(no_mangle)]
pub extern "C" fn payrules_status_message(status: u32) -> *const c_char {
    let s: &'static std::ffi::CStr = match status {
        PAYRULES_OK => c"success",
        PAYRULES_NULL_ARGUMENT => c"a required pointer argument was NULL",
        PAYRULES_INVALID_UTF8 => c"text is not UTF-8",
        PAYRULES_INVALID_POLICY => c"the policy is not valid TOML or breaks the policy rules",
        PAYRULES_INVALID_REQUEST => c"the run request cannot be read",
        PAYRULES_INVALID_ENUM => c"a number that is not one of the enum's values",
        PAYRULES_INVALID_DATE => c"a date or month that does not exist",
        PAYRULES_INVALID_DECIMAL => c"an invalid decimal",
        PAYRULES_DECIMAL_OVERFLOW => c"a decimal too large for a 64-bit mantissa",
        PAYRULES_NO_POLICY_VERSION => c"the policy has no version in force on that date",
        PAYRULES_BUFFER_TOO_SMALL => c"the buffer is too small",
        PAYRULES_INPUT_ERRORS => c"the run completed with input errors; the response lists them",
        PAYRULES_ROW_ERROR => c"some rows of the batch were not paid; see each row's status",
        PAYRULES_UNKNOWN_POSITION => c"a position the policy does not know",
        PAYRULES_DUPLICATE_WORKER => c"a worker id given in more than one row",
        PAYRULES_UNKNOWN_WORKER => c"an honour for a worker not in the batch",
        PAYRULES_INVALID_GRADE => c"a grade the policy does not allow for this worker",
        PAYRULES_INVALID_ARGUMENT => c"an argument out of range",
        PAYRULES_ABI_MISMATCH => c"the library's ABI version differs from the header's",
        PAYRULES_PANIC => c"internal error (panic caught); please report it",
        PAYRULES_BOOK_REFUSED => c"the payroll book refused the command; nothing changed",
        PAYRULES_BOOK_BUSY => c"the payroll book is being written by another writer; try again",
        PAYRULES_BOOK_IO => c"the payroll book file cannot be read or written",
        _ => c"unknown status code",
    };
    s.as_ptr()
}

/// The status of an error (`PAYRULES_NULL_ARGUMENT` when `err` is NULL).
///
/// # Safety
/// `err` is NULL or a live error from payrules.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn payrules_error_status(err: *const payrules_error) -> u32 {
    guard(PAYRULES_PANIC, || {
        // SAFETY: NULL or a live error, by the caller's promise.
        match unsafe { err.as_ref() } {
            Some(e) => e.status,
            None => PAYRULES_NULL_ARGUMENT,
        }
    })
}

/// Copies an error's message, NUL-terminated, into `buf` of `len` bytes.
///
/// `*needed` (when `needed` is not NULL) receives the size the message needs,
/// terminating NUL included, on `PAYRULES_OK` and on
/// `PAYRULES_BUFFER_TOO_SMALL`; `buf` is written only on `PAYRULES_OK`.
/// Pass `buf` NULL and `len` 0 to ask for the size.
///
/// # Safety
/// `err` is NULL or a live error; `buf` is NULL or has `len` writable bytes;
/// `needed` is NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn payrules_error_message(
    err: *const payrules_error,
    buf: *mut c_char,
    len: usize,
    needed: *mut usize,
) -> u32 {
    guard(PAYRULES_PANIC, || {
        // SAFETY: NULL or a live error, by the caller's promise.
        let Some(e) = (unsafe { err.as_ref() }) else {
            return PAYRULES_NULL_ARGUMENT;
        };
        // SAFETY: forwarded from the caller's promise.
        unsafe { write_buf(&e.message, buf, len, needed) }
    })
}

/// Frees an error. NULL is accepted and ignored.
///
/// # Safety
/// `err` is NULL or an error from payrules not yet freed.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn payrules_error_free(err: *mut payrules_error) {
    guard((), || {
        if !err.is_null() {
            // SAFETY: made by `Box::into_raw` in `boundary`, freed once.
            drop(unsafe { Box::from_raw(err) });
        }
    })
}

/// Frees a string returned by payrules (`payrules_run_json`'s response,
/// `payrules_policy_to_toml`). NULL is accepted and ignored.
///
/// # Safety
/// `s` is NULL or a string from payrules not yet freed.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn payrules_string_free(s: *mut c_char) {
    guard((), || {
        if !s.is_null() {
            // SAFETY: made by `CString::into_raw` in `into_c_string`, freed once.
            drop(unsafe { CString::from_raw(s) });
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn header_versions_match_the_crate() {
        assert_eq!(
            PAYRULES_VERSION_MAJOR.to_string(),
            env!("CARGO_PKG_VERSION_MAJOR")
        );
        assert_eq!(
            PAYRULES_VERSION_MINOR.to_string(),
            env!("CARGO_PKG_VERSION_MINOR")
        );
        assert_eq!(
            PAYRULES_VERSION_PATCH.to_string(),
            env!("CARGO_PKG_VERSION_PATCH")
        );
    }

    #[test]
    fn enum_numbers_match_the_library() {
        use crate::worker::{Grade, HonourLevel, Title};
        let grades = [
            (PAYRULES_GRADE_UNGRADED, Grade::Ungraded),
            (PAYRULES_GRADE_FAIL, Grade::Fail),
            (PAYRULES_GRADE_PASS, Grade::Pass),
            (PAYRULES_GRADE_GOOD, Grade::Good),
            (PAYRULES_GRADE_EXCELLENT, Grade::Excellent),
        ];
        assert_eq!(grades.len(), Grade::ALL.len());
        for (n, g) in grades {
            assert_eq!(Grade::from_u32(n), Some(g));
        }
        let titles = [
            (PAYRULES_TITLE_NONE, Title::None),
            (
                PAYRULES_TITLE_ASSISTANT_SOCIAL_WORKER,
                Title::AssistantSocialWorker,
            ),
            (PAYRULES_TITLE_SOCIAL_WORKER, Title::SocialWorker),
            (
                PAYRULES_TITLE_SENIOR_SOCIAL_WORKER,
                Title::SeniorSocialWorker,
            ),
        ];
        assert_eq!(titles.len(), Title::ALL.len());
        for (n, t) in titles {
            assert_eq!(Title::from_u32(n), Some(t));
        }
        let levels = [
            (PAYRULES_HONOUR_MUNICIPAL, HonourLevel::Municipal),
            (PAYRULES_HONOUR_PROVINCIAL, HonourLevel::Provincial),
            (PAYRULES_HONOUR_NATIONAL, HonourLevel::National),
        ];
        assert_eq!(levels.len(), HonourLevel::ALL.len());
        for (n, l) in levels {
            assert_eq!(HonourLevel::from_u32(n), Some(l));
        }
    }

    #[test]
    fn dates_are_checked() {
        let d = |year, month, day| payrules_date { year, month, day };
        assert!(date(d(2026, 2, 28), "x").is_ok());
        let e = date(d(2026, 2, 30), "hired_on").unwrap_err();
        assert_eq!(e.status, PAYRULES_INVALID_DATE);
        assert!(e.message.contains("hired_on: 2026-02-30"), "{}", e.message);
        assert!(date(d(0, 1, 1), "x").is_err());
        assert!(date(d(10000, 1, 1), "x").is_err());
        assert_eq!(opt_date(d(0, 0, 0), "x").unwrap(), None);
        assert!(opt_date(d(0, 0, 1), "x").is_err());
    }

    #[test]
    fn panics_become_a_status() {
        let mut err: *mut payrules_error = std::ptr::null_mut();
        let prev = std::panic::take_hook();
        std::panic::set_hook(Box::new(|_| {}));
        let status = boundary(&mut err, || panic!("boom"));
        std::panic::set_hook(prev);
        assert_eq!(status, PAYRULES_PANIC);
        let e = unsafe { Box::from_raw(err) };
        assert!(e.message.contains("boom"), "{}", e.message);
    }
}
