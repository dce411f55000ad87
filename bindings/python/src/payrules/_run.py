"""Whole runs: the JSON documents of ``payrules run``, as Python dicts."""

from __future__ import annotations

import json
from decimal import Decimal
from itertools import chain
from typing import Any, Mapping, Optional

from ._codes import Grade, HonourLevel, Title, plain
from ._errors import InputError, Problem, error_for, take_message
from ._gcpause import gc_paused
from ._native import ffi, lib
from ._policy import Policy

_ENUMS = (Grade, Title, HonourLevel)

# Response fields holding amounts (strings with two decimals in the JSON),
# returned as Decimal: a line's "amount", a payslip's and the totals'
# "gross" (see _hook), and every value of "by_code" and "by_unit".
AMOUNT_MAPS = frozenset({"by_code", "by_unit"})

_cache: dict = {}


def _dec(s: str) -> Decimal:
    d = _cache.get(s)
    if d is None:
        if len(_cache) > 100_000:
            _cache.clear()
        d = _cache[s] = Decimal(s)
    return d


def _hook(obj: dict) -> dict:
    if "delta" in obj:
        # A what-if comparison: {"old", "new", "delta"} amounts. (Grade
        # changes also have "old" and "new", but grades, and no "delta".)
        for k in ("old", "new", "delta"):
            v = obj.get(k)
            if v.__class__ is str:
                obj[k] = _dec(v)
    v = obj.get("amount")
    if v.__class__ is str:
        obj["amount"] = _dec(v)
    v = obj.get("gross")
    if v.__class__ is str:
        obj["gross"] = _dec(v)
    if "by_code" in obj or "by_unit" in obj:
        for k in AMOUNT_MAPS.intersection(obj):
            m = obj[k]
            if type(m) is dict:
                for kk, v in m.items():
                    if type(v) is str:
                        m[kk] = _dec(v)
    return obj


# Values json.dumps writes as a request needs them (everything else is
# converted by plain(), or refused).
_AS_IS = frozenset({str, bool, type(None)})


def _plain_records(value: list) -> bool:
    """Whether ``value`` is a list of dicts (exactly) with string keys and
    only str / bool / None values, which json.dumps may write as it stands:
    the usual ``workers`` and ``assessments``. Checked by type sets, in C."""
    return (
        set(map(type, value)) <= _DICT
        and set(map(type, chain.from_iterable(value))) <= _STR
        and set(map(type, chain.from_iterable(map(dict.values, value)))) <= _AS_IS
    )


_DICT = frozenset({dict})
_STR = frozenset({str})


def _jsonable(value: Any, where: str) -> Any:
    """The request with every Decimal / int / date as its string (a copy,
    except lists of plain records, which are returned as they are); a float
    anywhere is a TypeError naming where."""
    t = type(value)
    if t is str:
        return value
    if t is list and _plain_records(value):
        return value
    if t is dict or isinstance(value, Mapping):
        out = {}
        for k, v in value.items():
            if type(k) is not str:
                raise TypeError(f"{where}: keys must be strings, got {type(k).__name__}")
            tv = type(v)
            out[k] = v if tv is str else _jsonable(v, f"{where}.{k}" if where else k)
        return out
    if t is list or t is tuple:
        return [v if type(v) is str else _jsonable(v, f"{where}[{i}]") for i, v in enumerate(value)]
    if isinstance(value, _ENUMS):
        return value.code
    if isinstance(value, Policy):
        return value.to_toml()
    return plain(value, where or "request")


def request_json(request: Mapping[str, Any]) -> bytes:
    """The request as the UTF-8 JSON bytes ``payrules run`` reads."""
    if not isinstance(request, Mapping):
        raise TypeError(f"request: expected a dict, got {type(request).__name__}")
    with gc_paused():
        doc = _jsonable(request, "")
        return json.dumps(doc, ensure_ascii=False, separators=(",", ":")).encode("utf-8", "surrogatepass")


