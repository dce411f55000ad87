//! The monthly cycle over a payroll book: `book init|verify|import-ytd|months`,
//! `pay`, `close`, `correct`, `annual --book`, `history`, `report`. Each is
//! a thin face over [`crate::book::Book`].

use super::*;
use crate::book::{Book, BookError, Replace};
use crate::money::format_amount;
use crate::rules::slip::LineCode;

fn open(path: &Path) -> Result<Book, Fail> {
    Book::open(path).map_err(|e| book_fail(path, e))
}

fn book_fail(path: &Path, e: BookError) -> Fail {
    Fail(format!("{}: {e}", path.display()), 1)
}

/// `book init`.
pub(super) fn init(con: &mut Console, path: &Path, policy: Option<&Path>) -> Result<u8, Fail> {
    let text = match policy {
        Some(p) => Some(
            String::from_utf8(read_input(p)?)
                .map_err(|_| Fail(format!("{}: policy is not UTF-8 text", p.display()), 1))?,
        ),
        None => None,
    };
    Book::init(path, text.as_deref()).map_err(|e| book_fail(path, e))?;
    outln!(
        con,
        "created {} (policy {}); pay the first month with: payrules pay --book {} --period YYYY-MM …",
        path.display(),
        policy.map_or("built-in".to_string(), |p| p.display().to_string()),
        path.display()
    );
    Ok(0)
}

/// `pay --book` and `annual --book`: the month's files in, the draft stored,
/// the payroll sheet out.
pub(super) fn pay(
    con: &mut Console,
    path: &Path,
    kind: Kind,
    period: String,
    files: Files,
) -> Result<u8, Fail> {
    if files.policy.is_some() {
        return Err(Fail(
            "--policy: the book holds the policy; adopt a new one with payrules correct --book BOOK --policy FILE --from YYYY-MM --reason TEXT".into(),
            1,
        ));
    }
    if files.allow_partial {
        return Err(Fail(
            "--allow-partial: a month in the book pays every worker; correct the inputs instead"
                .into(),
            1,
        ));
    }
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
        origins,
        mut problems,
        bank,
        ..
    } = loaded.unpacked();
    // Every roster row accounted for, before anything is stored.
    let (not_paid, np_problems) =
        hrfile::accounted::not_paid(&request, &request.workers, &request.assessments, &origins);
    problems.extend(np_problems);
    if files.bank_file.is_some() {
        // Every worker the month pays needs an account, checked before
        // anything is stored.
        let unpaid: BTreeSet<&str> = not_paid.iter().map(|n| n.worker_id.as_str()).collect();
        problems.extend(
            bank.check(
                request
                    .workers
                    .iter()
                    .map(|w| w.id.as_str())
                    .filter(|id| !unpaid.contains(id)),
            ),
        );
    }
    if files.strict {
        for p in problems.iter_mut().filter(|p| p.warning) {
            p.warning = false;
            p.message.push_str(" (an error under --strict)");
        }
    }
    for w in problems.iter().filter(|p| p.warning) {
        errln!(con, "{w}");
    }
    let refused: Vec<FileProblem> = problems.iter().filter(|p| !p.warning).cloned().collect();
    if !refused.is_empty() {
        print_problems(con, &refused);
        errln!(
            con,
            "payrules: {} problem(s); nothing stored in {} (correct the inputs and pay again)",
            refused.len(),
            path.display()
        );
        return Ok(2);
    }
    for n in &not_paid {
        errln!(
            con,
            "{}: worker {}: not paid: {}",
            n.place(),
            n.worker_id,
            n.message
        );
    }
    let extras = write::Extras {
        not_paid,
        errors: Vec::new(),
    };
    let mut book = open(path)?;
    let paid = match kind {
        Kind::Monthly => book.pay(request),
        Kind::Annual => book.annual(request),
    }
    .map_err(|e| book_fail(path, e))?;
    let run = paid.run;
    if !paid.stored {
        let located: Vec<FileProblem> = run
            .errors
            .iter()
            .map(|e| hrfile::locate(&origins, e))
            .collect();
        print_problems(con, &located);
        errln!(
            con,
            "payrules: {} problem(s); nothing stored in {} (correct the inputs and pay again)",
            located.len(),
            path.display()
        );
        return Ok(2);
    }
    for w in &run.warnings {
        errln!(con, "warning: {w}");
    }
    let rows = write::PayRows::from_run(&run);
    let mut set = hrfile::output::CommitSet::new(files.mode);
    if let Some(bp) = files.bank_file.as_deref() {
        let transfers = bank.rows(&run, &rows).map_err(|bad| {
            print_problems(con, &bad);
            Fail(
                format!(
                    "{} stored in {} as a draft, but the bank file was not written: {} worker(s) without a valid bank account",
                    run.period,
                    path.display(),
                    bad.len()
                ),
                2,
            )
        })?;
        add_bank_file(&mut set, bp, &transfers, files.csv_style())
            .map_err(|e| Fail(format!("cannot write {}: {e}", bp.display()), 1))?;
    }
    match files.output.as_deref() {
        Some(out) => {
            set.add(out, |o| {
                render_with(&run, &rows, format, &extras, files.csv_style(), o)
            })
            .map_err(|e| Fail(format!("cannot write {}: {e}", out.display()), 1))?;
            set.commit()
                .map_err(|e| Fail(format!("cannot write: {e}"), 1))?;
        }
        None => {
            set.commit()
                .map_err(|e| Fail(format!("cannot write: {e}"), 1))?;
            let mut out = std::io::BufWriter::with_capacity(1 << 16, &mut con.out);
            render_with(&run, &rows, format, &extras, files.csv_style(), &mut out)
                .and_then(|_| out.flush())
                .map_err(|e| Fail(format!("cannot write standard output: {e}"), 1))?;
        }
    }
    if !files.quiet {
        errp!(con, "{}", write::summary(&run, &rows, 30));
        errln!(
            con,
            "stored {} in {} as a draft{}{}; close it with: payrules close --book {} --period {}",
            run.period,
            path.display(),
            if paid.replaced {
                " (replacing the earlier draft)"
            } else {
                ""
            },
            if paid.adjustments > 0 {
                format!(
                    ", paying {} correction(s) of past periods",
                    paid.adjustments
                )
            } else {
                String::new()
            },
            path.display(),
            run.period
        );
    }
    Ok(0)
}

