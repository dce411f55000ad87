"""Codes (grades, titles, honour levels), dates and exact decimals."""

from __future__ import annotations

import datetime as _dt
import re
from decimal import Decimal
from enum import IntEnum
from typing import Union

from ._errors import InputError
from ._native import ffi, lib


class _Code(IntEnum):
    """An enum whose English code is its lower-cased name."""

    @property
    def code(self) -> str:
        """The English code, as documents and the engine write it."""
        return self.name.lower()


class Grade(_Code):
    """An assessment grade; the numbers are the C ABI's ``PAYRULES_GRADE_*``."""

    UNGRADED = lib.PAYRULES_GRADE_UNGRADED
    FAIL = lib.PAYRULES_GRADE_FAIL
    PASS = lib.PAYRULES_GRADE_PASS
    GOOD = lib.PAYRULES_GRADE_GOOD
    EXCELLENT = lib.PAYRULES_GRADE_EXCELLENT


class Title(_Code):
    """A professional title; the numbers are ``PAYRULES_TITLE_*``."""

    NONE = lib.PAYRULES_TITLE_NONE
    ASSISTANT_SOCIAL_WORKER = lib.PAYRULES_TITLE_ASSISTANT_SOCIAL_WORKER
    SOCIAL_WORKER = lib.PAYRULES_TITLE_SOCIAL_WORKER
    SENIOR_SOCIAL_WORKER = lib.PAYRULES_TITLE_SENIOR_SOCIAL_WORKER


class HonourLevel(_Code):
    """The level of an honour; the numbers are ``PAYRULES_HONOUR_*``."""

    MUNICIPAL = lib.PAYRULES_HONOUR_MUNICIPAL
    PROVINCIAL = lib.PAYRULES_HONOUR_PROVINCIAL
    NATIONAL = lib.PAYRULES_HONOUR_NATIONAL


def codes_document(policy_ptr: object = None) -> dict:
    """The library's code table (a ``{"kind": "codes"}`` document): grades,
    titles and honour levels with their numbers, codes, Chinese names and
    aliases, and the positions of each version of the policy."""
    import json

    request = b'{"kind":"codes"}'
    resp = ffi.new("char **")
    n = ffi.new("size_t *")
    status = lib.payrules_run_json(policy_ptr or ffi.NULL, request, len(request), resp, n, ffi.NULL)
    if status != lib.PAYRULES_OK:
        raise RuntimeError(f"payrules: the code table could not be read (status {status})")
    try:
        return json.loads(ffi.unpack(resp[0], n[0]))
    finally:
        lib.payrules_string_free(resp[0])


# Chinese names and aliases, read from the library's one code table (no copy
# kept here): the Chinese name first, then the other accepted spellings.
_CODES = codes_document()
_ZH = {
    enum: {spelling: enum(c["number"]) for c in _CODES[key] for spelling in [c["zh"], *c["aliases"]]}
    for enum, key in ((Grade, "grade"), (Title, "title"), (HonourLevel, "honour_level"))
}
_KIND = {Grade: "grade", Title: "title", HonourLevel: "honour level"}
_TABLES: dict = {}
for _enum, _zh in _ZH.items():
    _t = {m.code: m for m in _enum}
    _t.update(_zh)
    _TABLES[_enum] = _t


def parse_code(enum: type, value: object, field: str, worker_id: object = None) -> int:
    """A grade, title or honour level given as an enum member or as a code
    in English (any case) or Chinese, as the Rust library reads them."""
    table = _TABLES[enum]
    if type(value) is str:
        hit = table.get(value)
        if hit is None:
            t = value.strip()
            hit = table.get(t) or table.get(t.lower())
        if hit is not None:
            return int(hit)
        expected = ", ".join(f"{m.code} ({zh})" for m in enum for zh in [_first_zh(enum, m)])
        raise InputError(
            f"unknown {_KIND[enum]} {value!r}; expected one of: {expected}",
            lib.PAYRULES_INVALID_ENUM,
            worker_id=worker_id,
            field=field,
        )
    if isinstance(value, enum):
        return int(value)
    raise TypeError(f"{field}: expected a {enum.__name__} or a code string, got {type(value).__name__}")


def _first_zh(enum: type, member: object) -> str:
    return next(zh for zh, m in _ZH[enum].items() if m == member and zh)


_DATE_RE = re.compile(r"\d{4}-\d{2}-\d{2}\Z")


def parse_date(value: object, field: str, worker_id: object = None) -> _dt.date:
    """A ``datetime.date`` or a ``YYYY-MM-DD`` string."""
    if type(value) is _dt.date:
        return value
    if isinstance(value, str):
        if _DATE_RE.match(value):
            try:
                return _dt.date(int(value[:4]), int(value[5:7]), int(value[8:]))
            except ValueError:
                pass
        raise InputError(
            f"{value!r} is not a date; write YYYY-MM-DD, such as \"2026-11-03\", for a day that exists",
            lib.PAYRULES_INVALID_DATE,
            worker_id=worker_id,
            field=field,
        )
    raise TypeError(f"{field}: expected a datetime.date or a 'YYYY-MM-DD' string, got {type(value).__name__}")


def c_date(value: object, field: str, worker_id: object = None) -> dict:
    d = parse_date(value, field, worker_id)
    return {"year": d.year, "month": d.month, "day": d.day}


_PERIOD_RE = re.compile(r"(\d{4})-(\d{2})\Z")


def parse_month(period: object) -> tuple[int, int]:
    """A month: ``"2026-11"`` or ``(2026, 11)``."""
    if isinstance(period, str):
        m = _PERIOD_RE.match(period)
        if m and 1 <= int(m.group(2)) <= 12 and int(m.group(1)) >= 1:
            return int(m.group(1)), int(m.group(2))
        raise InputError(
            f"{period!r} is not a month; write YYYY-MM, such as \"2026-11\"",
            lib.PAYRULES_INVALID_DATE,
            field="period",
        )
    if isinstance(period, tuple) and len(period) == 2 and all(type(x) is int for x in period):
        y, mo = period
        if 1 <= y <= 9999 and 1 <= mo <= 12:
            return y, mo
        raise InputError(f"{period!r} is not a month", lib.PAYRULES_INVALID_DATE, field="period")
    raise TypeError(f"period: expected 'YYYY-MM' or (year, month), got {type(period).__name__}")


def to_decimal(mantissa: int, scale: int) -> Decimal:
    """``mantissa × 10^-scale``, exactly (the string constructor ignores the
    decimal context, so a low ``getcontext().prec`` cannot round it)."""
    return Decimal(f"{mantissa}e-{scale}")


DecimalLike = Union[Decimal, str, int]


def plain(value: object, where: str) -> object:
    """A request value for JSON: a ``Decimal`` or ``int`` becomes its plain
    decimal string, a ``date`` its ISO form; a ``float`` is a ``TypeError``."""
    t = type(value)
    if t is str or value is None or t is bool:
        return value
    if t is int:
        return str(value)
    if isinstance(value, Decimal):
        return format(value, "f")
    if t is float:
        raise TypeError(
            f"{where}: {value!r} is a float; give amounts and scores as Decimal, str or int so no float rounding can creep in"
        )
    if t is _dt.date:
        return value.isoformat()
    if isinstance(value, int):  # IntEnum and other int subclasses
        return str(int(value))
    raise TypeError(f"{where}: cannot send a {t.__name__} in a request")
