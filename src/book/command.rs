//! The book as JSON commands: one document in, one document out. The C ABI
//! (`payrules_book_json`) and the Python package (`payrules.Book`) both
//! speak it, so its shapes live here and the faces stay thin.
//!
//! A command is an object with an `op`:
//!
//! | command | response |
//! |---|---|
//! | `{"op":"pay","request":{…monthly request…}}` | `{"stored","adjustments","replaced","run":{…response…}}` |
//! | `{"op":"annual","request":{…annual request…}}` | the same |
//! | `{"op":"close","period":"2026-11"}` | `{"period","seq","digest","workers"}` |
//! | `{"op":"correct","period","reason","workers"?,"assessments"?,"honours"?}` | `{"adjustments":[…],"lines":[…],"totals"}` |
//! | `{"op":"correct_policy","policy":"…toml…","from":"2026-10","reason"}` | the same |
//! | `{"op":"history","worker_id":"W1"}` | `{"worker_id","periods":[…],"corrections":[…]}` |
//! | `{"op":"report","year":2026}` | `{"year","rows":[…]}` |
//! | `{"op":"verify"}` | `{"ok","months","problems":[{"period","message"}]}` |
//! | `{"op":"months"}` | `{"months":[{"period","kind","status","workers","policy_version","closed_at"}]}` |
//! | `{"op":"states","year":2026}` | `{"year","ytd":[…ytd records…]}` |
//! | `{"op":"import_ytd","through":"2026-06","ytd":[…]}` | `{"imported":n}` |
//! | `{"op":"policy"}` | `{"policy":"…toml…"}` |
//!
//! Every amount is a decimal string with two decimals (`"1300.00"`), never
//! a JSON number. A `request` may leave out its `kind` (`monthly` for
//! `pay`, `annual` for `annual`). A command that cannot be read is a
//! [`BookError::Command`]; a pay whose run has input errors stores nothing
//! and answers with `"stored": false` and the run's errors
//! ([`Reply::errors`]).

use super::{Book, BookError, Replace};
use crate::money::{Amount, format_amount};
use crate::rules::correction::{Adjustment, AdjustmentRecord};
use crate::rules::slip::LineCode;
use crate::rules::tax::YtdRecord;
use crate::run::{self, Kind, RequestError};
use crate::worker::{AssessmentRecord, HonourRecord, WorkerRecord};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;
use serde_json::{Map, Value, json};
use std::collections::BTreeMap;

/// A command's answer.
#[derive(Debug, Clone)]
pub struct Reply {
    /// The response document (JSON).
    pub json: String,
    /// The input errors of a `pay` or `annual` run that was therefore not
    /// stored (empty otherwise); the response lists them too, in `run.errors`.
    pub errors: Vec<String>,
}

#[derive(Deserialize)]
#[serde(tag = "op", rename_all = "snake_case", deny_unknown_fields)]
enum Command {
    Pay {
        request: Value,
    },
    Annual {
        request: Value,
    },
    Close {
        period: String,
    },
    Correct {
        period: String,
        reason: String,
        #[serde(default)]
        workers: Option<Vec<WorkerRecord>>,
        #[serde(default)]
        assessments: Option<Vec<AssessmentRecord>>,
        #[serde(default)]
        honours: Option<Vec<HonourRecord>>,
        #[serde(default)]
        changes: Option<Vec<crate::worker::ChangeRecord>>,
    },
    CorrectPolicy {
        policy: String,
        from: String,
        reason: String,
    },
    History {
        worker_id: String,
    },
    Report {
        year: i32,
    },
    Verify,
    Months,
    States {
        year: i32,
    },
    ImportYtd {
        through: String,
        ytd: Vec<YtdRecord>,
    },
    Policy,
}

/// Reads a command's request: a run request document whose `kind`, when
/// left out, is `kind`.
fn request_of(request: Value, kind: Kind) -> Result<run::Request, BookError> {
    let Value::Object(mut doc) = request else {
        return Err(BookError::Command(
            "request: expected an object (a run request document)".into(),
        ));
    };
    let name = match kind {
        Kind::Monthly => "monthly",
        Kind::Annual => "annual",
    };
    doc.entry("kind").or_insert_with(|| name.into());
    // Invariant: a map of JSON values serialises.
    let bytes = serde_json::to_vec(&doc).expect("a JSON object serialises");
    Ok(run::Request::from_json(&bytes)?)
}

