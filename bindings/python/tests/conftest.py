"""Shared fixtures: the repository (for include/payrules.h and the golden
cases) and the built-in policy."""

import json
from decimal import Decimal
from pathlib import Path

import pytest

import payrules

REPO = Path(__file__).resolve().parents[3]
GOLDEN = REPO / "tests" / "golden"


def golden_names():
    names = sorted(p.name[: -len(".request.json")] for p in GOLDEN.glob("*.request.json"))
    assert len(names) >= 4, f"golden cases missing under {GOLDEN}"
    return names


def load_json(path):
    """JSON with any number as Decimal, so nothing in a comparison is a float."""
    with open(path, encoding="utf-8") as f:
        return json.load(f, parse_float=Decimal)


@pytest.fixture(scope="session")
def policy():
    return payrules.Policy.builtin()
