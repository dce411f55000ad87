"""The typed monthly batch (``payrules_monthly_batch``): worker-months in,
:class:`Payslip` dataclasses out, without JSON."""

from __future__ import annotations

import calendar
import datetime as _dt
import re
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Iterable, Mapping, Optional, Union

from ._codes import Grade, HonourLevel, Title, parse_code, parse_date, parse_month, to_decimal
from ._errors import InputError, Problem, check, error_for, take_message
from ._native import ffi, lib, struct_format
from ._policy import DateLike, Policy, handle

_ROW = struct_format("payrules_worker_month")
_HONOUR = struct_format("payrules_honour")
_SLIP = struct_format("payrules_payslip")
_SLIP_FIELDS = [name for name, _ in ffi.typeof("payrules_payslip").fields]
_AMOUNTS = _SLIP_FIELDS[2:]  # base_pay … gross: the payrules_decimal fields
_SCALES = (2,) * len(_AMOUNTS)
_MANTISSAS = range(2, 2 + 2 * len(_AMOUNTS), 2)

WORKER_FIELDS = ("id", "name", "unit", "position", "title", "hired_on", "left_on", "probation_until")


@dataclass(frozen=True)
class Worker:
    """A worker on the roster (the request document's ``workers`` record)."""

    id: str
    position: str
    hired_on: DateLike
    title: Union[Title, str] = "none"
    unit: str = ""
    name: str = ""
    left_on: Optional[DateLike] = None
    probation_until: Optional[DateLike] = None


@dataclass(frozen=True)
class Honour:
    """An honour (先进称号), paid by the monthly run of the month it was awarded in."""

    worker_id: str
    level: Union[HonourLevel, str]
    awarded_on: DateLike
    deed: Optional[str] = None


@dataclass(frozen=True)
class Line:
    """One payslip line: a code (``base_pay``…) and its amount."""

    code: str
    amount: Decimal


@dataclass(frozen=True, slots=True)
class Payslip:
    """One worker's month from :func:`monthly`. Amounts are ``Decimal`` with
    two decimals; ``gross`` is the sum of the others. ``honour_award`` is the
    sum of the honours paid this month."""

    worker_id: str
    name: str
    unit: str
    base_pay: Decimal
    living_allowance: Decimal
    post_allowance: Decimal
    title_allowance: Decimal
    monthly_bonus: Decimal
    honour_award: Decimal
    gross: Decimal

    @property
    def lines(self) -> list[Line]:
        """The lines in payslip order, as a JSON run lists them (codes
        ``base_pay``, ``living_allowance``, ``post_allowance``,
        ``title_allowance``, ``monthly_bonus``), then ``honour_award``
        (one line, summed) when an honour was paid."""
        out = [Line(code, getattr(self, code)) for code in _AMOUNTS[:5]]
        if self.honour_award:
            out.append(Line("honour_award", self.honour_award))
        return out


_FIELD_RE = re.compile(r"([a-z_]+)(?:\[\d+\])?(?:\.([a-z_]+))?: ")
_ROW_RE = re.compile(r"^  - rows\[(\d+)\](?: \(worker .*?\))?: (.*)$", re.M)
_HONOUR_RE = re.compile(r"^  - honours\[(\d+)\]: (.*)$", re.M)
_STATUS_FIELD = {
    lib.PAYRULES_DUPLICATE_WORKER: "id",
    lib.PAYRULES_INVALID_ARGUMENT: "id",
    lib.PAYRULES_UNKNOWN_POSITION: "position",
    lib.PAYRULES_INVALID_GRADE: "grade",
    lib.PAYRULES_INVALID_DATE: "left_on",
    lib.PAYRULES_UNKNOWN_WORKER: "worker_id",
}
# The C batch names the worker's id `worker_id`; the roster record calls it `id`.
_C_FIELD = {"worker_id": "id"}


