"""Deterministic synthetic populations, for benchmarks and tests.

A mirror of the Rust library's ``src/synth.rs``: the same workers, grades
and partial months for the same ``n`` and month, so the two can be compared.
"""

from __future__ import annotations

_POSITIONS = ("community_worker", "community_secretary", "career_secretary")
_TITLES = ("none", "assistant_social_worker", "social_worker", "senior_social_worker")
_GRADES = ("excellent", "excellent", "good", "good", "good", "good", "good", "good", "pass", "fail")


def monthly_request(n: int, period: str = "2026-11") -> dict:
    """A monthly request for ``n`` workers in units of 10, with mixed
    positions and titles, 5% partial months and grades within the built-in
    quotas (per 10: 2 excellent, 6 good, 1 pass, 1 fail)."""
    y, m = period.split("-")
    workers = []
    assessments = []
    for i in range(n):
        wid = f"W{i:07}"
        partial = i % 20 == 7
        left = None
        if partial and i % 40 == 7:
            hired = f"{y}-{m}-11"
        elif partial:
            hired, left = "2019-05-01", f"{y}-{m}-20"
        else:
            hired = f"{2010 + i % 12:04}-03-01"
        w = {
            "id": wid,
            "name": f"社工{i}",
            "unit": f"社区{i // 10:05}",
            "position": _POSITIONS[1 + i % 2 if i % 10 == 0 else 0],
            "title": _TITLES[i % 4],
            "hired_on": hired,
        }
        if left is not None:
            w["left_on"] = left
        workers.append(w)
        assessments.append({"worker_id": wid, "period": period, "grade": _GRADES[(i * 7) % 10]})
    return {"kind": "monthly", "period": period, "workers": workers, "assessments": assessments, "honours": []}
