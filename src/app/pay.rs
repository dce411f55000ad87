//! `monthly` and `annual`: pay a period from HR files (or the example district).

use super::*;
use crate::run::packed::Packed;

/// The payroll's format: `--format`, else the `--output` extension, else
/// the table; a workbook is refused on a terminal.
pub(super) fn out_format(files: &Files, terminal: bool) -> Result<OutFormat, Fail> {
    let format = format_of(files);
    if format == OutFormat::Xlsx && files.output.is_none() && terminal {
        return Err(Fail(
            "--format xlsx writes a workbook; give --output FILE.xlsx".into(),
            1,
        ));
    }
    Ok(format)
}

fn format_of(files: &Files) -> OutFormat {
    if let Some(f) = files.format {
        return f;
    }
    let ext = files
        .output
        .as_deref()
        .and_then(Path::extension)
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase);
    match ext.as_deref() {
        Some("csv") => OutFormat::Csv,
        Some("json") => OutFormat::Json,
        Some("xlsx") => OutFormat::Xlsx,
        Some("html" | "htm") => OutFormat::Slips,
        _ => OutFormat::Table,
    }
}

/// Writes the payroll in `format`, with the sheets' extras; JSON gets a `not_paid` list when
/// any roster row is not paid.
pub(super) fn render_with(
    run: &crate::run::Run,
    rows: &write::PayRows,
    format: OutFormat,
    extras: &write::Extras,
    style: write::CsvStyle,
    out: &mut dyn Write,
) -> std::io::Result<()> {
    match format {
        OutFormat::Table => write::table(run, rows, out),
        OutFormat::Csv => write::csv_styled(run, rows, style, out),
        OutFormat::Json => {
            let mut json = run.to_json();
            if !extras.not_paid.is_empty() {
                // The response is a pretty-printed object: add the list as
                // its last member.
                let list = serde_json::to_string_pretty(&hrfile::accounted::not_paid_json(
                    &extras.not_paid,
                ))
                .map_err(std::io::Error::other)?
                .replace('\n', "\n  ");
                if let Some(end) = json.rfind('}') {
                    json.truncate(end);
                    let body = json.trim_end().to_string();
                    json = format!("{body},\n  \"not_paid\": {list}\n}}");
                }
            }
            out.write_all(json.as_bytes())?;
            out.write_all(b"\n")
        }
        OutFormat::Xlsx => out.write_all(&write::xlsx_with(run, rows, extras)?),
        OutFormat::Summary => hrfile::finance::Finance::new(run, rows).table(out),
        OutFormat::Slips => hrfile::slips::html(run, rows, out),
    }
}

/// Adds the bank transfer file to `set`: XLSX by the extension, else CSV
/// in the style's encoding (a byte-order mark with UTF-8 unless --no-bom).
pub(super) fn add_bank_file(
    set: &mut hrfile::output::CommitSet,
    path: &Path,
    rows: &[hrfile::bank::BankRow],
    style: write::CsvStyle,
) -> std::io::Result<()> {
    if hrfile::bank::is_xlsx(path) {
        let bytes = hrfile::bank::xlsx(rows)?;
        set.add(path, |o| o.write_all(&bytes))
    } else {
        set.add(path, |o| hrfile::bank::csv(rows, style.bom, style.gbk, o))
    }
}

pub(super) fn errors_path(output: &Path) -> PathBuf {
    let stem = output.file_stem().unwrap_or_default().to_string_lossy();
    output.with_file_name(format!("{stem}.errors.csv"))
}