def _split(message: str, status: int) -> tuple[str, str]:
    m = _FIELD_RE.match(message)
    if m:
        field = m.group(2) if m.group(1) == "honours" and m.group(2) else m.group(1)
        return _C_FIELD.get(field, field), message[m.end():]
    return _STATUS_FIELD.get(status, ""), message


def _grades(assessments: Any, period: str) -> dict:
    """worker id → grade number, from a mapping ``{id: grade}`` or records
    with ``worker_id``, ``grade`` and optional ``period``."""
    if isinstance(assessments, Mapping):
        return {k: v for k, v in assessments.items()}
    out = {}
    for a in assessments:
        if isinstance(a, Mapping):
            wid, grade, per, score = a.get("worker_id"), a.get("grade"), a.get("period", period), a.get("score")
        else:
            raise TypeError(f"assessments: expected mappings, got {type(a).__name__}")
        if per != period:
            continue
        if grade is None:
            if score is not None:
                raise InputError(
                    "monthly() takes grades already decided; grade scores with payrules.run or payrules.assign_grades",
                    lib.PAYRULES_INVALID_ARGUMENT, worker_id=wid, field="grade",
                )
            raise InputError("assessment has no grade", lib.PAYRULES_INVALID_ARGUMENT, worker_id=wid, field="grade")
        out[wid] = grade
    return out