/// `close`.
pub(super) fn close(con: &mut Console, path: &Path, period: &str) -> Result<u8, Fail> {
    let mut book = open(path)?;
    let c = book.close(period).map_err(|e| book_fail(path, e))?;
    outln!(
        con,
        "closed {} ({} workers; number {} of the chain, digest {})",
        c.period,
        c.workers,
        c.seq,
        &c.digest[..16]
    );
    Ok(0)
}

/// `correct`: corrected files of a closed month, or a policy adopted retroactively.
pub(super) fn correct(con: &mut Console, a: CorrectArgs) -> Result<u8, Fail> {
    let mut book = open(&a.book)?;
    let adjustments = match (&a.policy, &a.from, &a.period) {
        (Some(p), Some(from), None) => {
            let text = String::from_utf8(read_input(p)?)
                .map_err(|_| Fail(format!("{}: policy is not UTF-8 text", p.display()), 1))?;
            book.correct_policy(&text, from, &a.reason)
        }
        (None, None, Some(period)) => {
            let replace = read_replacements(con, period, &a)?;
            let Some((replace, origins)) = replace else {
                return Ok(2);
            };
            match book.correct(period, replace, &a.reason) {
                // The engine's errors placed in the corrected files (a
                // record of a list not corrected is named by its place in
                // the stored month's list).
                Err(BookError::InputErrors { errors, .. }) => {
                    let problems: Vec<hrfile::FileProblem> =
                        errors.iter().map(|e| hrfile::locate(&origins, e)).collect();
                    print_problems(con, &problems);
                    errln!(
                        con,
                        "payrules: {} problem(s) in the corrected inputs for {period}; nothing recorded",
                        problems.len()
                    );
                    return Ok(2);
                }
                other => other,
            }
        }
        _ => {
            return Err(Fail(
                "give --period YYYY-MM with corrected files, or --policy FILE --from YYYY-MM"
                    .into(),
                1,
            ));
        }
    }
    .map_err(|e| book_fail(&a.book, e))?;
    if adjustments.is_empty() {
        outln!(con, "no differences: nothing to pay or recover");
        return Ok(0);
    }
    let mut table = vec![vec![
        "worker_id".to_string(),
        "corrected".into(),
        "code".into(),
        "line".into(),
        "amount".into(),
        "explain".into(),
    ]];
    let (mut arrears, mut recovery) = (rust_decimal::Decimal::ZERO, rust_decimal::Decimal::ZERO);
    for adj in &adjustments {
        match adj.line_code() {
            LineCode::Recovery => recovery += adj.amount(),
            _ => arrears += adj.amount(),
        }
        table.push(vec![
            csv_text(&adj.worker_id).into_owned(),
            adj.period.clone(),
            adj.code.code().into(),
            adj.line_code().code().into(),
            format_amount(adj.amount()),
            csv_text(&adj.explain()).into_owned(),
        ]);
    }
    emit_table(con, &table, ViewFormat::Csv)?;
    errln!(
        con,
        "{} correction(s) recorded: arrears {}, recoveries {}; the next payrules pay pays them",
        adjustments.len(),
        format_amount(arrears),
        format_amount(recovery)
    );
    Ok(0)
}

