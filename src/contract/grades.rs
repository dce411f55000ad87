//! The `grades` document: the grade each worker gets in a period — given,
//! missing, on probation, or assigned from a score under the quota rule —
//! with the quota pools, read from the run itself (the bonus line's
//! [`Why`]), never from its explanation text.
//!
//! Request: a run document with `"kind": "grades"`; a `YYYY-MM` period
//! grades a month, a `YYYY` period a year. Response:
//!
//! ```json
//! {"kind": "grades", "period": "2026-11", "complete": true,
//!  "grades": [{"worker_id": "S00", "grade": "excellent", "source": "quota",
//!              "pool": "温泉社区", "rank": 1, "of": 5}],
//!  "errors": [], "quota": [...]}
//! ```

use crate::rules::slip::{GradeNote, LineCode, Why};
use crate::run::Run;
use serde_json::{Value, json};

/// The grades document of a run.
#[must_use]
pub fn grades_json(run: &Run) -> String {
    let grades: Vec<Value> = run
        .payslips
        .iter()
        .filter_map(|slip| {
            let (grade, note) = slip.lines.iter().find_map(|l| match (l.code, l.why) {
                (
                    LineCode::MonthlyBonus | LineCode::AnnualBonus,
                    Why::Bonus { grade, note, .. },
                ) => Some((grade, note)),
                _ => None,
            })?;
            let id = &run.workers.get(slip.worker)?.id;
            let mut v = json!({"worker_id": id, "grade": grade.code()});
            let source = match note {
                GradeNote::Given => "given",
                GradeNote::Missing => "missing",
                GradeNote::Probation(until) => {
                    v["probation_until"] = json!(until.to_string());
                    "probation"
                }
                GradeNote::Quota { rank, of, pool, .. } => {
                    let name = run.quota.get(pool as usize).map(|p| p.pool.as_str());
                    v["pool"] = json!(name);
                    v["rank"] = json!(rank);
                    v["of"] = json!(of);
                    "quota"
                }
            };
            v["source"] = json!(source);
            Some(v)
        })
        .collect();
    let doc = json!({
        "kind": "grades",
        "period": run.period,
        "complete": run.complete(),
        "grades": grades,
        "errors": run.errors,
        "quota": run.quota,
    });
    // Invariant: strings, numbers, booleans and arrays always serialise.
    serde_json::to_string_pretty(&doc).expect("grades serialise")
}

#[cfg(test)]
mod tests {
    use crate::contract::run_json;
    use serde_json::Value;

    #[test]
    fn scores_become_grades_under_the_quota() {
        let mut req: Value = serde_json::from_slice(
            &std::fs::read(concat!(
                env!("CARGO_MANIFEST_DIR"),
                "/tests/golden/scores.request.json"
            ))
            .unwrap(),
        )
        .unwrap();
        req["kind"] = "grades".into();
        let resp = run_json(req.to_string().as_bytes(), None).unwrap();
        let v: Value = serde_json::from_str(&resp.json).unwrap();
        assert_eq!(v["kind"], "grades");
        // The same grades the monthly run pays, worker by worker.
        req["kind"] = "monthly".into();
        let run: Value =
            serde_json::from_str(&run_json(req.to_string().as_bytes(), None).unwrap().json)
                .unwrap();
        let grades = v["grades"].as_array().unwrap();
        assert_eq!(grades.len(), run["payslips"].as_array().unwrap().len());
        for (g, slip) in grades.iter().zip(run["payslips"].as_array().unwrap()) {
            assert_eq!(g["worker_id"], slip["worker_id"]);
            let rule = slip["lines"]
                .as_array()
                .unwrap()
                .iter()
                .find(|l| l["code"] == "monthly_bonus")
                .unwrap()["rule"]
                .as_str()
                .unwrap()
                .to_string();
            let grade = g["grade"].as_str().unwrap();
            assert!(rule.ends_with(&format!(".{grade}")), "{rule} vs {grade}");
        }
        let first = &grades[0];
        assert_eq!(first["source"], "quota");
        assert_eq!(first["rank"], 1);
        assert_eq!(v["quota"], run["quota"]);
    }
}