/// The lines paying corrections, as a `correction` response writes them.
fn adjustments_doc(adjustments: &[Adjustment]) -> Value {
    let records: Vec<AdjustmentRecord> = adjustments.iter().map(Adjustment::to_record).collect();
    let lines: Vec<Value> = adjustments
        .iter()
        .map(|a| {
            json!({
                "worker_id": a.worker_id, "period": a.period, "line": a.line_code().code(),
                "amount": Amount(a.amount()).to_string(), "explain": a.explain(),
            })
        })
        .collect();
    let (mut arrears, mut recovery) = (Decimal::ZERO, Decimal::ZERO);
    for a in adjustments {
        match a.line_code() {
            LineCode::Recovery => recovery += a.amount(),
            _ => arrears += a.amount(),
        }
    }
    json!({
        "adjustments": records,
        "lines": lines,
        "totals": {"arrears": format_amount(arrears), "recovery": format_amount(recovery)},
    })
}

fn to_text(doc: &Value) -> String {
    // Invariant: a JSON value serialises.
    serde_json::to_string_pretty(doc).expect("a JSON value serialises")
}

fn reply(doc: Value) -> Reply {
    Reply {
        json: to_text(&doc),
        errors: Vec::new(),
    }
}

fn paid_reply(paid: super::Paid) -> Result<Reply, BookError> {
    #[derive(Serialize)]
    struct Doc<'a> {
        stored: bool,
        adjustments: usize,
        replaced: bool,
        run: &'a RawValue,
    }
    let run = RawValue::from_string(paid.run.to_json())
        .map_err(|e| BookError::Invalid(format!("response: {e}")))?;
    let doc = Doc {
        stored: paid.stored,
        adjustments: paid.adjustments,
        replaced: paid.replaced,
        run: &run,
    };
    // Invariant: booleans, numbers and a JSON text serialise.
    let json = serde_json::to_string(&doc).expect("the pay reply serialises");
    let errors = if paid.stored {
        Vec::new()
    } else {
        paid.run.errors.iter().map(ToString::to_string).collect()
    };
    Ok(Reply { json, errors })
}

fn history_doc(h: &super::History) -> Value {
    let periods: Vec<Value> = h
        .rows
        .iter()
        .map(|r| {
            let mut sums: BTreeMap<&'static str, Decimal> = BTreeMap::new();
            for (c, a) in r.lines.iter().filter(|l| l.0 != LineCode::Net) {
                *sums.entry(c.code()).or_insert(Decimal::ZERO) += *a;
            }
            let lines: Map<String, Value> = sums
                .into_iter()
                .map(|(c, a)| (c.to_string(), format_amount(a).into()))
                .collect();
            json!({
                "period": r.period, "status": r.status, "unit": r.unit,
                "lines": lines, "gross": format_amount(r.gross),
                "net": r.net.map(format_amount),
                "tax_withheld_ytd": r.tax_ytd.map(format_amount),
            })
        })
        .collect();
    let corrections: Vec<Value> = h
        .corrections
        .iter()
        .map(|(a, paid_in)| {
            json!({
                "period": a.period, "code": a.code.code(), "old": format_amount(a.old),
                "new": format_amount(a.new), "line": a.line_code().code(),
                "amount": format_amount(a.amount()), "reason": a.reason,
                "paid_in": paid_in,
            })
        })
        .collect();
    json!({"worker_id": h.worker_id, "periods": periods, "corrections": corrections})
}

