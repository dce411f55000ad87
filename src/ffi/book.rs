//! Payroll book handles (feature `book`): a book file opened once, then
//! driven by JSON commands (`crate::book::run_command`).

use super::json::{LISTED, request_fail};
use super::{
    Fail, PAYRULES_BOOK_BUSY, PAYRULES_BOOK_IO, PAYRULES_BOOK_REFUSED, PAYRULES_INPUT_ERRORS,
    PAYRULES_INVALID_REQUEST, boundary, bytes, c_str, guard, into_c_string, payrules_error, utf8,
    write_opt,
};
use crate::book::{Book, BookError, run_command};
use std::ffi::c_char;
use std::path::Path;
use std::sync::Mutex;

/// An open payroll book (a SQLite file). Made by `payrules_book_open` or
/// `payrules_book_create`, owned by the caller, freed with
/// `payrules_book_free`. A handle may be passed between threads and used by
/// several at once: its calls are serialised (each waits for the one
/// running). Two handles (or processes) on one file are safe too: a writer
/// that finds the file being written gets `PAYRULES_BOOK_BUSY`.
pub struct payrules_book {
    book: Mutex<Book>,
}

// C callers share the handle across threads: it must stay Send + Sync.
const _: () = {
    const fn assert_send_sync<T: Send + Sync>() {}
    assert_send_sync::<payrules_book>();
};

/// A book's refusal or failure as a status and message.
pub(crate) fn book_fail(e: BookError) -> Fail {
    let status = match e {
        BookError::Request(r) => return request_fail(r),
        BookError::Command(_) => PAYRULES_INVALID_REQUEST,
        BookError::Busy => PAYRULES_BOOK_BUSY,
        BookError::Missing(_)
        | BookError::NotABook(_)
        | BookError::Newer { .. }
        | BookError::Corrupt(_)
        | BookError::Sql(_) => PAYRULES_BOOK_IO,
        BookError::Exists(_)
        | BookError::Closed(_)
        | BookError::NotPaid(_)
        | BookError::Order { .. }
        | BookError::InputErrors { .. }
        | BookError::Invalid(_) => PAYRULES_BOOK_REFUSED,
    };
    Fail::new(status, e.to_string())
}

/// Writes a new handle on `book` to `*out`.
///
/// # Safety
/// `out` is not NULL and writable.
unsafe fn hand_out(out: *mut *mut payrules_book, book: Book) {
    let h = Box::new(payrules_book {
        book: Mutex::new(book),
    });
    // SAFETY: checked not NULL by the callers; writable by the caller's promise.
    unsafe { out.write(Box::into_raw(h)) };
}

/// Opens the payroll book at `path` (a NUL-terminated UTF-8 file name) and
/// writes a new handle to `*out`, which the caller frees with
/// `payrules_book_free`.
///
/// Fails with `PAYRULES_BOOK_IO` when there is no book at `path`, the file
/// is not a book, is damaged, or was written by a newer payrules (the
/// message says which); `PAYRULES_BOOK_BUSY` when another writer holds it.
/// Available when the library is built with the `book` feature (the
/// default build, and the C and Python builds of this repository).
///
/// # Safety
/// `path` is NULL or a NUL-terminated string; `out` and `err` are NULL or
/// writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn payrules_book_open(
    path: *const c_char,
    out: *mut *mut payrules_book,
    err: *mut *mut payrules_error,
) -> u32 {
    boundary(err, || {
        // SAFETY: forwarded from the caller's promise.
        let path = unsafe { c_str(path, "path") }?;
        if out.is_null() {
            return Err(Fail::null("out"));
        }
        let book = Book::open(Path::new(path)).map_err(book_fail)?;
        // SAFETY: `out` is not NULL; writable by the caller's promise.
        unsafe { hand_out(out, book) };
        Ok(())
    })
}

/// Creates a new payroll book at `path` (a NUL-terminated UTF-8 file name
/// that must not exist yet) with a policy (`policy_toml_or_null`: the
/// NUL-terminated TOML text of a policy file; NULL for the built-in
/// policy), and writes a handle on it to `*out`, which the caller frees
/// with `payrules_book_free`.
///
/// Fails with `PAYRULES_BOOK_REFUSED` when `path` exists,
/// `PAYRULES_INVALID_POLICY` when the policy is not valid, `PAYRULES_BOOK_IO`
/// when the file cannot be written.
///
/// # Safety
/// `path` is NULL or a NUL-terminated string; `policy_toml_or_null` is NULL
/// or a NUL-terminated string; `out` and `err` are NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn payrules_book_create(
    path: *const c_char,
    policy_toml_or_null: *const c_char,
    out: *mut *mut payrules_book,
    err: *mut *mut payrules_error,
) -> u32 {
    boundary(err, || {
        // SAFETY: forwarded from the caller's promise.
        let path = unsafe { c_str(path, "path") }?;
        let policy = if policy_toml_or_null.is_null() {
            None
        } else {
            // SAFETY: not NULL; NUL-terminated by the caller's promise.
            Some(unsafe { c_str(policy_toml_or_null, "policy_toml_or_null") }?)
        };
        if out.is_null() {
            return Err(Fail::null("out"));
        }
        let book = Book::init(Path::new(path), policy).map_err(book_fail)?;
        // SAFETY: `out` is not NULL; writable by the caller's promise.
        unsafe { hand_out(out, book) };
        Ok(())
    })
}