def parse_response(text: str) -> dict:
    """A response document with its amounts as Decimal. (The garbage
    collector is paused: a 100,000-payslip response is millions of dicts
    and strings, none in cycles, and would set off full collections.)"""
    with gc_paused():
        return json.loads(text, object_hook=_hook)


def run_text(request: bytes, policy: Optional[Policy] = None) -> tuple[int, str, str]:
    """Runs request bytes; returns (status, response text, error message)."""
    if policy is not None and not isinstance(policy, Policy):
        raise TypeError(f"policy: expected a payrules.Policy, got {type(policy).__name__}")
    ptr = ffi.NULL if policy is None else policy._ptr
    resp = ffi.new("char **")
    n = ffi.new("size_t *")
    errp = ffi.new("payrules_error **")
    status = lib.payrules_run_json(ptr, request, len(request), resp, n, errp)
    message = take_message(errp[0])
    text = ""
    if status in (lib.PAYRULES_OK, lib.PAYRULES_INPUT_ERRORS):
        try:
            text = ffi.unpack(resp[0], n[0]).decode("utf-8")
        finally:
            lib.payrules_string_free(resp[0])
    return status, text, message


def run(request: Mapping[str, Any], policy: Optional[Policy] = None, *, strict: bool = True) -> dict:
    """Runs a whole request: the same JSON documents as ``payrules run``.

    ``request`` is the request document as a dict (``kind``, ``period``,
    ``workers``, ``assessments``, ``honours``, optional ``policy`` text; see
    the README, "The JSON documents"). Scores may be ``Decimal``, ``str`` or
    ``int``; dates ``datetime.date`` or ``"YYYY-MM-DD"``; codes strings or
    :class:`Grade` / :class:`Title` / :class:`HonourLevel`. A ``float``
    anywhere is a ``TypeError``.

    The policy is the request's own ``policy`` text if any, else ``policy``,
    else the built-in one. Returns the response document as a dict, every
    amount (``amount``, ``gross``, the totals) a ``Decimal``.

    When inputs have errors the run still pays everyone else; with
    ``strict=True`` (the default) it raises :class:`InputError` whose
    ``errors`` lists every problem and whose ``response`` holds the response
    (``"complete": false``); with ``strict=False`` it returns that response.
    A request that cannot be run at all raises :class:`InputError` (not a
    request, bad period) or :class:`PolicyError`.
    """
    status, text, message = run_text(request_json(request), policy)
    if status == lib.PAYRULES_OK:
        return parse_response(text)
    if status == lib.PAYRULES_INPUT_ERRORS:
        response = parse_response(text)
        if not strict:
            return response
        errors = [Problem(e.get("worker_id"), e.get("field", ""), e.get("message", "")) for e in response["errors"]]
        raise InputError(message, status, errors=errors, response=response)
    field = "period" if message.startswith("period:") else None
    raise error_for(status, message, field=field)


def whatif(
    request: Mapping[str, Any],
    reform: str,
    policy: Optional[Policy] = None,
    *,
    strict: bool = True,
) -> dict:
    """Prices a policy change: runs ``request`` (a monthly or annual request
    document, as for :func:`run`; its ``kind`` is ignored, its ``period`` a
    month ``YYYY-MM`` or a year ``YYYY``) under the base policy and under
    ``reform`` (the TOML text of a reform file, see the README "What-if
    runs"), and returns the comparison document of ``payrules whatif``:
    per worker and line old / new / delta, per unit, per code, per period and
    in total, gain / lose / same counts and grade changes. Every amount is a
    ``Decimal``.

    Errors as for :func:`run`: a reform that cannot be applied raises
    :class:`PolicyError` or :class:`InputError`.
    """
    if not isinstance(reform, str):
        raise TypeError(f"reform: expected the reform's TOML text, got {type(reform).__name__}")
    if not isinstance(request, Mapping):
        raise TypeError(f"request: expected a dict, got {type(request).__name__}")
    doc = {k: v for k, v in request.items() if k != "kind"}
    doc["kind"] = "whatif"
    doc["reform"] = reform
    return run(doc, policy, strict=strict)