def monthly(
    workers: Iterable[Union[Worker, Mapping[str, Any]]],
    assessments: Union[Mapping[str, Union[Grade, str]], Iterable[Mapping[str, Any]]],
    period: Union[str, tuple],
    honours: Iterable[Union[Honour, Mapping[str, Any]]] = (),
    policy: Optional[Policy] = None,
) -> list[Payslip]:
    """Monthly pay through the typed batch of the C ABI (no JSON).

    ``workers``: :class:`Worker` or dicts with the request document's fields
    (``id``, ``position``, ``hired_on``, optional ``title``, ``unit``,
    ``name``, ``left_on``, ``probation_until``). ``assessments``: a mapping
    ``{worker_id: grade}`` or records ``{"worker_id", "grade", "period"}``
    (records of other periods are ignored). Grades are taken as given
    (``"excellent"``, ``"优秀"``, ``Grade.GOOD``): no grading by score and no
    quota check on this path — use :func:`run` or :func:`assign_grades`.
    A worker still on probation at the month's end with no assessment is
    ungraded; any other employed worker needs a grade. ``period``:
    ``"2026-11"`` or ``(2026, 11)``. ``honours``: :class:`Honour` or dicts.

    Returns a :class:`Payslip` for each worker employed on some day of the
    month, in input order, with exactly the amounts of :func:`run`.

    Raises :class:`InputError` when some workers could not be paid: its
    ``errors`` names each (worker, field, message) and its ``payslips``
    holds everyone else's. :class:`PolicyError` when no policy version is in
    force for the month.
    """
    y, m = parse_month(period)
    per = f"{y:04}-{m:02}"
    ptr = handle(policy)
    last = (y, m, calendar.monthrange(y, m)[1])
    first = (y, m, 1)
    grades = _grades(assessments, per)
    problems: list[tuple[int, Problem]] = []

    # Pass 1: read, check and encode every row; strings go into one blob.
    parts: list[bytes] = []
    interned: dict = {}
    off = 0
    NONE = (0, 0, 0)
    dates: dict = {None: NONE}
    codes: dict = {}
    vals: list = []
    keep: list = []  # (row index, id, name, unit)
    for i, w in enumerate(workers):
        if type(w) is dict or isinstance(w, Mapping):
            wid = w.get("id")
            bad = [k for k in w if k not in WORKER_FIELDS]
            if bad:
                problems.append((i, Problem(wid, bad[0], f"unknown field; expected one of: {', '.join(WORKER_FIELDS)}")))
                continue
            name, unit, position = w.get("name", ""), w.get("unit", ""), w.get("position")
            title, hired, left, prob = w.get("title", "none"), w.get("hired_on"), w.get("left_on"), w.get("probation_until")
        elif isinstance(w, Worker):
            wid, name, unit, position = w.id, w.name, w.unit, w.position
            title, hired, left, prob = w.title, w.hired_on, w.left_on, w.probation_until
        else:
            raise TypeError(f"workers[{i}]: expected a payrules.Worker or a dict, got {type(w).__name__}")
        try:
            if type(wid) is not str:
                raise TypeError(f"workers[{i}].id: expected str, got {type(wid).__name__}")
            if type(position) is not str:
                if position is None:
                    raise InputError("missing; give the position code", lib.PAYRULES_INVALID_ARGUMENT, worker_id=wid, field="position")
                raise TypeError(f"workers[{i}].position: expected str, got {type(position).__name__}")
            if unit is None:
                unit = ""
            if type(unit) is not str or type(name) is not str:
                raise TypeError(f"workers[{i}]: unit and name must be str")
            t = codes.get(title)
            if t is None:
                t = codes[title] = parse_code(Title, title, "title", wid)
            if hired is None:
                raise InputError("missing; give the first day of employment", lib.PAYRULES_INVALID_DATE, worker_id=wid, field="hired_on")
            hd = dates.get(hired)
            if hd is None:
                d = parse_date(hired, "hired_on", wid)
                hd = dates[hired] = (d.year, d.month, d.day)
            ld = dates.get(left)
            if ld is None:
                d = parse_date(left, "left_on", wid)
                ld = dates[left] = (d.year, d.month, d.day)
            pd = dates.get(prob)
            if pd is None:
                d = parse_date(prob, "probation_until", wid)
                pd = dates[prob] = (d.year, d.month, d.day)
            g = grades.get(wid)
            if g is None:
                employed = hd <= last and (ld is NONE or ld >= first)
                if employed and not (pd is not NONE and pd >= last):
                    raise InputError(f"no assessment for {per}; give a grade (or \"ungraded\")", lib.PAYRULES_INVALID_ARGUMENT, worker_id=wid, field="grade")
                g = 0
            else:
                gg = codes.get((Grade, g))
                if gg is None:
                    gg = codes[(Grade, g)] = parse_code(Grade, g, "grade", wid)
                g = gg
        except InputError as e:
            problems.append((i, e.errors[0]))
            continue
        idb = wid.encode("utf-8")
        id_off = off
        parts.append(idb)
        off += len(idb) + 1
        u_off = interned.get(unit)
        if u_off is None:
            u_off = interned[unit] = off
            parts.append(unit.encode("utf-8"))
            off += len(parts[-1]) + 1
        p_off = interned.get(position)
        if p_off is None:
            p_off = interned[position] = off
            parts.append(position.encode("utf-8"))
            off += len(parts[-1]) + 1
        vals.append((id_off, u_off, p_off, t, g) + hd + ld + pd)
        keep.append((i, wid, name, unit))

    blob = b"\0".join(parts) + b"\0"
    if blob.count(b"\0") != len(parts):
        for j, (i, wid, name, unit) in enumerate(keep):
            for field, s in (("id", wid), ("unit", unit), ("name", name)):
                if "\0" in s:
                    raise InputError("holds a NUL character", lib.PAYRULES_INVALID_ARGUMENT, worker_id=wid, field=field)
        raise InputError("position holds a NUL character", lib.PAYRULES_INVALID_ARGUMENT, field="position")
    cblob = ffi.from_buffer(blob)
    base = int(ffi.cast("uintptr_t", cblob))

    # Pass 2: the C rows, pointers into the blob.
    pack = _ROW.pack
    rows = b"".join([pack(base + v[0], base + v[1], base + v[2], *v[3:]) for v in vals])
    n = len(vals)

    # Honours.
    hparts: list[bytes] = []
    hvals: list = []
    hoff = 0
    for hi, h in enumerate(honours):
        if isinstance(h, Mapping):
            hid, level, on, deed = h.get("worker_id"), h.get("level"), h.get("awarded_on"), h.get("deed")
        elif isinstance(h, Honour):
            hid, level, on, deed = h.worker_id, h.level, h.awarded_on, h.deed
        else:
            raise TypeError(f"honours[{hi}]: expected a payrules.Honour or a dict, got {type(h).__name__}")
        if type(hid) is not str or (deed is not None and type(deed) is not str):
            raise TypeError(f"honours[{hi}]: worker_id and deed must be str")
        try:
            lv = parse_code(HonourLevel, level, "level", hid)
            d = parse_date(on, "awarded_on", hid)
        except InputError as e:
            problems.append((-1, e.errors[0]))
            continue
        for text, field in ((hid, "worker_id"), (deed or "", "deed")):
            if "\0" in text:
                raise InputError("holds a NUL character", lib.PAYRULES_INVALID_ARGUMENT, worker_id=hid, field=field)
        a = hoff
        hparts.append(hid.encode("utf-8"))
        hoff += len(hparts[-1]) + 1
        dd = -1
        if deed is not None:
            dd = hoff
            hparts.append(deed.encode("utf-8"))
            hoff += len(hparts[-1]) + 1
        hvals.append((a, lv, d.year, d.month, d.day, dd))
    hblob = b"\0".join(hparts) + b"\0"
    chblob = ffi.from_buffer(hblob)
    hbase = int(ffi.cast("uintptr_t", chblob))
    hpack = _HONOUR.pack
    hrows = b"".join([hpack(hbase + a, lv, yy, mm, dd_, 0 if dd < 0 else hbase + dd) for a, lv, yy, mm, dd_, dd in hvals])

    out = ffi.new("payrules_payslip[]", max(n, 1))
    errp = ffi.new("payrules_error **")
    crows = ffi.from_buffer("payrules_worker_month[]", rows) if n else ffi.NULL
    chon = ffi.from_buffer("payrules_honour[]", hrows) if hvals else ffi.NULL
    status = lib.payrules_monthly_batch(ptr, y, m, crows, n, chon, len(hvals), out, errp)
    message = take_message(errp[0])
    # Keep the buffers alive through the call.
    del cblob, chblob, crows, chon
    if status not in (lib.PAYRULES_OK, lib.PAYRULES_ROW_ERROR):
        raise error_for(status, message)

    row_msgs = {int(k): v for k, v in _ROW_RE.findall(message)}
    slips: list[Payslip] = []
    cache: dict = _DEC
    new = Payslip
    for j, r in enumerate(_SLIP.iter_unpack(ffi.buffer(out, n * _SLIP.size))):
        i, wid, name, unit = keep[j]
        if r[0]:
            field, text = _split(row_msgs.get(j, ""), r[0])
            problems.append((i, Problem(wid, field, text or _status_text(r[0]))))
            continue
        if not r[1]:
            continue
        if r[3::2] != _SCALES:
            a = [to_decimal(r[k], r[k + 1]) for k in range(2, len(r), 2)]
        else:
            a = [cache.get(r[k]) or _dec2(r[k]) for k in _MANTISSAS]
        slips.append(new(wid, name, unit, *a))
    for hi, text in _HONOUR_RE.findall(message):
        field, text = _split(text, lib.PAYRULES_UNKNOWN_WORKER)
        m_ = re.search(r'no row has worker "(.*?)"', text)
        problems.append((-1, Problem(m_.group(1) if m_ else None, field, text)))
    if problems:
        problems.sort(key=lambda p: p[0])
        errs = [p for _, p in problems]
        lines = "\n".join(f"  - {p}" for p in errs)
        raise InputError(
            f"{len(errs)} problem(s); the other workers were paid (see .payslips):\n{lines}",
            lib.PAYRULES_ROW_ERROR, errors=errs, payslips=slips,
        )
    return slips


_DEC: dict = {}


def _dec2(mantissa: int) -> Decimal:
    d = _DEC.get(mantissa)
    if d is None:
        if len(_DEC) > 100_000:
            _DEC.clear()
        d = _DEC[mantissa] = to_decimal(mantissa, 2)
    return d


def _status_text(status: int) -> str:
    from ._errors import status_message

    return status_message(status)