/// The records of one corrected file, if given: its row problems join
/// `errors` (nothing is recorded then), its warnings (a column ignored with
/// --ignore-column) join `warnings`, to be printed.
fn corrected<T>(
    path: Option<&Path>,
    bar: &mut Bar,
    errors: &mut Vec<hrfile::FileProblem>,
    warnings: &mut Vec<hrfile::FileProblem>,
    read: impl FnOnce(
        &str,
        hrfile::Input,
        hrfile::Progress,
    ) -> Result<hrfile::Sheet<Vec<T>>, Vec<hrfile::FileProblem>>,
    origin: &mut Option<hrfile::Origin>,
) -> Result<Option<Vec<T>>, Fail> {
    let Some(path) = path else {
        return Ok(None);
    };
    Ok(read_file(path, errors, bar, read)?.map(|s| {
        let (warn, err): (Vec<_>, Vec<_>) = s.problems.into_iter().partition(|p| p.warning);
        warnings.extend(warn);
        errors.extend(err);
        *origin = Some(s.origin);
        s.records
    }))
}

fn read_replacements(
    con: &mut Console,
    period: &str,
    a: &CorrectArgs,
) -> Result<Option<(Replace, hrfile::Origins)>, Fail> {
    if a.roster.is_none() && a.assessments.is_none() && a.honours.is_none() && a.changes.is_none() {
        return Err(Fail(
            "give the corrected files: --roster, --assessments, --honours and/or --changes".into(),
            1,
        ));
    }
    let opts = ReadOptions {
        encoding: a.read.encoding,
        sheet: a.read.sheet.clone(),
        ignore_columns: a.read.ignore_columns.clone(),
    };
    let mut bar = Bar::new();
    let mut errors = Vec::new();
    let mut warnings = Vec::new();
    let mut origins = hrfile::Origins::default();
    let (e, w, b) = (&mut errors, &mut warnings, &mut bar);
    let o = &mut origins;
    let workers = corrected(
        a.roster.as_deref(),
        b,
        e,
        w,
        |n, by, p| hrfile::read_roster(n, by, &opts, p),
        &mut o.workers,
    )?;
    let assessments = corrected(
        a.assessments.as_deref(),
        b,
        e,
        w,
        |n, by, p| hrfile::read_assessments(n, by, &opts, p),
        &mut o.assessments,
    )?;
    let honours = corrected(
        a.honours.as_deref(),
        b,
        e,
        w,
        |n, by, p| hrfile::read_honours(n, by, &opts, p),
        &mut o.honours,
    )?;
    let changes = corrected(
        a.changes.as_deref(),
        b,
        e,
        w,
        |n, by, p| hrfile::read_changes(n, by, &opts, p),
        &mut o.changes,
    )?;
    for w in &warnings {
        errln!(con, "{w}");
    }
    if !errors.is_empty() {
        print_problems(con, &errors);
        errln!(
            con,
            "payrules: problems in the corrected files for {period}; nothing recorded"
        );
        return Ok(None);
    }
    Ok(Some((
        Replace {
            workers,
            assessments,
            honours,
            changes,
        },
        origins,
    )))
}

