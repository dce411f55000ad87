"""Grades from scores under the policy's quotas, through a JSON run."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any, Iterable, Mapping, Optional, Union

from ._codes import Grade, codes_document
from ._errors import InputError
from ._policy import Policy, builtin
from ._run import run

_PERIOD_RE = re.compile(r"\d{4}(-\d{2})?\Z")


def _positions(policy: Policy) -> list:
    """The positions of the policy's versions, from the library's code table."""
    doc = codes_document(policy._ptr)
    return sorted({p for v in doc["versions"] for p in v["positions"]})


def assign_grades(
    scores: Mapping[str, Union[Decimal, str, int]],
    roster: Optional[Iterable[Mapping[str, Any]]] = None,
    *,
    period: str,
    policy: Optional[Policy] = None,
) -> dict:
    """Grades by score under the policy's quotas (excellent ≤ 20%, good ≤ 60%
    of each pool under the built-in policy), exactly as a run grades them.

    ``scores``: ``{worker_id: score}``, scores as ``Decimal``, ``str`` or
    ``int`` (a ``float`` is a ``TypeError``). ``period``: ``"2026-11"`` for a
    month or ``"2026"`` for a year. ``roster``: the workers (request
    ``workers`` records) whose units make the quota pools, whose hire dates
    break ties under ``quota.ties = "seniority"`` and whose probation makes
    them ungraded; without it every scored worker is put in one pool, hired
    on the period's first day, so ties fall to the worker id.

    Returns ``{worker_id: Grade}`` sorted by worker id, for the workers
    employed in the period. Goes through :func:`run` with a ``grades``
    document (``score`` assessments), whose response gives each worker's
    grade as data.
    Raises :class:`InputError` for bad scores or records.
    """
    if not isinstance(period, str) or not _PERIOD_RE.match(period):
        raise InputError(f"{period!r} is not a period; write YYYY-MM or YYYY", field="period")
    annual = len(period) == 4
    if not isinstance(scores, Mapping):
        raise TypeError(f"scores: expected a mapping worker_id → score, got {type(scores).__name__}")
    if roster is None:
        positions = _positions(policy or builtin())
        start = f"{period}-01-01" if annual else f"{period}-01"
        workers = [
            {"id": wid, "name": "", "unit": "all", "position": positions[0], "title": "none", "hired_on": start}
            for wid in scores
        ]
    else:
        workers = list(roster)
    assessments = [{"worker_id": wid, "period": period, "score": s} for wid, s in scores.items()]
    request = {
        "kind": "grades",
        "period": period,
        "workers": workers,
        "assessments": assessments,
    }
    response = run(request, policy)
    return {g["worker_id"]: Grade[g["grade"].upper()] for g in response["grades"]}
