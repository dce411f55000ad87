"""Shared fixtures: the repository (for include/payrules.h and the golden
cases) and the built-in policy."""

import json
import os
from decimal import Decimal
from pathlib import Path

import pytest

import payrules

# scripts/test-python.sh runs the tests against the installed wheel: the
# package must come from that environment, not from the source tree.
_INSTALLED_UNDER = os.environ.get("PAYRULES_INSTALLED_UNDER")
if _INSTALLED_UNDER:
    _found = Path(payrules.__file__).resolve()
    assert _found.is_relative_to(Path(_INSTALLED_UNDER).resolve()), (
        f"payrules imported from {_found}, not from the environment {_INSTALLED_UNDER}"
    )

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