/// `history`.
pub(super) fn history(
    con: &mut Console,
    path: &Path,
    worker: &str,
    format: ViewFormat,
) -> Result<u8, Fail> {
    let mut book = open(path)?;
    let h = book.history(worker).map_err(|e| book_fail(path, e))?;
    if h.rows.is_empty() && h.corrections.is_empty() {
        return Err(Fail(
            format!("{}: no worker {worker:?} in the book", path.display()),
            1,
        ));
    }
    // Net has its own column.
    let codes: Vec<LineCode> = LineCode::ALL
        .into_iter()
        .filter(|c| *c != LineCode::Net)
        .filter(|c| h.rows.iter().any(|r| r.lines.iter().any(|l| l.0 == *c)))
        .collect();
    let amount = |r: &crate::book::HistoryRow, c: LineCode| -> Option<rust_decimal::Decimal> {
        let mut it = r.lines.iter().filter(|l| l.0 == c).peekable();
        it.peek()?;
        Some(it.map(|l| l.1).sum())
    };
    match format {
        ViewFormat::Json => {
            let rows: Vec<serde_json::Value> = h
                .rows
                .iter()
                .map(|r| {
                    let lines: serde_json::Map<String, serde_json::Value> = codes
                        .iter()
                        .filter_map(|c| {
                            amount(r, *c).map(|a| (c.code().to_string(), format_amount(a).into()))
                        })
                        .collect();
                    serde_json::json!({
                        "period": r.period, "status": r.status, "unit": r.unit,
                        "lines": lines, "gross": format_amount(r.gross),
                        "net": r.net.map(format_amount),
                        "tax_withheld_ytd": r.tax_ytd.map(format_amount),
                    })
                })
                .collect();
            let corrections: Vec<serde_json::Value> = h
                .corrections
                .iter()
                .map(|(a, paid_in)| {
                    serde_json::json!({
                        "period": a.period, "code": a.code.code(), "old": format_amount(a.old),
                        "new": format_amount(a.new), "line": a.line_code().code(),
                        "amount": format_amount(a.amount()), "reason": a.reason,
                        "paid_in": paid_in,
                    })
                })
                .collect();
            let doc = serde_json::json!({"worker_id": h.worker_id, "periods": rows, "corrections": corrections});
            outln!(
                con,
                "{}",
                serde_json::to_string_pretty(&doc).unwrap_or_default()
            );
        }
        ViewFormat::Csv | ViewFormat::Table => {
            let mut head = vec!["period".to_string(), "status".into(), "unit".into()];
            head.extend(codes.iter().map(|c| c.code().to_string()));
            head.extend(["gross".into(), "net".into(), "tax_withheld_ytd".into()]);
            let mut table = vec![head];
            for r in &h.rows {
                let mut row = vec![
                    r.period.clone(),
                    r.status.clone(),
                    csv_text(&r.unit).into_owned(),
                ];
                row.extend(
                    codes
                        .iter()
                        .map(|c| amount(r, *c).map(format_amount).unwrap_or_default()),
                );
                row.push(format_amount(r.gross));
                row.push(r.net.map(format_amount).unwrap_or_default());
                row.push(r.tax_ytd.map(format_amount).unwrap_or_default());
                table.push(row);
            }
            emit_table(con, &table, format)?;
            if !h.corrections.is_empty() {
                outln!(con);
                let mut t = vec![vec![
                    "corrected".to_string(),
                    "code".into(),
                    "old".into(),
                    "new".into(),
                    "line".into(),
                    "amount".into(),
                    "paid_in".into(),
                    "reason".into(),
                ]];
                for (a, paid_in) in &h.corrections {
                    t.push(vec![
                        a.period.clone(),
                        a.code.code().into(),
                        format_amount(a.old),
                        format_amount(a.new),
                        a.line_code().code().into(),
                        format_amount(a.amount()),
                        paid_in.clone().unwrap_or_else(|| "pending".into()),
                        csv_text(&a.reason).into_owned(),
                    ]);
                }
                emit_table(con, &t, format)?;
            }
        }
    }
    Ok(0)
}

