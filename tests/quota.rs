//! Grade quotas: slots worked by hand, ties, scores in runs, and invariants.

mod common;
use common::*;
use payrules::period::parse_date;
use payrules::policy::{PolicySet, QuotaRounding, QuotaRule, Ties};
use payrules::quota::{Candidate, assign, check, slots};
use payrules::run::List;
use payrules::worker::Grade::{self, *};
use proptest::prelude::*;
use rust_decimal::Decimal;
use serde_json::json;

fn rule(rounding: QuotaRounding, min_excellent: u32, ties: Ties) -> QuotaRule {
    let mut r = PolicySet::builtin().versions()[0].quota().clone();
    r.rounding = rounding;
    r.min_excellent = min_excellent;
    r.ties = ties;
    r
}

#[test]
fn slots_by_rounding() {
    use QuotaRounding::*;
    // (graded, floor, half_up, ceil, floor with min_excellent = 1) as (excellent, good)
    let table = [
        (4, (0, 2), (1, 2), (1, 3), (1, 2)),
        (5, (1, 3), (1, 3), (1, 3), (1, 3)),
        (10, (2, 6), (2, 6), (2, 6), (2, 6)),
        (9, (1, 5), (2, 5), (2, 6), (1, 5)),
        (1, (0, 0), (0, 1), (1, 0), (1, 0)),
        (0, (0, 0), (0, 0), (0, 0), (0, 0)),
    ];
    for (n, floor, half, ceil, min1) in table {
        assert_eq!(
            slots(&rule(Floor, 0, Ties::Seniority), n),
            floor,
            "floor {n}"
        );
        assert_eq!(
            slots(&rule(HalfUp, 0, Ties::Seniority), n),
            half,
            "half_up {n}"
        );
        assert_eq!(slots(&rule(Ceil, 0, Ties::Seniority), n), ceil, "ceil {n}");
        assert_eq!(
            slots(&rule(Floor, 1, Ties::Seniority), n),
            min1,
            "min_excellent {n}"
        );
    }
}

fn cands<'a>(ids: &'a [String], scores: &[&str], hired: &[&str]) -> Vec<Candidate<'a>> {
    ids.iter()
        .enumerate()
        .map(|(i, id)| Candidate {
            id,
            pool: "温泉社区",
            score: scores[i].parse().unwrap(),
            hired_on: parse_date(hired.get(i).copied().unwrap_or("2020-01-01")).unwrap(),
        })
        .collect()
}

#[test]
fn three_way_tie_at_the_boundary() {
    // Ten people: 2 excellent and 6 good slots. 99 first, then three at 90
    // competing for the second excellent slot.
    let ids: Vec<String> = (0..10).map(|i| format!("W{i}")).collect();
    let scores = ["99", "90", "90", "90", "80", "80", "75", "70", "65", "50"];
    let hired = ["2015-01-01", "2021-01-01", "2018-06-01", "2018-06-01"];
    let c = cands(&ids, &scores, &hired);

    let (a, pools) = assign(&rule(QuotaRounding::Floor, 0, Ties::Seniority), &c);
    let g: Vec<Grade> = a.iter().map(|x| x.grade).collect();
    // Seniority: W2 and W3 were hired on the same day, so the id decides: W2.
    assert_eq!(
        g,
        [
            Excellent, Good, Excellent, Good, Good, Good, Good, Good, Pass, Fail
        ]
    );
    assert_eq!((pools[0].excellent.used, pools[0].good.used), (2, 6));
    assert_eq!(
        a.iter().map(|x| x.rank).collect::<Vec<_>>(),
        [1, 4, 2, 3, 5, 6, 7, 8, 9, 10]
    );

    let (a, pools) = assign(&rule(QuotaRounding::Floor, 0, Ties::Exclude), &c);
    let g: Vec<Grade> = a.iter().map(|x| x.grade).collect();
    // Exclude: all three 90s drop to good; the second excellent slot stays
    // empty; the six good slots go to the 90s, the 80s and the 75.
    assert_eq!(
        g,
        [
            Excellent, Good, Good, Good, Good, Good, Good, Pass, Pass, Fail
        ]
    );
    assert_eq!((pools[0].excellent.used, pools[0].good.used), (1, 6));
    assert_eq!(
        a.iter().map(|x| x.rank).collect::<Vec<_>>(),
        [1, 2, 2, 2, 5, 5, 7, 8, 9, 10]
    );
}