/// Closes a book handle. NULL is accepted and ignored.
///
/// # Safety
/// `book` is NULL or a handle from payrules not yet freed, used by no
/// other thread.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn payrules_book_free(book: *mut payrules_book) {
    guard((), || {
        if !book.is_null() {
            // SAFETY: made by `Box::into_raw` in `hand_out`, freed once.
            drop(unsafe { Box::from_raw(book) });
        }
    })
}

/// Runs one command on a book: `len` bytes of UTF-8 JSON at `command` (no
/// NUL needed) in, a JSON response out. Every amount in a response is a
/// decimal string (`"1300.00"`), never a JSON number.
///
/// Commands (`op`) and their responses:
/// - `{"op":"pay","request":{…}}` pays a month (a monthly request
///   document as `payrules_run_json` reads it, without `policy`, `ytd` or
///   `adjustments`: the book supplies them; `kind` may be left out) and
///   stores it as the month's draft: `{"stored":true,"adjustments":N,
///   "replaced":B,"run":{…the run's response document…}}`;
/// - `{"op":"annual","request":{…}}`: the annual bonus, answered the same;
/// - `{"op":"close","period":"2026-11"}`: `{"period","seq","digest","workers"}`;
/// - `{"op":"correct","period":"2026-09","reason":"…","workers":[…],
///   "assessments":[…],"honours":[…]}` (each list optional, replacing the
///   stored one) recomputes a closed month; `{"op":"correct_policy",
///   "policy":"…TOML…","from":"2026-10","reason":"…"}` adopts a policy
///   retroactively. Both answer `{"adjustments":[…],"lines":[{"worker_id",
///   "period","line","amount","explain"}],"totals":{"arrears","recovery"}}`;
///   the next pay pays them;
/// - `{"op":"history","worker_id":"W1"}`: `{"worker_id","periods":[{"period",
///   "status","unit","lines":{code:amount},"gross","net","tax_withheld_ytd"}],
///   "corrections":[…]}`;
/// - `{"op":"report","year":2026}`: `{"year","rows":[{"period","status","unit",
///   "workers","by_code","gross"}]}`;
/// - `{"op":"verify"}`: `{"ok","months","problems":[{"period","message"}]}`;
/// - `{"op":"months"}`: `{"months":[{"period","kind","status","workers",
///   "policy_version","closed_at"}]}`;
/// - `{"op":"states","year":2026}`: `{"year","ytd":[…]}`;
///   `{"op":"import_ytd","through":"2026-06","ytd":[…]}`: `{"imported":N}`;
/// - `{"op":"policy"}`: `{"policy":"…TOML…"}`.
///
/// Returns:
/// - `PAYRULES_OK`: done; `*response` holds the response;
/// - `PAYRULES_INPUT_ERRORS` (pay, annual): the run has input errors and
///   nothing was stored; `*response` holds `"stored": false` and the run's
///   response listing them; `*err` summarises them;
/// - `PAYRULES_BOOK_REFUSED`: the book refused (a closed month, months out
///   of order, a month never paid, an empty reason…); nothing changed;
/// - `PAYRULES_BOOK_BUSY`: another writer holds the book; try again;
/// - `PAYRULES_BOOK_IO`: the book file could not be read or written;
/// - `PAYRULES_INVALID_REQUEST`, `PAYRULES_INVALID_POLICY`,
///   `PAYRULES_INVALID_UTF8`…: the command could not be read.
///
/// On any status but the first two nothing is written to `*response`.
/// `*response` is a new NUL-terminated string the caller frees with
/// `payrules_string_free`; `*response_len` (when not NULL) its length
/// without the NUL.
///
/// # Safety
/// `book` is NULL or a live handle; `command` is NULL or has `len` readable
/// bytes; `response`, `response_len` and `err` are NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn payrules_book_json(
    book: *mut payrules_book,
    command: *const c_char,
    len: usize,
    response: *mut *mut c_char,
    response_len: *mut usize,
    err: *mut *mut payrules_error,
) -> u32 {
    boundary(err, || {
        // SAFETY: NULL or live, by the caller's promise.
        let Some(h) = (unsafe { book.as_ref() }) else {
            return Err(Fail::null("book"));
        };
        if command.is_null() {
            return Err(Fail::null("command"));
        }
        // SAFETY: forwarded from the caller's promise.
        let b = unsafe { bytes(command, len, "command") }?;
        utf8(b, "command")?;
        if response.is_null() {
            return Err(Fail::null("response"));
        }
        // A panic while the lock was held leaves the book as it was (every
        // change is one transaction): the handle stays usable.
        let mut locked = h.book.lock().unwrap_or_else(|p| p.into_inner());
        let reply = run_command(&mut locked, b).map_err(book_fail)?;
        drop(locked);
        let (p, n) = into_c_string(reply.json, "response")?;
        // SAFETY: NULL-checked; writable by the caller's promise.
        unsafe {
            response.write(p);
            write_opt(response_len, n);
        }
        if reply.errors.is_empty() {
            return Ok(());
        }
        let mut msg = format!(
            "nothing stored: the run has {} input error(s); correct the inputs and pay again:",
            reply.errors.len()
        );
        for e in reply.errors.iter().take(LISTED) {
            msg.push_str("\n  - ");
            msg.push_str(e);
        }
        if reply.errors.len() > LISTED {
            msg.push_str(&format!("\n  … and {} more", reply.errors.len() - LISTED));
        }
        Err(Fail::new(PAYRULES_INPUT_ERRORS, msg))
    })
}
