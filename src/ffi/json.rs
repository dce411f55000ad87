//! Whole runs as JSON documents.

use super::policy::{payrules_policy, policy_fail};
use super::{
    Fail, PAYRULES_INPUT_ERRORS, PAYRULES_INVALID_REQUEST, boundary, bytes, into_c_string,
    payrules_error, utf8, write_opt,
};
use crate::contract;
use crate::run::RequestError;
use std::ffi::c_char;

/// Most input errors listed in a `PAYRULES_INPUT_ERRORS` message (the
/// response lists them all).
pub(crate) const LISTED: usize = 50;

pub(crate) fn request_fail(e: RequestError) -> Fail {
    match e {
        RequestError::Policy(p) => policy_fail(p),
        e => Fail::new(PAYRULES_INVALID_REQUEST, e.to_string()),
    }
}

/// Runs a whole request, the same JSON documents as `payrules run` (see the
/// README, "The JSON documents"): `len` bytes of UTF-8 JSON at `request`
/// (no NUL needed) in, the response document out.
///
/// The policy is the request's own `policy` text when it has one, else
/// `policy_or_null`, else (NULL) the built-in policy.
///
/// Returns, like the CLI's exit codes 0 / 2 / 1:
/// - `PAYRULES_OK`: the run was complete; `*response` holds the response;
/// - `PAYRULES_INPUT_ERRORS`: the response was written, with `"complete":
///   false` and the errors listed; `*err` summarises them;
/// - any other status: the request could not be run (not UTF-8, not a run
///   document, bad period or policy, no policy version); nothing is written
///   to `*response`.
///
/// `*response` receives a new NUL-terminated string (the document exactly as
/// `payrules run` prints it, without the final newline) that the caller
/// frees with `payrules_string_free`; `*response_len` (when not NULL) its
/// length without the NUL.
///
/// # Safety
/// `policy_or_null` is NULL or live; `request` is NULL or has `len` readable
/// bytes; `response`, `response_len` and `err` are NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn payrules_run_json(
    policy_or_null: *const payrules_policy,
    request: *const c_char,
    len: usize,
    response: *mut *mut c_char,
    response_len: *mut usize,
    err: *mut *mut payrules_error,
) -> u32 {
    boundary(err, || {
        // SAFETY: NULL or live, by the caller's promise.
        let set = unsafe { policy_or_null.as_ref() }.map(|p| &p.set);
        if request.is_null() {
            return Err(Fail::null("request"));
        }
        // SAFETY: forwarded from the caller's promise.
        let b = unsafe { bytes(request, len, "request") }?;
        utf8(b, "request")?;
        if response.is_null() {
            return Err(Fail::null("response"));
        }
        // The same documents as `payrules run`: monthly and annual runs, and
        // what-if comparisons.
        let doc = contract::Document::parse(b).map_err(request_fail)?;
        let out = doc.run(set).map_err(request_fail)?;
        let errors: Vec<String> = match out.input_errors() {
            Some(errors) => errors.iter().map(|e| e.to_string()).collect(),
            None if out.complete() => vec![],
            None => vec!["see the response's errors".to_string()],
        };
        let json = out.to_json();
        let (p, n) = into_c_string(json, "response")?;
        // SAFETY: NULL-checked; writable by the caller's promise.
        unsafe {
            response.write(p);
            write_opt(response_len, n);
        }
        if errors.is_empty() {
            return Ok(());
        }
        let mut msg = format!(
            "the run has {} input error(s); the response lists them with \"complete\": false:",
            errors.len()
        );
        for e in errors.iter().take(LISTED) {
            msg.push_str("\n  - ");
            msg.push_str(e);
        }
        if errors.len() > LISTED {
            msg.push_str(&format!("\n  … and {} more", errors.len() - LISTED));
        }
        Err(Fail::new(PAYRULES_INPUT_ERRORS, msg))
    })
}
