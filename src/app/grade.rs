//! `grade` and `check-grades`: grades from scores under the quota, and checks of given grades.

use super::*;

pub(super) fn load_roster(
    path: Option<&Path>,
    opts: &ReadOptions,
    errors: &mut Vec<FileProblem>,
) -> Result<Option<hrfile::Sheet<Vec<crate::worker::WorkerRecord>>>, Fail> {
    let mut bar = Bar::new();
    match path {
        Some(p) => read_file(p, errors, &mut bar, |n, b, pr| {
            hrfile::read_roster(n, b, opts, pr)
        }),
        None => Ok(None),
    }
}

pub(super) fn pool_table(con: &mut Console, pools: &[crate::rules::quota::PoolReport]) {
    errln!(
        con,
        "pool  graded  excellent used/allowed  good used/allowed"
    );
    for p in pools {
        errln!(
            con,
            "{}  {}  {}/{}  {}/{}",
            p.pool,
            p.graded,
            p.excellent.used,
            p.excellent.allowed,
            p.good.used,
            p.good.allowed
        );
    }
}

#[allow(clippy::too_many_arguments)]
pub(super) fn grade_cmd(
    con: &mut Console,
    period: String,
    scores: PathBuf,
    roster: Option<PathBuf>,
    policy: Option<PathBuf>,
    format: GradeFormat,
    output: Option<PathBuf>,
    read: ReadArgs,
) -> Result<u8, Fail> {
    let set = load_policy(policy.as_deref())?;
    let version = grading::policy_for(&set, &period).map_err(|e| Fail(e, 1))?;
    let Some((roster, sheet)) =
        read_grading_files(con, &scores, roster.as_deref(), read, grading::read_scores)?
    else {
        return Ok(2);
    };
    let Graded {
        rows,
        pools,
        problems,
        notes,
    } = grading::grade(version, &period, &sheet, roster.as_ref());
    for n in &notes {
        errln!(con, "note: {n}");
    }
    if !problems.is_empty() {
        print_problems(con, &problems);
        errln!(
            con,
            "payrules: {} problem(s) in the scores; no grades written",
            problems.len()
        );
        return Ok(2);
    }
    let text = match format {
        GradeFormat::Csv => {
            let mut w = csv::Writer::from_writer(Vec::new());
            let _ = w.write_record(["worker_id", "unit", "score", "rank", "grade"]);
            for r in &rows {
                let _ = w.write_record([
                    &*csv_text(&r.worker_id),
                    &csv_text(&r.unit),
                    &r.score,
                    &r.rank.to_string(),
                    r.grade.code(),
                ]);
            }
            let bytes = w.into_inner().map_err(|e| Fail(e.to_string(), 1))?;
            String::from_utf8(bytes).map_err(|e| Fail(e.to_string(), 1))?
        }
        GradeFormat::Json => {
            let doc = serde_json::json!({
                "period": period,
                "policy": {"id": version.id, "version": version.version},
                "grades": rows,
                "pools": pools,
                "notes": notes,
            });
            serde_json::to_string_pretty(&doc).map_err(|e| Fail(e.to_string(), 1))?
        }
    };
    write_output(con, output.as_deref(), text.trim_end())?;
    if format == GradeFormat::Csv {
        pool_table(con, &pools);
    }
    Ok(0)
}

/// Reads the roster (if given) and the scores or grades file of `grade` /
/// `check-grades`; `None`, with the problems printed, when either cannot be
/// read. Warnings are printed either way.
#[allow(clippy::type_complexity)]
pub(super) fn read_grading_files<T>(
    con: &mut Console,
    file: &Path,
    roster: Option<&Path>,
    read: ReadArgs,
    reader: impl FnOnce(
        &str,
        hrfile::Input,
        &ReadOptions,
        hrfile::Progress,
    ) -> Result<hrfile::Sheet<Vec<T>>, Vec<FileProblem>>,
) -> Result<
    Option<(
        Option<hrfile::Sheet<Vec<crate::worker::WorkerRecord>>>,
        hrfile::Sheet<Vec<T>>,
    )>,
    Fail,
> {
    let opts = ReadOptions {
        encoding: read.encoding,
        sheet: read.sheet,
        ignore_columns: read.ignore_columns.clone(),
    };
    let mut errors = Vec::new();
    let roster = load_roster(roster, &opts, &mut errors)?;
    let mut bar = Bar::new();
    let sheet = read_file(file, &mut errors, &mut bar, |n, b, p| {
        reader(n, b, &opts, p)
    })?;
    let Some(sheet) = sheet.filter(|_| errors.is_empty()) else {
        print_problems(con, &errors);
        return Ok(None);
    };
    for w in sheet.problems.iter().filter(|p| p.warning) {
        errln!(con, "{w}");
    }
    Ok(Some((roster, sheet)))
}

pub(super) fn check_grades_cmd(
    con: &mut Console,
    period: String,
    grades: PathBuf,
    roster: Option<PathBuf>,
    policy: Option<PathBuf>,
    read: ReadArgs,
) -> Result<u8, Fail> {
    let set = load_policy(policy.as_deref())?;
    let version = grading::policy_for(&set, &period).map_err(|e| Fail(e, 1))?;
    let Some((roster, sheet)) =
        read_grading_files(con, &grades, roster.as_deref(), read, grading::read_grades)?
    else {
        return Ok(2);
    };
    let (pools, problems) = grading::check(version, &period, &sheet, roster.as_ref());
    if !problems.is_empty() {
        print_problems(con, &problems);
        errln!(
            con,
            "payrules: {} problem(s); the grades break the quota or cannot be read",
            problems.len()
        );
        return Ok(2);
    }
    let graded: u32 = pools.iter().map(|p| p.graded).sum();
    outln!(
        con,
        "{}: ok — {} pools, {graded} graded, every pool within the caps of policy {}",
        grades.display(),
        pools.len(),
        version.cite()
    );
    Ok(0)
}