/// Reads a run's HR files (or the example district) into a request; `Err`
/// with the exit code when the files had problems, which are printed.
///
/// `tax`: whether the run takes tax inputs (`monthly`, `annual`), from the
/// roster's tax columns, the file `tax_file` or the example; without it
/// (`whatif`, which compares gross pay) a roster's tax columns are a warning.
pub(super) fn load_sources(
    con: &mut Console,
    kind: Kind,
    period: String,
    src: &Sources,
    tax: bool,
    tax_file: Option<&Path>,
) -> Result<Result<Loaded, u8>, Fail> {
    let opts = ReadOptions {
        encoding: src.read.encoding,
        sheet: src.read.sheet.clone(),
        ignore_columns: src.read.ignore_columns.clone(),
    };
    let loaded = if src.example {
        let d = crate::example::district();
        // Monthly runs only: an annual run's bonus tax needs the year's
        // wages (ytd), which the example does not carry.
        let tax_records = if tax && kind == Kind::Monthly {
            d.tax.clone()
        } else {
            Vec::new()
        };
        let bank = d.bank.clone();
        let mut request = d.into_request(kind, period);
        request.tax = tax_records;
        let full = |_| Fail("the example district is too large to hold".into(), 1);
        let roster = Packed::from_vec(std::mem::take(&mut request.workers)).map_err(full)?;
        let assessments =
            Packed::from_vec(std::mem::take(&mut request.assessments)).map_err(full)?;
        Loaded {
            request,
            roster,
            assessments,
            origins: hrfile::Origins::default(),
            problems: Vec::new(),
            bank,
        }
    } else {
        let mut bar = Bar::new();
        let mut errors = Vec::new();
        let Some(roster_path) = src.roster.as_deref() else {
            return Err(Fail("give --roster FILE (or --example)".into(), 1));
        };
        // The roster and the assessments, the two large files, are read at
        // once, the assessments on a thread of their own (unless one is
        // standard input); their problems are listed in this order either way.
        let read_assessments =
            |errors: &mut Vec<FileProblem>, bar: &mut Bar| match src.assessments.as_deref() {
                Some(path) => read_file(path, errors, bar, |n, b, p| {
                    hrfile::read_assessments_packed(n, b, &opts, p)
                }),
                None => Ok(None),
            };
        let stdin = |p: Option<&Path>| p.is_some_and(|p| p.as_os_str() == "-");
        let (roster, assessments) = if stdin(Some(roster_path)) || stdin(src.assessments.as_deref())
        {
            let roster = read_file(roster_path, &mut errors, &mut bar, |n, b, p| {
                hrfile::read_roster_bank(n, b, &opts, p)
            })?;
            (roster, read_assessments(&mut errors, &mut bar)?)
        } else {
            std::thread::scope(|s| {
                let other = s.spawn(|| {
                    let mut errors = Vec::new();
                    let read = read_assessments(&mut errors, &mut Bar::off());
                    (read, errors)
                });
                let roster = read_file(roster_path, &mut errors, &mut bar, |n, b, p| {
                    hrfile::read_roster_bank(n, b, &opts, p)
                });
                let (assessments, more) = other
                    .join()
                    .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
                errors.extend(more);
                Ok::<_, Fail>((roster?, assessments?))
            })?
        };
        let honours = match src.honours.as_deref() {
            Some(path) => read_file(path, &mut errors, &mut bar, |n, b, p| {
                hrfile::read_honours(n, b, &opts, p)
            })?,
            None => None,
        };
        let changes = match src.changes.as_deref() {
            Some(path) => read_file(path, &mut errors, &mut bar, |n, b, p| {
                hrfile::read_changes(n, b, &opts, p)
            })?,
            None => None,
        };
        let tax_sheet = match tax_file {
            Some(path) => read_file(path, &mut errors, &mut bar, |n, b, p| {
                hrfile::read_tax(n, b, &opts, p)
            })?,
            None => None,
        };
        let Some(((roster, roster_tax), bank)) = roster.filter(|_| errors.is_empty()) else {
            print_problems(con, &errors);
            errln!(
                con,
                "payrules: {} problem(s) in the input files; no output written",
                errors.iter().filter(|p| !p.warning).count()
            );
            return Ok(Err(2));
        };
        let mut loaded = Loaded::new(kind, period, roster, assessments, honours);
        loaded.bank = bank;
        if let Some(c) = changes {
            loaded.problems.extend(c.problems);
            loaded.request.changes = c.records;
            loaded.origins.changes = Some(c.origin);
        }
        if tax {
            loaded.add_tax(roster_tax, tax_sheet);
            if kind == Kind::Annual && !loaded.request.tax.is_empty() {
                loaded.problems.push(FileProblem {
                    file: String::new(),
                    line: None,
                    column: None,
                    worker_id: None,
                    field: None,
                    message: "annual run with tax inputs but no year-to-date figures: the bonus is taxed as if no wages had been paid this year; for the year's figures run a JSON request with its ytd list (payrules run)".into(),
                    warning: true,
                });
            }
        } else if let Some(t) = roster_tax {
            loaded.problems.push(FileProblem {
                file: t.origin.file.clone(),
                line: None,
                column: None,
                worker_id: None,
                field: Some("tax".into()),
                message:
                    "the roster's tax columns are not used here (what-if runs compare gross pay)"
                        .into(),
                warning: true,
            });
        }
        loaded
    };
    Ok(Ok(loaded))
}