/// Scores of mixed scales rank by value, also when one is too large to be
/// ranked as an integer at the finest scale (the decimals are then compared).
#[test]
fn scores_of_any_scale_rank_by_value() {
    let ids: Vec<String> = (0..5).map(|i| format!("W{i}")).collect();
    let huge = Decimal::MAX.to_string();
    for top in ["100", huge.as_str()] {
        let scores = [
            "80.5",
            "80.50001",
            top,
            "0.0000000000000000000000000001",
            "80.4999",
        ];
        let mut r = rule(QuotaRounding::Floor, 0, Ties::Seniority);
        r.max_score = Decimal::MAX;
        let (a, _) = assign(&r, &cands(&ids, &scores, &[]));
        let ranks: Vec<u32> = a.iter().map(|x| x.rank).collect();
        assert_eq!(ranks, [3, 2, 1, 5, 4], "top score {top}");
    }
}

#[test]
fn exclude_is_not_monotone_as_documented() {
    // One excellent and one good slot (caps 0.34 of 3 → 1 each).
    let mut r = rule(QuotaRounding::Floor, 0, Ties::Exclude);
    r.excellent = "0.34".parse().unwrap();
    r.good = "0.34".parse().unwrap();
    let ids: Vec<String> = ["A", "B", "C"].iter().map(|s| s.to_string()).collect();
    let (a, _) = assign(&r, &cands(&ids, &["95", "90", "70"], &[]));
    assert_eq!([a[0].grade, a[1].grade], [Excellent, Good]);
    let (a, _) = assign(&r, &cands(&ids, &["95", "95", "70"], &[]));
    assert_eq!([a[0].grade, a[1].grade], [Pass, Pass]);
    // Under seniority the raise never hurts.
    r.ties = Ties::Seniority;
    let (a, _) = assign(&r, &cands(&ids, &["95", "95", "70"], &[]));
    assert_eq!([a[0].grade, a[1].grade], [Excellent, Good]);
}

#[test]
fn minimum_scores_leave_slots_empty() {
    let mut r = rule(QuotaRounding::Floor, 0, Ties::Seniority);
    r.excellent_min_score = Some("95".parse().unwrap());
    r.good_min_score = Some("85".parse().unwrap());
    let ids: Vec<String> = (0..5).map(|i| format!("W{i}")).collect();
    let (a, pools) = assign(&r, &cands(&ids, &["94", "90", "85", "84", "61"], &[]));
    assert_eq!(
        a.iter().map(|x| x.grade).collect::<Vec<_>>(),
        [Good, Good, Good, Pass, Pass]
    );
    assert_eq!(
        pools[0].excellent,
        payrules::quota::Slots {
            allowed: 1,
            used: 0
        }
    );
}

#[test]
fn everyone_ungraded() {
    // All three on probation: the pool is reported with nobody graded.
    let mut d = json!({"kind": "monthly", "period": "2026-11", "workers": [], "assessments": []});
    for i in 0..3 {
        let w = worker(
            &format!("P{i}"),
            json!({"hired_on": "2026-10-01", "probation_until": "2027-03-31"}),
        );
        d["workers"].as_array_mut().unwrap().push(w);
    }
    let r = response(&run_doc(d, None));
    assert_eq!(r["complete"], true, "{}", r["errors"]);
    assert_eq!(
        r["quota"],
        json!([{"pool": "温泉社区", "graded": 0, "excellent": {"allowed": 0, "used": 0}, "good": {"allowed": 0, "used": 0}}])
    );
    let pools = check(
        PolicySet::builtin().versions()[0].quota(),
        [("U", Ungraded), ("U", Ungraded)].into_iter(),
    );
    assert_eq!(pools[0].graded, 0);
}

