//! Single amounts from a policy version.

use super::policy::{payrules_policy, policy_ref, version_on};
use super::{
    Fail, amount_out, boundary, enum_arg, payrules_date, payrules_decimal, payrules_error,
};
use crate::money::round_fen;
use crate::policy::Policy;
use crate::worker::{Grade, HonourLevel, Title};
use rust_decimal::Decimal;

/// Looks up one amount of the version in force on `on` and writes it to `*out`.
///
/// # Safety
/// `policy` is NULL or live; `out` and `err` are NULL or writable.
unsafe fn amount(
    policy: *const payrules_policy,
    on: payrules_date,
    out: *mut payrules_decimal,
    err: *mut *mut payrules_error,
    what: &str,
    f: impl FnOnce(&Policy) -> Result<Decimal, Fail>,
) -> u32 {
    boundary(err, || {
        // SAFETY: forwarded from the caller's promise.
        let set = unsafe { policy_ref(policy) }?;
        if out.is_null() {
            return Err(Fail::null("out"));
        }
        let v = version_on(set, on)?;
        // Policy amounts carry at most two decimals: round_fen only fixes the scale at 2.
        let d = amount_out(round_fen(f(v)?), what)?;
        // SAFETY: not NULL; writable by the caller's promise.
        unsafe { out.write(d) };
        Ok(())
    })
}

/// The full monthly performance bonus for `grade` (a `PAYRULES_GRADE_*`)
/// under the policy version in force on `on`, written to `*out` (scale 2).
///
/// # Safety
/// `policy` is NULL or live; `out` and `err` are NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn payrules_monthly_bonus(
    policy: *const payrules_policy,
    grade: u32,
    on: payrules_date,
    out: *mut payrules_decimal,
    err: *mut *mut payrules_error,
) -> u32 {
    // SAFETY: forwarded.
    unsafe {
        amount(policy, on, out, err, "monthly_bonus", |p| {
            Ok(p.monthly_bonus.amount(enum_arg!(Grade, grade, "grade")?))
        })
    }
}

/// The full annual performance bonus for `grade` (a `PAYRULES_GRADE_*`)
/// under the policy version in force on `on`, written to `*out` (scale 2).
///
/// # Safety
/// As `payrules_monthly_bonus`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn payrules_annual_bonus(
    policy: *const payrules_policy,
    grade: u32,
    on: payrules_date,
    out: *mut payrules_decimal,
    err: *mut *mut payrules_error,
) -> u32 {
    // SAFETY: forwarded.
    unsafe {
        amount(policy, on, out, err, "annual_bonus", |p| {
            Ok(p.annual_bonus.amount(enum_arg!(Grade, grade, "grade")?))
        })
    }
}

/// The award for one honour of `level` (a `PAYRULES_HONOUR_*`) under the
/// policy version in force on `on`, written to `*out` (scale 2).
///
/// # Safety
/// As `payrules_monthly_bonus`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn payrules_honour_award(
    policy: *const payrules_policy,
    level: u32,
    on: payrules_date,
    out: *mut payrules_decimal,
    err: *mut *mut payrules_error,
) -> u32 {
    // SAFETY: forwarded.
    unsafe {
        amount(policy, on, out, err, "honour_award", |p| {
            Ok(p.honours.amount(enum_arg!(HonourLevel, level, "level")?))
        })
    }
}

/// The full monthly title allowance for `title` (a `PAYRULES_TITLE_*`)
/// under the policy version in force on `on`, written to `*out` (scale 2).
///
/// # Safety
/// As `payrules_monthly_bonus`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn payrules_title_allowance(
    policy: *const payrules_policy,
    title: u32,
    on: payrules_date,
    out: *mut payrules_decimal,
    err: *mut *mut payrules_error,
) -> u32 {
    // SAFETY: forwarded.
    unsafe {
        amount(policy, on, out, err, "title_allowance", |p| {
            Ok(p.title_allowance(enum_arg!(Title, title, "title")?))
        })
    }
}