fn emit_table(con: &mut Console, rows: &[Vec<String>], format: ViewFormat) -> Result<(), Fail> {
    match format {
        ViewFormat::Csv => {
            let mut w = csv::WriterBuilder::new().from_writer(Vec::new());
            for r in rows {
                w.write_record(r)?;
            }
            let bytes = w.into_inner().map_err(|e| Fail(e.to_string(), 1))?;
            outp!(con, "{}", String::from_utf8_lossy(&bytes));
        }
        _ => {
            let widths = hrfile::render::widths(rows.iter().map(Vec::as_slice));
            // A column is numeric when every cell below the header is an
            // amount, a count or empty.
            let numeric: Vec<bool> = (0..widths.len())
                .map(|i| {
                    rows.iter().skip(1).all(|r| {
                        r.get(i).is_none_or(|c| {
                            c.is_empty() || c.parse::<rust_decimal::Decimal>().is_ok()
                        })
                    })
                })
                .collect();
            let layout = hrfile::render::Layout {
                indent: "",
                numeric: |i: usize| numeric.get(i).copied().unwrap_or(false),
            };
            let mut s = String::new();
            for r in rows {
                hrfile::render::line(&mut s, &layout, &widths, r);
            }
            outp!(con, "{s}");
        }
    }
    Ok(())
}

/// `report`: per period and unit, every line code summed.
pub(super) fn report(
    con: &mut Console,
    path: &Path,
    year: &str,
    format: ReportFormat,
    output: Option<&Path>,
    mode: Option<u32>,
) -> Result<u8, Fail> {
    let y: i32 = year
        .parse::<crate::period::Year>()
        .map(|y| y.get())
        .map_err(|e| Fail(format!("--year: {e}"), 1))?;
    let mut book = open(path)?;
    let rows = book.report(y).map_err(|e| book_fail(path, e))?;
    if rows.is_empty() {
        return Err(Fail(format!("{}: nothing paid in {y}", path.display()), 1));
    }
    let codes: Vec<LineCode> = LineCode::ALL
        .into_iter()
        .filter(|c| rows.iter().any(|r| r.by_code.contains_key(c)))
        .collect();
    let mut head = vec![
        "period".to_string(),
        "status".into(),
        "unit".into(),
        "workers".into(),
    ];
    head.extend(codes.iter().map(|c| c.code().to_string()));
    head.push("gross".into());
    let mut table = vec![head];
    let mut total = vec![rust_decimal::Decimal::ZERO; codes.len() + 1];
    let mut workers = 0;
    for r in &rows {
        let mut row = vec![
            r.period.clone(),
            r.status.clone(),
            csv_text(&r.unit).into_owned(),
            r.workers.to_string(),
        ];
        for (i, c) in codes.iter().enumerate() {
            let a = r.by_code.get(c).copied();
            total[i] += a.unwrap_or_default();
            row.push(a.map(format_amount).unwrap_or_default());
        }
        total[codes.len()] += r.gross;
        workers += r.workers;
        row.push(format_amount(r.gross));
        table.push(row);
    }
    let mut last = vec![
        year.to_string(),
        String::new(),
        "合计 total".into(),
        workers.to_string(),
    ];
    last.extend(total.iter().map(|t| format_amount(*t)));
    table.push(last);
    match format {
        ReportFormat::Xlsx => {
            let Some(out) = output else {
                return Err(Fail(
                    "--format xlsx writes a workbook; give --output FILE.xlsx".into(),
                    1,
                ));
            };
            let bytes = write::table_xlsx("report", &table, 3)
                .map_err(|e| Fail(format!("cannot write {}: {e}", out.display()), 1))?;
            let mut set = hrfile::output::CommitSet::new(mode);
            set.add(out, |o| o.write_all(&bytes))
                .map_err(|e| Fail(format!("cannot write {}: {e}", out.display()), 1))?;
            set.commit()
                .map_err(|e| Fail(format!("cannot write: {e}"), 1))?;
        }
        ReportFormat::Csv | ReportFormat::Table => {
            let vf = if matches!(format, ReportFormat::Csv) {
                ViewFormat::Csv
            } else {
                ViewFormat::Table
            };
            match output {
                None => emit_table(con, &table, vf)?,
                Some(out) => {
                    let mut buf = Console::buffered();
                    emit_table(&mut buf, &table, vf)?;
                    let text = buf.stdout_text();
                    write_output_mode(con, Some(out), text.trim_end_matches('\n'), mode)?;
                }
            }
        }
    }
    Ok(0)
}

