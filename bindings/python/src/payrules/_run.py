"""Whole runs: the JSON documents of ``payrules run``, as Python dicts."""

from __future__ import annotations

import json
from copy import deepcopy
from decimal import Decimal
from functools import partial
from itertools import chain
from typing import Any, Mapping, Optional, Union

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
# Gross to net: the amounts of a payslip's "bonus_tax" (marked by its
# "chosen"), of its "cliff" (marked by "edge"), and of a "ytd" state (marked
# by "tax_withheld"); a payslip's "net" is read with "amount" and "gross".
_BONUS_TAX = ("bonus", "separate", "merged", "separate_total", "merged_total", "saving")
_CLIFF = ("edge", "net_at_edge", "net_here", "loss", "range_end")
_YTD = (
    "income",
    "exempt_income",
    "contributions",
    "additional_deductions",
    "other_deductions",
    "tax_withheld",
    "separate_bonus",
    "separate_bonus_tax",
)

_cache: dict = {}


def _dec(s: str) -> Decimal:
    d = _cache.get(s)
    if d is None:
        if len(_cache) > 100_000:
            _cache.clear()
        d = _cache[s] = Decimal(s)
    return d


# Deductions the pay could not cover: on a payslip ("tax_unwithheld",
# "contributions_unpaid") and in a "ytd" state ("tax_unwithheld"), only
# when there are some.
_SHORT = ("tax_unwithheld", "contributions_unpaid")

# Keys of the objects that hold amounts besides "amount", "gross" and "net".
_RARE = frozenset(
    {"delta", "by_code", "by_unit", "chosen", "edge", "tax_withheld", "reason", "arrears", *_SHORT}
)
# Corrections: an adjustment's "old" and "new" (marked by its "reason"), and
# a correction's totals (marked by "arrears").
_ADJUSTMENT = ("old", "new")
_CORRECTION_TOTALS = ("arrears", "recovery")


def _hook(obj: dict) -> dict:
    # Called for every object of the response: the common keys first, and
    # one check in C (the object's keys against _RARE) for the rest.
    v = obj.get("amount")
    if v.__class__ is str:
        obj["amount"] = _dec(v)
    v = obj.get("gross")
    if v.__class__ is str:
        obj["gross"] = _dec(v)
    v = obj.get("net")
    if v.__class__ is str:
        obj["net"] = _dec(v)
    if not _RARE.isdisjoint(obj):
        _rare_amounts(obj)
    return obj


def _rare_amounts(obj: dict) -> None:
    if "delta" in obj:
        # A what-if comparison: {"old", "new", "delta"} amounts. (Grade
        # changes also have "old" and "new", but grades, and no "delta".)
        for k in ("old", "new", "delta"):
            v = obj.get(k)
            if v.__class__ is str:
                obj[k] = _dec(v)
    for k in _SHORT:
        v = obj.get(k)
        if v.__class__ is str:
            obj[k] = _dec(v)
    for marker, keys in (
        ("chosen", _BONUS_TAX),
        ("edge", _CLIFF),
        ("tax_withheld", _YTD),
        ("reason", _ADJUSTMENT),
        ("arrears", _CORRECTION_TOTALS),
    ):
        if marker in obj:
            for k in keys:
                v = obj.get(k)
                if v.__class__ is str:
                    obj[k] = _dec(v)
    for k in AMOUNT_MAPS.intersection(obj):
        m = obj[k]
        if type(m) is dict:
            for kk, v in m.items():
                if type(v) is str:
                    m[kk] = _dec(v)


# Values json.dumps writes as a request needs them (everything else is
# converted by plain(), or refused).
_AS_IS = frozenset({str, bool, type(None)})
_DICT = frozenset({dict})
_STR = frozenset({str})


def _plain_records(value: list) -> bool:
    """Whether ``value`` is a list of dicts (exactly) with string keys and
    only str / bool / None values, which json.dumps may write as it stands:
    the usual ``workers`` and ``assessments``. Checked by type sets, in C."""
    return (
        set(map(type, value)) <= _DICT
        and set(map(type, chain.from_iterable(value))) <= _STR
        and set(map(type, chain.from_iterable(map(dict.values, value)))) <= _AS_IS
    )


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
        # No cycle can reach json.dumps (_jsonable copies every container
        # but lists of plain records, and recursing into a cycle fails
        # there), so it need not keep track of the containers it is in.
        text = json.dumps(doc, ensure_ascii=False, separators=(",", ":"), check_circular=False)
        return text.encode("utf-8", "surrogatepass")


def parse_response(text: Union[str, bytes]) -> dict:
    """A response document with its amounts as Decimal.

    From the engine's UTF-8 bytes, the lines shared by many payslips are
    parsed once (see _parse_shared_lines); from a str, or if the bytes are
    not laid out as expected, the whole document is parsed as it stands.
    Either way the result is that of ``json.loads(text, object_hook=_hook)``.
    (The garbage collector is paused: a 100,000-payslip response is
    millions of dicts and strings, none in cycles, and would set off full
    collections.)"""
    with gc_paused():
        if isinstance(text, bytes):
            doc = _parse_shared_lines(text)
            if doc is not None:
                return doc
            text = text.decode("utf-8")
        return json.loads(text, object_hook=_hook)


