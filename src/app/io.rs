//! Reading inputs, loading the policy, writing outputs, and progress.

use super::*;

pub(super) fn read_input(path: &Path) -> Result<Vec<u8>, Fail> {
    if path.as_os_str() == "-" {
        return crate::limits::read_all(std::io::stdin())
            .map_err(|e| Fail(format!("cannot read standard input: {e}"), 1));
    }
    crate::limits::read_file(path)
        .map_err(|e| Fail(format!("cannot read {}: {e}", path.display()), 1))
}

/// A file (or standard input, `-`) to read as a table: a file is read as
/// the table needs it (a CSV file a chunk at a time), standard input whole.
pub(super) fn open_input(path: &Path) -> Result<hrfile::Input, Fail> {
    if path.as_os_str() == "-" {
        return read_input(path).map(hrfile::Input::Bytes);
    }
    let (file, len) = crate::limits::open_file(path)
        .map_err(|e| Fail(format!("cannot read {}: {e}", path.display()), 1))?;
    Ok(hrfile::Input::Reader(Box::new(file), len))
}

pub(super) fn load_policy(path: Option<&Path>) -> Result<PolicySet, Fail> {
    match path {
        None => Ok(PolicySet::builtin()),
        Some(p) => {
            let bytes = read_input(p)?;
            let text = String::from_utf8(bytes)
                .map_err(|_| Fail(format!("{}: policy is not UTF-8 text", p.display()), 1))?;
            PolicySet::from_toml(&text).map_err(|e| Fail(format!("{}: {e}", p.display()), 1))
        }
    }
}

/// Writes `text` to `path` completely or not at all (temporary file, then rename).
pub(super) fn write_output(con: &mut Console, path: Option<&Path>, text: &str) -> Result<(), Fail> {
    write_output_mode(con, path, text, None)
}

/// [`write_output`], a new file getting `mode`.
pub(super) fn write_output_mode(
    con: &mut Console,
    path: Option<&Path>,
    text: &str,
    mode: Option<u32>,
) -> Result<(), Fail> {
    match path {
        None => {
            let out = &mut con.out;
            out.write_all(text.as_bytes())
                .and_then(|_| out.write_all(b"\n"))
                .and_then(|_| out.flush())
                .map_err(|e| Fail(format!("cannot write standard output: {e}"), 1))
        }
        Some(p) => write::write_atomic_mode(p, mode, |out| {
            out.write_all(text.as_bytes())?;
            out.write_all(b"\n")
        })
        .map_err(|e| Fail(format!("cannot write {}: {e}", p.display()), 1)),
    }
}

pub(super) fn today() -> chrono::NaiveDate {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    let epoch = chrono::NaiveDate::from_ymd_opt(1970, 1, 1).unwrap_or_default();
    epoch + chrono::Duration::days((secs / 86_400) as i64)
}

/// A progress bar on stderr for inputs over 10,000 rows, only when stderr is a terminal.
pub(super) struct Bar {
    on: bool,
    shown: bool,
}

impl Bar {
    pub(super) fn new() -> Bar {
        Bar {
            on: std::io::stderr().is_terminal(),
            shown: false,
        }
    }
    /// A bar that shows nothing (for a file read beside another).
    pub(super) fn off() -> Bar {
        Bar {
            on: false,
            shown: false,
        }
    }
    pub(super) fn tick(&mut self, file: &str, rows: usize, frac: f64) {
        if !self.on || rows <= 10_000 {
            return;
        }
        let pct = (frac.clamp(0.0, 1.0) * 100.0) as usize;
        let fill = pct * 30 / 100;
        eprint!(
            "\r{file}: [{}{}] {pct:3}% {rows} rows",
            "#".repeat(fill),
            " ".repeat(30 - fill)
        );
        self.shown = true;
        if frac >= 1.0 {
            eprintln!();
            self.shown = false;
        }
    }
}

pub(super) fn print_problems(con: &mut Console, problems: &[FileProblem]) {
    for p in problems {
        errln!(con, "{p}");
    }
}

/// Reads one input file with the progress bar; structural problems go to `errors`.
pub(super) fn read_file<T>(
    path: &Path,
    errors: &mut Vec<FileProblem>,
    bar: &mut Bar,
    read: impl FnOnce(&str, hrfile::Input, hrfile::Progress) -> Result<T, Vec<FileProblem>>,
) -> Result<Option<T>, Fail> {
    let input = open_input(path)?;
    let name = path.display().to_string();
    let mut tick = |f: &str, rows: usize, frac: f64| bar.tick(f, rows, frac);
    match read(&name, input, Some(&mut tick)) {
        Ok(t) => Ok(Some(t)),
        Err(ps) => {
            errors.extend(ps);
            Ok(None)
        }
    }
}