/// `monthly` and `annual`: files in, payroll out.
pub(super) fn pay(con: &mut Console, kind: Kind, period: String, files: Files) -> Result<u8, Fail> {
    let policy = load_policy(files.policy.as_deref())?;
    let format = out_format(&files, con.out_is_terminal)?;
    let loaded = match load_sources(
        con,
        kind,
        period,
        &files.sources,
        true,
        files.tax.as_deref(),
    )? {
        Ok(loaded) => loaded,
        Err(code) => return Ok(code),
    };
    let Loaded {
        request,
        roster,
        assessments,
        origins,
        problems: mut read_problems,
        bank,
    } = loaded;
    // Every roster row accounted for: the rows not employed in the period.
    let (not_paid, np_problems) =
        hrfile::accounted::not_paid(&request, &roster, &assessments, &origins);
    read_problems.extend(np_problems);
    let mut extras = write::Extras {
        not_paid,
        errors: Vec::new(),
    };
    // The records are released as they are read. The sheets need only each
    // payslip's amounts, kept as compact rows while the payslips go by; the
    // JSON response renders the payslips themselves.
    let (mut result, mut rows) = if format == OutFormat::Json {
        let keep = crate::run::Payslips::Keep;
        let run = crate::run::run_packed(request, roster, assessments, Some(&policy), keep)?;
        let rows = write::PayRows::from_run(&run);
        (run, rows)
    } else {
        let mut rows = write::PayRows::new();
        let run = crate::run::run_packed(
            request,
            roster,
            assessments,
            Some(&policy),
            crate::run::Payslips::Each(&mut |_, slip| rows.push(slip)),
        )?;
        (run, rows)
    };
    let mut problems: Vec<FileProblem> = read_problems;
    problems.extend(result.errors.iter().map(|e| hrfile::locate(&origins, e)));
    problems.extend(result.warnings.iter().map(|w| FileProblem {
        file: String::new(),
        line: None,
        column: None,
        worker_id: Some(w.worker_id.clone()),
        field: Some(w.field.clone()),
        message: w.message.clone(),
        warning: true,
    }));
    if files.strict {
        for p in &mut problems {
            if p.warning {
                p.warning = false;
                p.message.push_str(" (an error under --strict)");
            }
        }
    }
    let row_bad: BTreeSet<String> = problems
        .iter()
        .filter(|p| !p.warning)
        .filter_map(|p| p.worker_id.clone())
        .collect();
    for n in &extras.not_paid {
        errln!(
            con,
            "{}: worker {}: not paid: {}",
            n.place(),
            n.worker_id,
            n.message
        );
    }
    let warnings: Vec<&FileProblem> = problems.iter().filter(|p| p.warning).collect();
    for w in &warnings {
        errln!(con, "{w}");
    }
    let errors: Vec<FileProblem> = problems.iter().filter(|p| !p.warning).cloned().collect();
    if !errors.is_empty() {
        print_problems(con, &errors);
        if !files.allow_partial {
            errln!(
                con,
                "payrules: {} problem(s); no output written (--allow-partial writes the valid payslips and an errors file)",
                errors.len()
            );
            return Ok(2);
        }
        // Rows the engine never saw as bad (a cell too long, an Excel error
        // cell) still must not be paid.
        hrfile::drop_workers(&mut result, &mut rows, &row_bad);
        // The workbook lists them on its 错误 Errors sheet.
        extras.errors = errors.clone();
    }
    // The bank file's rows, before anything is written: an account missing
    // or malformed for a paid worker writes nothing.
    let transfers = match files.bank_file.as_deref() {
        Some(_) => match bank.rows(&result, &rows) {
            Ok(t) => Some(t),
            Err(bad) => {
                print_problems(con, &bad);
                errln!(
                    con,
                    "payrules: {} worker(s) without a valid bank account; no output written",
                    bad.len()
                );
                return Ok(2);
            }
        },
        None => None,
    };
    let mut set = hrfile::output::CommitSet::new(files.mode);
    let fail = |p: &Path, e| Fail(format!("cannot write {}: {e}", p.display()), 1);
    if let (Some(bp), Some(t)) = (files.bank_file.as_deref(), &transfers) {
        add_bank_file(&mut set, bp, t, files.csv_style()).map_err(|e| fail(bp, e))?;
    }
    match files.output.as_deref() {
        Some(path) => {
            // All the files, or none; a clean run removes an old errors file.
            let ep = errors_path(path);
            set.add(path, |out| {
                render_with(&result, &rows, format, &extras, files.csv_style(), out)
            })
            .map_err(|e| fail(path, e))?;
            if errors.is_empty() {
                set.remove(&ep);
            } else {
                set.add(&ep, |out| {
                    write::errors_csv_styled(&problems, files.csv_style(), out)
                })
                .map_err(|e| fail(&ep, e))?;
            }
            set.commit()
                .map_err(|e| Fail(format!("cannot write: {e}"), 1))?;
            if !errors.is_empty() {
                errln!(
                    con,
                    "payrules: {} problem(s); wrote the valid payslips to {} and the problems to {}",
                    errors.len(),
                    path.display(),
                    ep.display()
                );
            }
        }
        None => {
            // The bank file first: the payroll on the terminal is shown
            // only once it is written.
            set.commit()
                .map_err(|e| Fail(format!("cannot write: {e}"), 1))?;
            let mut out = std::io::BufWriter::with_capacity(1 << 16, &mut con.out);
            render_with(&result, &rows, format, &extras, files.csv_style(), &mut out)
                .and_then(|_| out.flush())
                .map_err(|e| Fail(format!("cannot write standard output: {e}"), 1))?;
        }
    }
    if !files.quiet {
        errp!(con, "{}", write::summary(&result, &rows, 30));
        if !extras.not_paid.is_empty() {
            errln!(
                con,
                "{} roster row(s) not paid (listed above, and in the output's not-paid list)",
                extras.not_paid.len()
            );
        }
    }
    Ok(if errors.is_empty() { 0 } else { 2 })
}