/// `book verify`.
pub(super) fn verify(con: &mut Console, path: &Path) -> Result<u8, Fail> {
    let mut book = open(path)?;
    let v = book.verify().map_err(|e| book_fail(path, e))?;
    if v.ok() {
        outln!(
            con,
            "{}: {} closed period(s), each as it was closed",
            path.display(),
            v.months
        );
        return Ok(0);
    }
    for (period, why) in &v.problems {
        errln!(con, "{}: {period}: {why}", path.display());
    }
    errln!(
        con,
        "payrules: {} of {} closed period(s) changed outside payrules",
        v.problems.len(),
        v.months
    );
    Ok(1)
}

/// `book months`.
pub(super) fn months(con: &mut Console, path: &Path) -> Result<u8, Fail> {
    let mut book = open(path)?;
    let ms = book.months().map_err(|e| book_fail(path, e))?;
    let mut t = vec![vec![
        "period".to_string(),
        "kind".into(),
        "status".into(),
        "workers".into(),
        "policy".into(),
        "closed_at".into(),
    ]];
    for m in ms {
        t.push(vec![
            m.period,
            m.kind,
            m.status,
            m.workers.to_string(),
            m.policy_version,
            m.closed_at.unwrap_or_default(),
        ]);
    }
    emit_table(con, &t, ViewFormat::Table)?;
    Ok(0)
}

/// `book import-ytd`: a JSON list of `ytd` records, or a CSV with their
/// field names as headers.
pub(super) fn import_ytd(
    con: &mut Console,
    path: &Path,
    file: &Path,
    through: &str,
) -> Result<u8, Fail> {
    let bytes = read_input(file)?;
    let records: Vec<crate::rules::tax::YtdRecord> = if file
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("json"))
    {
        serde_json::from_slice(&bytes).map_err(|e| {
            Fail(
                format!("{}: {}", file.display(), crate::limits::json_error(&e)),
                1,
            )
        })?
    } else {
        let mut r = csv::ReaderBuilder::new()
            .trim(csv::Trim::All)
            .from_reader(bytes.as_slice());
        let mut out = Vec::new();
        for (i, rec) in r.deserialize().enumerate() {
            out.push(rec.map_err(|e| Fail(format!("{}:{}: {e}", file.display(), i + 2), 1))?);
        }
        out
    };
    let mut book = open(path)?;
    let n = book
        .import_ytd(&records, through)
        .map_err(|e| book_fail(path, e))?;
    outln!(
        con,
        "imported year-to-date figures through {through} for {n} worker(s)"
    );
    Ok(0)
}
