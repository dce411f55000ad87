//! Bounds on what payrules reads, so that a small hostile input cannot make
//! it allocate without end or flood a terminal. (Sheets have their own,
//! in `hrfile::limits`.) This module sits below the engine: it names no
//! module but `worker`, and its checks return messages for the caller's
//! error type.
//!
//! - A cell or field is at most [`MAX_FIELD`] bytes (64 KiB), in HR files
//!   and in the worker, assessment and honour fields of a JSON run or
//!   what-if request alike.
//! - A JSON request, and any file the CLI reads, is at most [`MAX_REQUEST`]
//!   bytes (1 GiB); a larger one is refused before it is read.
//! - A message quotes at most [`QUOTE_CHARS`] characters of an offending
//!   value ([`quote`], [`json_error`]).

use crate::worker::{AssessmentRecord, HonourRecord, WorkerRecord};
#[cfg(feature = "cli")]
use std::io::{self, Read};
#[cfg(feature = "cli")]
use std::path::Path;

/// The longest cell or field accepted, in bytes (64 KiB). No field of an
/// HR file or request comes near it; a longer one is a pasted document or a
/// broken export.
pub const MAX_FIELD: usize = 64 * 1024;
/// The largest JSON run request read, in bytes (1 GiB).
pub const MAX_REQUEST: usize = 1 << 30;
/// The most characters of a value a message quotes.
pub const QUOTE_CHARS: usize = 100;

/// `s` for a message: at most [`QUOTE_CHARS`] characters, then `…` and the
/// size of the whole.
pub fn quote(s: &str) -> String {
    match s.char_indices().nth(QUOTE_CHARS) {
        None => s.to_string(),
        Some((i, _)) => format!("{}… ({} bytes in all)", &s[..i], s.len()),
    }
}

/// Everything from `r`, refused past [`MAX_REQUEST`] bytes.
#[cfg(feature = "cli")]
pub fn read_all(r: impl Read) -> io::Result<Vec<u8>> {
    let mut buf = Vec::new();
    r.take(MAX_REQUEST as u64 + 1).read_to_end(&mut buf)?;
    if buf.len() > MAX_REQUEST {
        return Err(too_large());
    }
    Ok(buf)
}

/// The file at `path`, refused (before reading it) past [`MAX_REQUEST`] bytes.
#[cfg(feature = "cli")]
pub fn read_file(path: &Path) -> io::Result<Vec<u8>> {
    let f = std::fs::File::open(path)?;
    if f.metadata()?.len() > MAX_REQUEST as u64 {
        return Err(too_large());
    }
    read_all(f)
}

/// The file at `path`, open, and its length; refused (before reading it)
/// past [`MAX_REQUEST`] bytes, and while being read should it grow past them.
#[cfg(feature = "cli")]
pub fn open_file(path: &Path) -> io::Result<(Bounded<std::fs::File>, u64)> {
    let f = std::fs::File::open(path)?;
    let len = f.metadata()?.len();
    if len > MAX_REQUEST as u64 {
        return Err(too_large());
    }
    Ok((Bounded { inner: f, read: 0 }, len))
}

/// A reader that fails once more than [`MAX_REQUEST`] bytes are read.
#[cfg(feature = "cli")]
pub struct Bounded<R> {
    inner: R,
    read: usize,
}

#[cfg(feature = "cli")]
impl<R: Read> Read for Bounded<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.read += n;
        if self.read > MAX_REQUEST {
            return Err(too_large());
        }
        Ok(n)
    }
}

#[cfg(feature = "cli")]
fn too_large() -> io::Error {
    io::Error::new(
        io::ErrorKind::FileTooLarge,
        format!("larger than 1 GiB; payrules reads at most {MAX_REQUEST} bytes"),
    )
}

/// A request of at most [`MAX_REQUEST`] bytes.
pub fn check_request_size(request: &[u8]) -> Result<(), String> {
    if request.len() > MAX_REQUEST {
        return Err(format!(
            "the request is {} bytes; at most {MAX_REQUEST} (1 GiB) are read",
            request.len()
        ));
    }
    Ok(())
}

/// One field of a request record at most [`MAX_FIELD`] bytes: `what[i].field`.
pub fn check_field(what: &str, i: usize, field: &str, v: &str) -> Result<(), String> {
    if v.len() > MAX_FIELD {
        Err(format!(
            "{what}[{i}].{field}: {} bytes; at most {MAX_FIELD} bytes a field (starts {:?})",
            v.len(),
            quote(v)
        ))
    } else {
        Ok(())
    }
}

/// Each worker, assessment and honour field (and the period) of a run or
/// what-if request at most [`MAX_FIELD`] bytes.
pub fn check_fields(
    period: &str,
    workers: &[WorkerRecord],
    assessments: &[AssessmentRecord],
    honours: &[HonourRecord],
) -> Result<(), String> {
    let check = check_field;
    check("request", 0, "period", period)?;
    for (i, w) in workers.iter().enumerate() {
        for (f, v) in [
            ("id", w.id.as_str()),
            ("name", &w.name),
            ("unit", &w.unit),
            ("position", &w.position),
            ("title", &w.title),
            ("hired_on", &w.hired_on),
            ("left_on", w.left_on.as_deref().unwrap_or("")),
            (
                "probation_until",
                w.probation_until.as_deref().unwrap_or(""),
            ),
        ] {
            check("workers", i, f, v)?;
        }
    }
    for (i, a) in assessments.iter().enumerate() {
        for (f, v) in [
            ("worker_id", a.worker_id.as_str()),
            ("period", &a.period),
            ("grade", a.grade.as_deref().unwrap_or("")),
            ("score", a.score.as_deref().unwrap_or("")),
        ] {
            check("assessments", i, f, v)?;
        }
    }
    for (i, h) in honours.iter().enumerate() {
        for (f, v) in [
            ("worker_id", h.worker_id.as_str()),
            ("level", &h.level),
            ("awarded_on", &h.awarded_on),
            ("deed", h.deed.as_deref().unwrap_or("")),
            ("paid", h.paid.as_deref().unwrap_or("")),
        ] {
            check("honours", i, f, v)?;
        }
    }
    Ok(())
}

/// Each field of `changes` records at most [`MAX_FIELD`] bytes.
pub fn check_change_fields(changes: &[crate::worker::ChangeRecord]) -> Result<(), String> {
    for (i, c) in changes.iter().enumerate() {
        for (f, v) in [
            ("worker_id", Some(&c.worker_id)),
            ("on", Some(&c.on)),
            ("position", c.position.as_ref()),
            ("title", c.title.as_ref()),
            ("unit", c.unit.as_ref()),
        ] {
            if let Some(v) = v {
                check_field("changes", i, f, v)?;
            }
        }
    }
    Ok(())
}

/// A serde_json error for a message: serde quotes an offending value whole,
/// so a long message keeps only the start of it (and the line and column).
pub fn json_error(e: &serde_json::Error) -> String {
    let m = e.to_string();
    match m.rfind(" at line ") {
        Some(i) if m.len() > 2 * QUOTE_CHARS => format!("{}{}", quote(&m[..i]), &m[i..]),
        _ => m,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quotes_are_short() {
        assert_eq!(quote("abc"), "abc");
        let long = "林".repeat(500);
        let q = quote(&long);
        assert!(q.starts_with(&"林".repeat(100)));
        assert!(q.ends_with("… (1500 bytes in all)"), "{q}");
    }
}