#[test]
fn scores_in_a_run() {
    // Eleven scored workers in one pool: 2 excellent, 6 good slots.
    let mut d = json!({"kind": "monthly", "period": "2026-11", "workers": [], "assessments": []});
    for i in 0..11 {
        let id = format!("S{i:02}");
        d["workers"]
            .as_array_mut()
            .unwrap()
            .push(worker(&id, json!({})));
        let score = if i == 10 {
            "59".to_string()
        } else {
            format!("{}", 95 - i * 3)
        };
        d["assessments"]
            .as_array_mut()
            .unwrap()
            .push(json!({"worker_id": id, "period": "2026-11", "score": score}));
    }
    let r = response(&run_doc(d.clone(), None));
    assert_eq!(r["complete"], true, "{}", r["errors"]);
    assert_eq!(
        r["quota"],
        json!([{"pool": "温泉社区", "graded": 11, "excellent": {"allowed": 2, "used": 2}, "good": {"allowed": 6, "used": 6}}])
    );
    let bonus = &slip(&r, "S01")["lines"][4];
    assert_eq!(bonus["amount"], "1300.00");
    assert_eq!(
        bonus["explain"],
        "grade excellent: rank 2 of 11 in pool 温泉社区; excellent slots 2 → 1300.00"
    );
    assert_eq!(amount(&r, "S02", "monthly_bonus"), "1100.00");
    assert_eq!(amount(&r, "S08", "monthly_bonus"), "900.00"); // 95 − 24 = 71, pass
    assert_eq!(amount(&r, "S10", "monthly_bonus"), "0.00"); // 59 is below fail_below = 60
    assert_eq!(
        slip(&r, "S10")["lines"][4]["explain"],
        "grade fail: rank 11 of 11 in pool 温泉社区 → 0.00"
    );
}

#[test]
fn given_grades_over_a_cap_make_the_run_incomplete() {
    let mut d = json!({"kind": "monthly", "period": "2026-11", "workers": [], "assessments": []});
    for i in 0..5 {
        let id = format!("G{i}");
        d["workers"]
            .as_array_mut()
            .unwrap()
            .push(worker(&id, json!({})));
        let g = if i < 3 { "excellent" } else { "pass" };
        d["assessments"]
            .as_array_mut()
            .unwrap()
            .push(grade(&id, "2026-11", g));
    }
    let r = response(&run_doc(d, None));
    assert_eq!(r["complete"], false);
    let e = &r["errors"][0];
    assert_eq!(e["worker_id"], json!(null));
    assert_eq!(e["field"], "grade");
    assert_eq!(
        e["message"],
        "pool 温泉社区: 3 excellent grades for 5 graded workers, 1 allowed (cap 20%) by policy gulou 2018 §quota.excellent; 2 over the cap: G1, G2 (the lowest ranked excellent by score, then hire date, then id)"
    );
}

#[test]
fn a_quota_overrun_names_the_lowest_ranked_holders() {
    // Ten workers of one unit: the cap allows 2 excellent (20% of 10).
    // Four are given excellent; without scores they rank by hire date: E1
    // (2015), E2 (2016), E4 (2019), E3 (2020). E4 and E3 are over.
    let mut d = json!({"kind": "monthly", "period": "2026-11", "workers": [], "assessments": []});
    let hired = |id: &str| match id {
        "E1" => "2015-03-01",
        "E2" => "2016-03-01",
        "E3" => "2020-05-01",
        "E4" => "2019-05-01",
        _ => "2018-01-01",
    };
    for i in 0..10 {
        let id = if i < 4 {
            format!("E{}", i + 1)
        } else {
            format!("P{i}")
        };
        d["workers"]
            .as_array_mut()
            .unwrap()
            .push(worker(&id, json!({"hired_on": hired(&id)})));
        let a = grade(&id, "2026-11", if i < 4 { "excellent" } else { "pass" });
        d["assessments"].as_array_mut().unwrap().push(a);
    }
    // Listed in reverse so that input order is not the ranking.
    d["assessments"].as_array_mut().unwrap().reverse();
    let out = run_doc(d, None);
    let r = response(&out);
    assert_eq!(r["complete"], false);
    let errors = r["errors"].as_array().unwrap();
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert_eq!(
        errors[0]["message"],
        "pool 温泉社区: 4 excellent grades for 10 graded workers, 2 allowed (cap 20%) by policy gulou 2018 §quota.excellent; 2 over the cap: E3, E4 (the lowest ranked excellent by score, then hire date, then id)"
    );
    // The over workers' assessments are the related records (E3 is
    // assessments[7] and E4 assessments[6] after the reversal), so a file
    // face shows their rows.
    let e = &out.errors[0];
    let mut related = e.related.clone();
    related.sort();
    assert_eq!(related, [(List::Assessments, 6), (List::Assessments, 7)]);
}

