//! Policy handles.

use super::{
    Fail, PAYRULES_INVALID_POLICY, PAYRULES_NO_POLICY_VERSION, boundary, bytes, date, guard,
    into_c_string, payrules_date, payrules_error, utf8, write_buf, write_opt,
};
use crate::policy::{Policy, PolicyError, PolicySet};
use std::ffi::c_char;

/// A validated policy with all its versions. Immutable once made: one
/// handle may be shared by any number of threads at once. Made by
/// `payrules_policy_builtin` or `payrules_policy_from_toml`, owned by the
/// caller, freed with `payrules_policy_free` once no thread uses it.
pub struct payrules_policy {
    pub(crate) set: PolicySet,
}

// The handle is shared across threads by C callers: it must stay Send + Sync.
const _: () = {
    const fn assert_send_sync<T: Send + Sync>() {}
    assert_send_sync::<payrules_policy>();
};

/// The policy behind a handle.
///
/// # Safety
/// `p` is NULL or a live handle.
pub(crate) unsafe fn policy_ref<'a>(p: *const payrules_policy) -> Result<&'a PolicySet, Fail> {
    // SAFETY: NULL or live, by the caller's promise.
    unsafe { p.as_ref() }
        .map(|p| &p.set)
        .ok_or_else(|| Fail::null("policy"))
}

/// The version of `set` in force on `on`.
pub(crate) fn version_on(set: &PolicySet, on: payrules_date) -> Result<&Policy, Fail> {
    let day = date(on, "date")?;
    set.version_on(day).map_err(policy_fail)
}

pub(crate) fn policy_fail(e: PolicyError) -> Fail {
    let status = match e {
        PolicyError::NoVersion { .. } => PAYRULES_NO_POLICY_VERSION,
        PolicyError::Toml(_) | PolicyError::Invalid(_) => PAYRULES_INVALID_POLICY,
    };
    Fail::new(status, e.to_string())
}

/// Makes a handle on the built-in policy (Gulou district) and writes it to
/// `*out`. Free it with `payrules_policy_free`.
///
/// # Safety
/// `out` is NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn payrules_policy_builtin(out: *mut *mut payrules_policy) -> u32 {
    boundary(std::ptr::null_mut(), || {
        if out.is_null() {
            return Err(Fail::null("out"));
        }
        let h = Box::new(payrules_policy {
            set: PolicySet::builtin(),
        });
        // SAFETY: not NULL; writable by the caller's promise.
        unsafe { out.write(Box::into_raw(h)) };
        Ok(())
    })
}

/// Reads a policy from `len` bytes of UTF-8 TOML at `text` (no terminating
/// NUL needed; `text` must not be NULL, even when `len` is 0), validates it
/// and writes a new handle to `*out`, which the caller frees with
/// `payrules_policy_free`. On `PAYRULES_INVALID_POLICY`, `*err` lists every
/// problem, each with its TOML path.
///
/// # Safety
/// `text` is NULL or has `len` readable bytes; `out` is NULL or writable;
/// `err` is NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn payrules_policy_from_toml(
    text: *const c_char,
    len: usize,
    out: *mut *mut payrules_policy,
    err: *mut *mut payrules_error,
) -> u32 {
    boundary(err, || {
        if text.is_null() {
            return Err(Fail::null("text"));
        }
        // SAFETY: forwarded from the caller's promise.
        let b = unsafe { bytes(text, len, "text") }?;
        let t = utf8(b, "policy text")?;
        if out.is_null() {
            return Err(Fail::null("out"));
        }
        let set = PolicySet::from_toml(t).map_err(policy_fail)?;
        // SAFETY: not NULL; writable by the caller's promise.
        unsafe { out.write(Box::into_raw(Box::new(payrules_policy { set }))) };
        Ok(())
    })
}

/// Frees a policy handle. NULL is accepted and ignored. No thread may use
/// the handle afterwards.
///
/// # Safety
/// `policy` is NULL or a handle not yet freed.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn payrules_policy_free(policy: *mut payrules_policy) {
    guard((), || {
        if !policy.is_null() {
            // SAFETY: made by `Box::into_raw` here, freed once.
            drop(unsafe { Box::from_raw(policy) });
        }
    })
}

/// Copies the policy's id (such as `"gulou"`), NUL-terminated, into `buf`
/// of `len` bytes. `*needed` (when not NULL) receives the size needed, NUL
/// included, on `PAYRULES_OK` and `PAYRULES_BUFFER_TOO_SMALL`.
///
/// # Safety
/// `policy` is NULL or live; `buf` is NULL or has `len` writable bytes;
/// `needed` is NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn payrules_policy_id(
    policy: *const payrules_policy,
    buf: *mut c_char,
    len: usize,
    needed: *mut usize,
) -> u32 {
    guard(super::PAYRULES_PANIC, || {
        // SAFETY: forwarded from the caller's promise.
        match unsafe { policy_ref(policy) } {
            // SAFETY: forwarded from the caller's promise.
            Ok(set) => unsafe { write_buf(&set.id, buf, len, needed) },
            Err(f) => f.status,
        }
    })
}

/// Copies the label of the policy version in force on `on` (such as
/// `"2018"`), NUL-terminated, into `buf` of `len` bytes; `*needed` as for
/// `payrules_policy_id`. `PAYRULES_NO_POLICY_VERSION` when none is in force.
///
/// # Safety
/// As `payrules_policy_id`; `err` is NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn payrules_policy_version_on(
    policy: *const payrules_policy,
    on: payrules_date,
    buf: *mut c_char,
    len: usize,
    needed: *mut usize,
    err: *mut *mut payrules_error,
) -> u32 {
    let mut status = super::PAYRULES_OK;
    let outer = boundary(err, || {
        // SAFETY: forwarded from the caller's promise.
        let set = unsafe { policy_ref(policy) }?;
        let v = version_on(set, on)?;
        // SAFETY: forwarded from the caller's promise.
        status = unsafe { write_buf(&v.version, buf, len, needed) };
        Ok(())
    });
    if outer != super::PAYRULES_OK {
        outer
    } else {
        status
    }
}

/// Writes the whole policy as TOML (which `payrules_policy_from_toml` reads
/// back unchanged) to `*out`, a new NUL-terminated string the caller frees
/// with `payrules_string_free`; `*out_len` (when not NULL) receives its
/// length without the NUL.
///
/// # Safety
/// `policy` is NULL or live; `out` is NULL or writable; `out_len` is NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn payrules_policy_to_toml(
    policy: *const payrules_policy,
    out: *mut *mut c_char,
    out_len: *mut usize,
) -> u32 {
    boundary(std::ptr::null_mut(), || {
        // SAFETY: forwarded from the caller's promise.
        let set = unsafe { policy_ref(policy) }?;
        if out.is_null() {
            return Err(Fail::null("out"));
        }
        let (p, n) = into_c_string(set.to_toml(), "policy TOML")?;
        // SAFETY: not NULL / NULL-checked; writable by the caller's promise.
        unsafe {
            out.write(p);
            write_opt(out_len, n);
        }
        Ok(())
    })
}
