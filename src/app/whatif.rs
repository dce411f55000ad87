//! `whatif`: a reform priced against the base policy on the same inputs.

use super::*;

pub(super) fn whatif(con: &mut Console, args: WhatifArgs) -> Result<u8, Fail> {
    use crate::whatif::{Reform, Scope, compare};
    let rpath = &args.reform;
    let text = String::from_utf8(read_input(rpath)?)
        .map_err(|_| Fail(format!("{}: reform is not UTF-8 text", rpath.display()), 1))?;
    let reform =
        Reform::from_toml(&text).map_err(|e| Fail(format!("{}: {e}", rpath.display()), 1))?;
    let scope_text = args.period.or(args.year).unwrap_or_default();
    let scope = Scope::parse(&scope_text).map_err(|e| Fail(format!("--period/--year: {e}"), 1))?;
    let (req, origins, label) = match &args.request {
        Some(path) => {
            let bytes = read_input(path)?;
            let req = crate::Request::from_json(&bytes)
                .map_err(|e| Fail(format!("{}: {e}", path.display()), 1))?;
            (req, hrfile::Origins::default(), path.display().to_string())
        }
        None => {
            if args.sources.roster.is_none() && !args.sources.example {
                return Err(Fail(
                    "give the inputs: --request FILE, --roster FILE [--assessments FILE] [--honours FILE], or --example".into(),
                    1,
                ));
            }
            let loaded = match load_sources(
                con,
                Kind::Monthly,
                scope_text.clone(),
                &args.sources,
                false,
                None,
            )? {
                Ok(loaded) => loaded.unpacked(),
                Err(code) => return Ok(code),
            };
            let (warnings, errors): (Vec<FileProblem>, Vec<FileProblem>) =
                loaded.problems.into_iter().partition(|p| p.warning);
            for w in &warnings {
                errln!(con, "{w}");
            }
            if !errors.is_empty() {
                print_problems(con, &errors);
                errln!(
                    con,
                    "payrules: {} problem(s) in the input files; no output written",
                    errors.len()
                );
                return Ok(2);
            }
            let label = args
                .sources
                .roster
                .as_deref()
                .map_or("example".to_string(), |p| p.display().to_string());
            (loaded.request, loaded.origins, label)
        }
    };
    if matches!(args.format, Format::Xlsx) && args.output.is_none() && con.out_is_terminal {
        return Err(Fail(
            "--format xlsx writes a workbook; give --output FILE.xlsx".into(),
            1,
        ));
    }
    let base = match &req.policy {
        Some(text) => {
            PolicySet::from_toml(text).map_err(|e| Fail(format!("{label}: policy: {e}"), 1))?
        }
        None => load_policy(args.policy.as_deref())?,
    };
    let result = compare(&req, &base, &reform, scope).map_err(|e| match e {
        crate::run::RequestError::Reform(e) => Fail(format!("{}: {e}", rpath.display()), 1),
        e => Fail(format!("{label}: {e}"), 1),
    })?;
    let out = args.output.as_deref();
    let written = match args.format {
        Format::Table => write_output_mode(
            con,
            out,
            hrfile::whatif::table(&result).trim_end(),
            args.mode,
        ),
        Format::Csv => {
            write_output_mode(con, out, hrfile::whatif::csv(&result).trim_end(), args.mode)
        }
        Format::Json => write_output_mode(con, out, result.to_json().trim_end(), args.mode),
        Format::Xlsx => {
            let bytes = hrfile::whatif::xlsx(&result)
                .map_err(|e| Fail(format!("cannot write the workbook: {e}"), 1))?;
            match args.output.as_deref() {
                Some(path) => {
                    write::write_atomic_mode(path, args.mode, |out| out.write_all(&bytes))
                        .map_err(|e| Fail(format!("cannot write {}: {e}", path.display()), 1))
                }
                None => con
                    .out
                    .write_all(&bytes)
                    .map_err(|e| Fail(format!("cannot write standard output: {e}"), 1)),
            }
        }
    };
    written?;
    for e in &result.errors {
        if origins.any() {
            let p = hrfile::locate(&origins, &e.error);
            errln!(con, "{} ({:?}): {p}", e.period, e.side);
        } else {
            errln!(con, "{label}: {} ({:?}): {}", e.period, e.side, e.error);
        }
    }
    Ok(if result.complete() { 0 } else { 2 })
}