#[test]
fn bad_scores() {
    let mk = |score: &str, extra: Option<serde_json::Value>| {
        let mut d = json!({"kind": "monthly", "period": "2026-11",
            "workers": [worker("A", json!({}))],
            "assessments": [{"worker_id": "A", "period": "2026-11", "score": score}]});
        if let Some(a) = extra {
            d["assessments"].as_array_mut().unwrap().push(a);
        }
        response(&run_doc(d, None))
    };
    for (score, expect) in [
        ("NaN", "is not a plain decimal"),
        ("-1", "is negative"),
        ("100.5", "above the policy's max_score 100"),
    ] {
        let r = mk(score, None);
        assert_eq!(r["errors"][0]["field"], "score", "{score}");
        assert!(
            r["errors"][0]["message"].as_str().unwrap().contains(expect),
            "{}",
            r["errors"][0]["message"]
        );
    }
    let r = mk(
        "80",
        Some(json!({"worker_id": "A", "period": "2026-11", "score": "81"})),
    );
    assert!(
        r["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("assessed more than once")
    );
    // A grade and a score that disagree: alone in its pool, 80 earns pass.
    let r = mk("80", None);
    assert_eq!(amount(&r, "A", "monthly_bonus"), "900.00");
    let mut d = json!({"kind": "monthly", "period": "2026-11", "workers": [worker("A", json!({}))],
        "assessments": [{"worker_id": "A", "period": "2026-11", "score": "80", "grade": "good"}]});
    let r = response(&run_doc(d.clone(), None));
    assert!(
        r["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("grade good disagrees with score 80"),
        "{}",
        r["errors"]
    );
    d["assessments"][0]["grade"] = json!("pass");
    assert_eq!(response(&run_doc(d, None))["complete"], true);
}

fn arb_pool() -> impl Strategy<Value = Vec<(u32, u8, u16)>> {
    // (score 0..=100, unit, hire day)
    prop::collection::vec((0u32..=100, 0u8..4, 0u16..2000), 0..60)
}

fn arb_rule() -> impl Strategy<Value = QuotaRule> {
    (
        0usize..3,
        any::<bool>(),
        0u32..3,
        0u32..=50,
        0u32..=50,
        any::<bool>(),
    )
        .prop_map(|(r, ex, min, e, g, all)| {
            let mut q = rule(
                [
                    QuotaRounding::Floor,
                    QuotaRounding::HalfUp,
                    QuotaRounding::Ceil,
                ][r],
                min,
                if ex { Ties::Exclude } else { Ties::Seniority },
            );
            q.excellent = Decimal::new(e as i64, 2);
            q.good = Decimal::new(g as i64, 2);
            if all {
                q.pool = payrules::policy::Pool::All;
            }
            q
        })
}

fn build(pool: &[(u32, u8, u16)]) -> (Vec<String>, Vec<String>) {
    let ids = (0..pool.len()).map(|i| format!("W{i:03}")).collect();
    let units = pool.iter().map(|p| format!("U{}", p.1)).collect();
    (ids, units)
}

fn candidates<'a>(
    pool: &[(u32, u8, u16)],
    ids: &'a [String],
    units: &'a [String],
) -> Vec<Candidate<'a>> {
    pool.iter()
        .enumerate()
        .map(|(i, &(s, _, h))| Candidate {
            id: &ids[i],
            pool: &units[i],
            score: Decimal::from(s),
            hired_on: parse_date("2015-01-01").unwrap() + chrono::Duration::days(h as i64),
        })
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    /// No cap is ever exceeded, for any rounding and tie rule; every graded
    /// worker gets exactly one of the four grades.
    #[test]
    fn caps_never_exceeded(pool in arb_pool(), r in arb_rule()) {
        let (ids, units) = build(&pool);
        let c = candidates(&pool, &ids, &units);
        let (a, reports) = assign(&r, &c);
        prop_assert_eq!(a.len(), c.len());
        let mut graded = 0;
        for rep in &reports {
            prop_assert!(rep.excellent.used <= rep.excellent.allowed);
            prop_assert!(rep.good.used <= rep.good.allowed);
            prop_assert!(rep.excellent.allowed + rep.good.allowed <= rep.graded);
            let members: Vec<_> = a.iter().filter(|x| reports[x.pool as usize].pool == rep.pool).collect();
            prop_assert_eq!(members.len() as u32, rep.graded);
            prop_assert_eq!(members.iter().filter(|x| x.grade == Excellent).count() as u32, rep.excellent.used);
            prop_assert_eq!(members.iter().filter(|x| x.grade == Good).count() as u32, rep.good.used);
            graded += rep.graded;
        }
        prop_assert_eq!(graded as usize, c.len());
        prop_assert!(a.iter().all(|x| matches!(x.grade, Excellent | Good | Pass | Fail)));
        // The checker agrees with the assignment.
        let checked = check(&r, c.iter().zip(&a).map(|(c, a)| (c.pool, a.grade)));
        prop_assert_eq!(checked, reports);
    }

    /// The result does not depend on input order.
    #[test]
    fn order_does_not_matter(pool in arb_pool(), r in arb_rule()) {
        let (ids, units) = build(&pool);
        let c = candidates(&pool, &ids, &units);
        let (a, reports) = assign(&r, &c);
        let mut rev = c.clone();
        rev.reverse();
        let (b, reports_b) = assign(&r, &rev);
        prop_assert_eq!(reports, reports_b);
        let n = c.len();
        for i in 0..n {
            prop_assert_eq!(a[i].grade, b[n - 1 - i].grade);
            prop_assert_eq!(a[i].rank, b[n - 1 - i].rank);
        }
    }

    /// Raising one worker's score, all else equal, never lowers that
    /// worker's grade (under `seniority`, the default; see the quota module
    /// docs for why `exclude` cannot promise this).
    #[test]
    fn higher_score_never_lower_grade(pool in arb_pool(), r in arb_rule(), who in any::<prop::sample::Index>(), up in 1u32..40) {
        prop_assume!(!pool.is_empty());
        let mut r = r;
        r.ties = Ties::Seniority;
        let (ids, units) = build(&pool);
        let i = who.index(pool.len());
        let c = candidates(&pool, &ids, &units);
        let before = assign(&r, &c).0[i].grade;
        let mut raised = c.clone();
        raised[i].score = (raised[i].score + Decimal::from(up)).min(Decimal::ONE_HUNDRED);
        let after = assign(&r, &raised).0[i].grade;
        prop_assert!(after >= before, "{:?} → {:?}", before, after);
    }

    /// Ungraded workers never count: adding them changes no one's grade and
    /// no pool's slots.
    #[test]
    fn ungraded_never_count(pool in arb_pool(), extra in 0usize..10) {
        let r = PolicySet::builtin().versions()[0].quota().clone();
        let (ids, units) = build(&pool);
        let c = candidates(&pool, &ids, &units);
        let (a, _) = assign(&r, &c);
        let grades: Vec<(&str, Grade)> = c.iter().zip(&a).map(|(c, a)| (c.pool, a.grade)).collect();
        let mut with_ungraded = grades.clone();
        with_ungraded.extend(std::iter::repeat_n(("U0", Ungraded), extra));
        let p1 = check(&r, grades.into_iter());
        let p2 = check(&r, with_ungraded.into_iter());
        for rep in &p1 {
            let same = p2.iter().find(|x| x.pool == rep.pool).unwrap();
            prop_assert_eq!(rep, same);
        }
    }
}