/// Runs one JSON command (see the module documentation) on `book`.
///
/// ```
/// # let dir = tempfile::tempdir().unwrap();
/// use payrules::book::{Book, run_command};
///
/// let mut book = Book::init(&dir.path().join("pay.book"), None).unwrap();
/// let pay = br#"{"op": "pay", "request": {"period": "2026-11",
///   "workers": [{"id": "W1", "name": "Lin", "unit": "Wenquan", "position": "community_worker",
///                "hired_on": "2020-03-01"}],
///   "assessments": [{"worker_id": "W1", "period": "2026-11", "grade": "pass"}]}}"#;
/// let reply = run_command(&mut book, pay).unwrap();
/// let doc: serde_json::Value = serde_json::from_str(&reply.json).unwrap();
/// assert_eq!(doc["stored"], true);
/// assert_eq!(doc["run"]["totals"]["gross"], "4000.00");
/// run_command(&mut book, br#"{"op": "close", "period": "2026-11"}"#).unwrap();
/// let months = run_command(&mut book, br#"{"op": "months"}"#).unwrap();
/// assert!(months.json.contains(r#""status": "closed""#));
/// ```
pub fn run_command(book: &mut Book, command: &[u8]) -> Result<Reply, BookError> {
    run::refuse_empty(command)?;
    crate::limits::check_request_size(command).map_err(RequestError::Json)?;
    let cmd: Command = serde_json::from_slice(command).map_err(|e| {
        BookError::Command(format!(
            "{}; expected an object with \"op\": pay, annual, close, correct, correct_policy, history, report, verify, months, states, import_ytd or policy",
            crate::limits::json_error(&e)
        ))
    })?;
    match cmd {
        Command::Pay { request } => paid_reply(book.pay(request_of(request, Kind::Monthly)?)?),
        Command::Annual { request } => paid_reply(book.annual(request_of(request, Kind::Annual)?)?),
        Command::Close { period } => {
            let c = book.close(&period)?;
            Ok(reply(json!({
                "period": c.period, "seq": c.seq, "digest": c.digest, "workers": c.workers,
            })))
        }
        Command::Correct {
            period,
            reason,
            workers,
            assessments,
            honours,
            changes,
        } => {
            crate::limits::check_fields(
                &period,
                workers.as_deref().unwrap_or_default(),
                assessments.as_deref().unwrap_or_default(),
                honours.as_deref().unwrap_or_default(),
            )
            .and_then(|()| {
                crate::limits::check_change_fields(changes.as_deref().unwrap_or_default())
            })
            .map_err(RequestError::Json)?;
            let replace = Replace {
                workers,
                assessments,
                honours,
                changes,
            };
            let adjustments = book.correct(&period, replace, &reason)?;
            Ok(reply(adjustments_doc(&adjustments)))
        }
        Command::CorrectPolicy {
            policy,
            from,
            reason,
        } => {
            let adjustments = book.correct_policy(&policy, &from, &reason)?;
            Ok(reply(adjustments_doc(&adjustments)))
        }
        Command::History { worker_id } => Ok(reply(history_doc(&book.history(&worker_id)?))),
        Command::Report { year } => {
            let rows: Vec<Value> = book
                .report(year)?
                .iter()
                .map(|r| {
                    let by_code: Map<String, Value> = r
                        .by_code
                        .iter()
                        .map(|(c, a)| (c.code().to_string(), format_amount(*a).into()))
                        .collect();
                    json!({
                        "period": r.period, "status": r.status, "unit": r.unit,
                        "workers": r.workers, "by_code": by_code, "gross": format_amount(r.gross),
                    })
                })
                .collect();
            Ok(reply(json!({"year": year, "rows": rows})))
        }
        Command::Verify => {
            let v = book.verify()?;
            let problems: Vec<Value> = v
                .problems
                .iter()
                .map(|(p, m)| json!({"period": p, "message": m}))
                .collect();
            Ok(reply(
                json!({"ok": v.ok(), "months": v.months, "problems": problems}),
            ))
        }
        Command::Months => {
            let months: Vec<Value> = book
                .months()?
                .into_iter()
                .map(|m| {
                    json!({
                        "period": m.period, "kind": m.kind, "status": m.status,
                        "workers": m.workers, "policy_version": m.policy_version,
                        "closed_at": m.closed_at,
                    })
                })
                .collect();
            Ok(reply(json!({ "months": months })))
        }
        Command::States { year } => {
            let ytd = book.states(year)?;
            Ok(reply(json!({"year": year, "ytd": ytd})))
        }
        Command::ImportYtd { through, ytd } => {
            let n = book.import_ytd(&ytd, &through)?;
            Ok(reply(json!({ "imported": n })))
        }
        Command::Policy => Ok(reply(json!({ "policy": book.policy_text()? }))),
    }
}