# Most of a big response is its payslips' "lines": five or six dicts of four
# strings per payslip, which json.loads would make anew for every payslip,
# although a line holds only its code, amount, rule and explanation and a
# few distinct "lines" serve many workers (12 for the benchmark's 100,000).
# So each distinct lines block is parsed once, and the rest of the document
# with a NaN in place of each block: json.loads hands each NaN to
# parse_constant, which returns the lines for that place, fresh copies of
# its block's line dicts (their values, str and Decimal, are immutable and
# shared). What-if documents have the same "lines" in their "workers".
#
# The blocks are found with bytes.find by the engine's layout (serde_json's
# pretty form, two spaces a level): a block is what follows _LINES_OPEN up
# to the next _LINES_CLOSE, the end of a line dict and of the list (lists
# ending otherwise are not found so, and the document is parsed whole). That
# needs no trust in the layout: _LINES_OPEN starts with a newline, never
# inside a string, so its "[" opens the value of a "lines" key; if the
# block parses as the items of an array, the "]" after it closes this "[";
# and each block's place then holds a NaN token, which the parse hands to
# parse_constant in document order: if it meets exactly as many NaNs as
# blocks were taken out (the engine writes none of its own), the n-th is
# where the n-th block was. Anything else and the whole document is parsed
# as it stands.
_LINES_OPEN = b'\n      "lines": [\n'
_LINES_CLOSE = b"\n        }\n      ]"
_LINES_KEEP = len(b"\n        }")  # the end of _LINES_CLOSE that is the block's
_LINES_REF = b'"lines": NaN'
# Values a line dict may hold for a shallow copy of it to be a full copy.
_IMMUTABLE = frozenset({str, Decimal, int, bool, type(None)})


def _parse_shared_lines(raw: bytes) -> Optional[dict]:
    """The document, parsed with each distinct lines block parsed once;
    None when it holds no such block or is not laid out as expected (the
    caller then parses it whole)."""
    ids: dict = {}  # block → its number
    which: list[int] = []  # the number of each block taken out, in order
    tails: list[bytes] = []  # the text around them
    find = raw.find
    pos = 0
    while (start := find(_LINES_OPEN, pos)) >= 0:
        end = find(_LINES_CLOSE, start)
        if end < 0:
            return None
        tails.append(raw[pos:start])
        which.append(ids.setdefault(raw[start + len(_LINES_OPEN):end + _LINES_KEEP], len(ids)))
        pos = end + len(_LINES_CLOSE)
    if not which:
        return None
    tails.append(raw[pos:])
    try:
        blocks = [json.loads("[" + b.decode("utf-8") + "]", object_hook=_hook) for b in ids]
    except ValueError:
        return None
    shallow = [
        all(type(line) is dict and set(map(type, line.values())) <= _IMMUTABLE for line in lines)
        for lines in blocks
    ]
    copy = dict.copy
    fresh: list[Any] = [list(map(copy, blocks[k])) if shallow[k] else deepcopy(blocks[k]) for k in which]
    # parse_constant is next(lines, name): C calls, no Python frame per NaN.
    # A constant past the last block takes the sentinel, so the parse met
    # exactly one constant a block if and only if the sentinel is left.
    end_of_lines = object()
    fresh.append(end_of_lines)
    lines = iter(fresh)
    text = _LINES_REF.join(tails).decode("utf-8")
    try:
        doc = json.loads(text, object_hook=_hook, parse_constant=partial(next, lines))
    except ValueError:
        return None
    return doc if next(lines, None) is end_of_lines else None


def run_bytes(request: bytes, policy: Optional[Policy] = None) -> tuple[int, bytes, str]:
    """Runs request bytes; returns (status, response as UTF-8 bytes, error
    message)."""
    if policy is not None and not isinstance(policy, Policy):
        raise TypeError(f"policy: expected a payrules.Policy, got {type(policy).__name__}")
    ptr = ffi.NULL if policy is None else policy._ptr
    resp = ffi.new("char **")
    n = ffi.new("size_t *")
    errp = ffi.new("payrules_error **")
    status = lib.payrules_run_json(ptr, request, len(request), resp, n, errp)
    message = take_message(errp[0])
    raw = b""
    if status in (lib.PAYRULES_OK, lib.PAYRULES_INPUT_ERRORS):
        try:
            raw = ffi.unpack(resp[0], n[0])
        finally:
            lib.payrules_string_free(resp[0])
    return status, raw, message


def run_text(request: bytes, policy: Optional[Policy] = None) -> tuple[int, str, str]:
    """Runs request bytes; returns (status, response text, error message)."""
    status, raw, message = run_bytes(request, policy)
    return status, raw.decode("utf-8"), message


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
    status, raw, message = run_bytes(request_json(request), policy)
    if status == lib.PAYRULES_OK:
        return parse_response(raw)
    if status == lib.PAYRULES_INPUT_ERRORS:
        response = parse_response(raw)
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
