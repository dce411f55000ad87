"""Python's table of Chinese names and aliases reads codes as the engine does."""

import pytest

import payrules
from payrules import _codes

WORKER = {"id": "A", "name": "", "unit": "u", "position": "community_worker", "title": "none",
          "hired_on": "2020-01-01"}


def run_with(title="none", grade="good", level=None):
    # Nine colleagues graded pass make a pool of ten, so any one grade is within the quotas.
    others = [dict(WORKER, id=f"O{i}") for i in range(9)]
    request = {"kind": "monthly", "period": "2026-11", "workers": [dict(WORKER, title=title)] + others,
               "assessments": [{"worker_id": "A", "period": "2026-11", "grade": grade}]
               + [{"worker_id": w["id"], "period": "2026-11", "grade": "pass"} for w in others]}
    if level is not None:
        request["honours"] = [{"worker_id": "A", "level": level, "awarded_on": "2026-11-02"}]
    return [(l["code"], l["amount"]) for l in payrules.run(request)["payslips"][0]["lines"]]


@pytest.mark.parametrize("enum", [payrules.Grade, payrules.Title, payrules.HonourLevel])
def test_every_name_python_accepts_the_engine_reads_alike(enum):
    kw = {payrules.Grade: "grade", payrules.Title: "title", payrules.HonourLevel: "level"}[enum]
    for name, member in _codes._TABLES[enum].items():
        if name == "" and enum is not payrules.Title:
            continue
        assert run_with(**{kw: name}) == run_with(**{kw: member.code}), (name, member)


def test_unknown_codes_are_refused_by_both():
    with pytest.raises(payrules.InputError):
        run_with(title="博士")
    with pytest.raises(payrules.InputError):
        _codes.parse_code(payrules.Title, "博士", "title")
