"""The typed monthly batch (``payrules_monthly_batch``): worker-months in,
:class:`Payslip` dataclasses out, without JSON."""

from __future__ import annotations

import calendar
import re
import struct
from itertools import accumulate
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Iterable, Mapping, Optional, Union

from ._codes import Grade, HonourLevel, Title, parse_code, parse_date, parse_month, to_decimal
from ._errors import InputError, Problem, error_for, status_message, take_message
from ._gcpause import gc_paused
from ._native import ffi, lib, struct_format
from ._policy import DateLike, Policy, handle

_ROW = struct_format("payrules_worker_month")
_HONOUR = struct_format("payrules_honour")
_SLIP = struct_format("payrules_payslip")
_P = {4: "I", 8: "Q"}[ffi.sizeof("void *")]
# Fast paths over the same layouts: a row as its three string pointers and
# the packed rest; a payslip as status, employed and its amounts' bytes
# (the key of a cache of Decimal tuples).
_ROW_HEAD = ffi.offsetof("payrules_worker_month", "title")
_SLIP_HEAD = ffi.offsetof("payrules_payslip", "base_pay")
if [ffi.offsetof("payrules_worker_month", f) for f in ("worker_id", "unit", "position")] != [
    0, ffi.sizeof("void *"), 2 * ffi.sizeof("void *")
] or [ffi.offsetof("payrules_payslip", f) for f in ("status", "employed")] != [0, 4] or _SLIP_HEAD != 8 or _ROW_HEAD != 3 * ffi.sizeof("void *"):
    raise ImportError("payrules: unexpected layout of payrules_worker_month or payrules_payslip")
_ROW_FAST = struct.Struct(f"={_P}{_P}{_P}{_ROW.size - _ROW_HEAD}s")
_SLIP_FAST = struct.Struct(f"=II{_SLIP.size - _SLIP_HEAD}s")
_SLIP_FIELDS = [name for name, _ in ffi.typeof("payrules_payslip").fields]
_AMOUNTS = _SLIP_FIELDS[2:]  # base_pay … gross: the payrules_decimal fields

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


@dataclass(slots=True)
class Payslip:
    """One worker's month from :func:`monthly`. Amounts are ``Decimal`` with
    two decimals; ``gross`` is the sum of the others. ``honour_award`` is the
    sum of the honours paid this month. (Not frozen: a frozen dataclass
    costs several times as much to make, and :func:`monthly` makes one per
    worker; equal payslips may share their ``Decimal`` objects, which are
    immutable.)"""

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


_UTF8_RE = re.compile(r"([a-z_]+)(?:\[\d+\])?(?:\.([a-z_]+))? is not UTF-8")


def _split(message: str, status: int, row: bool = True) -> tuple[str, str]:
    u = _UTF8_RE.match(message)
    if u:
        field = u.group(2) or u.group(1)
        return (_C_FIELD.get(field, field) if row else field), message
    m = _FIELD_RE.match(message)
    if m:
        field = m.group(2) if m.group(1) == "honours" and m.group(2) else m.group(1)
        return (_C_FIELD.get(field, field) if row else field), message[m.end():]
    return _STATUS_FIELD.get(status, ""), message


def _grades(assessments: Any, period: str) -> dict:
    """worker id → grade, from a mapping ``{id: grade}`` or records with
    ``worker_id``, ``grade`` and optional ``period`` (records of other
    periods are left out, as a run leaves them out)."""
    if isinstance(assessments, Mapping):
        return dict(assessments)
    out = {}
    for a in assessments:
        if type(a) is not dict and not isinstance(a, Mapping):
            raise TypeError(f"assessments: expected mappings, got {type(a).__name__}")
        get = a.get
        if get("period", period) != period:
            continue
        grade = get("grade")
        if grade is None:
            wid = get("worker_id")
            if get("score") is not None:
                raise InputError(
                    "monthly() takes grades already decided; grade scores with payrules.run or payrules.assign_grades",
                    lib.PAYRULES_INVALID_ARGUMENT, worker_id=wid, field="grade",
                )
            raise InputError("assessment has no grade", lib.PAYRULES_INVALID_ARGUMENT, worker_id=wid, field="grade")
        out[get("worker_id")] = grade
    return out


def _monthly(
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

    # One pass: read, check and pack every row. Worker ids go into one blob
    # up front; units and positions (few) are interned into arenas
    # (bytearrays never resized, so the addresses handed to C hold); rows
    # sharing title, dates and grade share one checked, packed tail.
    workers = workers if isinstance(workers, (list, tuple)) else list(workers)
    ids = [w.get("id") if type(w) is dict else getattr(w, "id", None) if isinstance(w, Worker) else _get_id(w) for w in workers]
    enc = [s.encode("utf-8", "surrogatepass") if type(s) is str else b"" for s in ids]
    idblob = b"\0".join(enc) + b"\0"
    nul_ids = set()
    if idblob.count(b"\0") != len(enc) + (not enc):
        nul_ids = {j for j, b in enumerate(enc) if b"\0" in b}
    idoffs = list(accumulate([len(b) + 1 for b in enc], initial=0))
    cid = ffi.from_buffer(idblob)
    idbase = int(ffi.cast("uintptr_t", cid))
    rowsize = _ROW.size
    rowbuf = bytearray(rowsize * max(len(workers), 1))
    pack_into = _ROW_FAST.pack_into
    arenas = _Arenas()
    put = arenas.put
    interned: dict = {}
    combos: dict = {}
    # Per C row: the worker's id, name and unit.
    k_id: list = []
    k_name: list = []
    k_unit: list = []
    fields = _WORKER_FIELD_SET
    n = 0
    for i, w in enumerate(workers):
        tw = type(w)
        if tw is Worker:
            wid, name, unit, position = w.id, w.name, w.unit, w.position
            key = (w.title, w.hired_on, w.left_on, w.probation_until, grades.get(wid))
        elif tw is dict or isinstance(w, Mapping):
            get = w.get
            wid = get("id")
            if not w.keys() <= fields:
                bad = sorted(str(k) for k in w if k not in fields)[0]
                problems.append((i, Problem(wid, bad, f"unknown field; expected one of: {', '.join(WORKER_FIELDS)}")))
                continue
            name, unit, position = get("name", ""), get("unit", ""), get("position")
            key = (get("title", "none"), get("hired_on"), get("left_on"), get("probation_until"), grades.get(wid))
        elif isinstance(w, Worker):
            wid, name, unit, position = w.id, w.name, w.unit, w.position
            key = (w.title, w.hired_on, w.left_on, w.probation_until, grades.get(wid))
        else:
            raise TypeError(f"workers[{i}]: expected a payrules.Worker or a dict, got {type(w).__name__}")
        try:
            if type(wid) is not str or type(position) is not str or type(unit) is not str or type(name) is not str:
                unit, name = _check_strings(i, wid, position, unit, name)
            try:
                tail = combos.get(key)
            except TypeError:  # an unhashable value (a list as a date…)
                tail = None
            if tail is None:
                c = _combo(key, wid, first, last, per)
                tail = c if c is _MISSING_GRADE else _ROW.pack(0, 0, 0, *c)[_ROW_HEAD:]
                try:
                    combos[key] = tail
                except TypeError:
                    pass
            if tail is _MISSING_GRADE:
                raise InputError(_missing(per), lib.PAYRULES_INVALID_ARGUMENT, worker_id=wid, field="grade")
            up = interned.get(unit)
            if up is None:
                up = interned[unit] = put(unit.encode("utf-8", "surrogatepass"), wid, "unit")
            pp = interned.get(position)
            if pp is None:
                pp = interned[position] = put(position.encode("utf-8", "surrogatepass"), wid, "position")
            if nul_ids and i in nul_ids:
                raise InputError("holds a NUL character", lib.PAYRULES_INVALID_ARGUMENT, worker_id=wid, field="id")
            pack_into(rowbuf, n * rowsize, idbase + idoffs[i], up, pp, tail)
        except InputError as e:
            problems.append((i, e.errors[0]))
            continue
        n += 1
        k_id.append(wid)
        k_name.append(name)
        k_unit.append(unit)

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
        nul = [field for text, field in ((hid, "worker_id"), (deed or "", "deed")) if "\0" in text]
        if nul:
            problems.append((-1, Problem(hid, nul[0], "holds a NUL character")))
            continue
        a = hoff
        hparts.append(hid.encode("utf-8", "surrogatepass"))
        hoff += len(hparts[-1]) + 1
        dd = -1
        if deed is not None:
            dd = hoff
            hparts.append(deed.encode("utf-8", "surrogatepass"))
            hoff += len(hparts[-1]) + 1
        hvals.append((a, lv, d.year, d.month, d.day, dd))
    hblob = b"\0".join(hparts) + b"\0"
    chblob = ffi.from_buffer(hblob)
    hbase = int(ffi.cast("uintptr_t", chblob))
    hpack = _HONOUR.pack
    hrows = b"".join([hpack(hbase + a, lv, yy, mm, dd_, 0 if dd < 0 else hbase + dd) for a, lv, yy, mm, dd_, dd in hvals])

    out = ffi.new("payrules_payslip[]", max(n, 1))
    errp = ffi.new("payrules_error **")
    crows = ffi.from_buffer("payrules_worker_month[]", rowbuf) if n else ffi.NULL
    chon = ffi.from_buffer("payrules_honour[]", hrows) if hvals else ffi.NULL
    status = lib.payrules_monthly_batch(ptr, y, m, crows, n, chon, len(hvals), out, errp)
    message = take_message(errp[0])
    # Keep the buffers alive through the call.
    del arenas, cid, chblob, crows, chon
    if status not in (lib.PAYRULES_OK, lib.PAYRULES_ROW_ERROR):
        raise error_for(status, message)

    row_msgs = {int(k): v for k, v in _ROW_RE.findall(message)}
    slips: list[Payslip] = []
    k_index = None
    amounts = _AMOUNT_CACHE
    new = Payslip
    append = slips.append
    for j, (wid, name, unit, (status_, employed, raw)) in enumerate(
        zip(k_id, k_name, k_unit, _SLIP_FAST.iter_unpack(ffi.buffer(out, n * _SLIP.size)))
    ):
        if status_:
            if k_index is None:
                # C row j is the j-th input row that was not refused in Python.
                skipped = {i for i, _ in problems}
                k_index = [i for i in range(len(workers)) if i not in skipped]
            i = k_index[j]
            field, text = _split(row_msgs.get(j, ""), status_)
            problems.append((i, Problem(wid, field, text or status_message(status_))))
            continue
        if not employed:
            continue
        a = amounts.get(raw)
        if a is None:
            if len(amounts) > 10_000:
                amounts.clear()
            r = _SLIP.unpack(bytes(_SLIP_HEAD) + raw)
            a = amounts[raw] = tuple(to_decimal(r[k], r[k + 1]) for k in range(2, len(r), 2))
        append(new(wid, name, unit, *a))
    for hi, text in _HONOUR_RE.findall(message):
        field, text = _split(text, lib.PAYRULES_UNKNOWN_WORKER, row=False)
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


# Amount tuples of payslips seen, by their (mantissa, scale) pairs: Decimals
# are immutable, so payslips may share them.
_AMOUNT_CACHE: dict = {}
_MISSING_GRADE = object()


def _get_id(w: Any) -> Any:
    return w.get("id") if isinstance(w, Mapping) else None



class _Arenas:
    """NUL-terminated strings in bytearrays that are never resized, so the
    addresses handed to C hold while the arenas live."""

    __slots__ = ("chunks", "buf", "base", "off", "size")
    CHUNK = 1 << 20

    def __init__(self) -> None:
        self.chunks: list = []
        self.size = 0
        self.off = 0
        self.base = 0
        self.buf = bytearray()

    def put(self, data: bytes, wid: Any, field: str) -> int:
        if b"\0" in data:
            raise InputError("holds a NUL character", lib.PAYRULES_INVALID_ARGUMENT, worker_id=wid, field=field)
        k = len(data)
        off = self.off
        if off + k + 1 > self.size:
            self.size = max(self.CHUNK, k + 1)
            self.buf = bytearray(self.size)
            keepalive = ffi.from_buffer(self.buf)
            self.chunks.append(keepalive)
            self.base = int(ffi.cast("uintptr_t", keepalive))
            off = 0
        self.buf[off:off + k] = data
        self.off = off + k + 1
        return self.base + off
_WORKER_FIELD_SET = frozenset(WORKER_FIELDS)


def _missing(per: str) -> str:
    return f"no assessment for {per}; give a grade (or \"ungraded\")"


def _check_strings(i: int, wid: Any, position: Any, unit: Any, name: Any) -> tuple:
    if type(wid) is not str:
        if wid is None:
            raise InputError("missing; every worker needs an id (工号)", lib.PAYRULES_INVALID_ARGUMENT, field="id")
        raise TypeError(f"workers[{i}].id: expected str, got {type(wid).__name__}")
    if type(position) is not str:
        if position is None:
            raise InputError("missing; give the position code", lib.PAYRULES_INVALID_ARGUMENT, worker_id=wid, field="position")
        raise TypeError(f"workers[{i}].position: expected str, got {type(position).__name__}")
    unit = "" if unit is None else unit
    name = "" if name is None else name
    if type(unit) is not str or type(name) is not str:
        raise TypeError(f"workers[{i}]: unit and name must be str")
    return unit, name


def _combo(key: tuple, wid: str, first: tuple, last: tuple, per: str) -> Any:
    """Checks and encodes (title, hired_on, left_on, probation_until, grade)."""
    title, hired, left, prob, grade = key
    t = parse_code(Title, title, "title", wid)
    if hired is None:
        raise InputError("missing; give the first day of employment", lib.PAYRULES_INVALID_DATE, worker_id=wid, field="hired_on")
    dates = []
    for value, field in ((hired, "hired_on"), (left, "left_on"), (prob, "probation_until")):
        if value is None:
            dates.append((0, 0, 0))
        else:
            d = parse_date(value, field, wid)
            dates.append((d.year, d.month, d.day))
    hd, ld, pd = dates
    if grade is None:
        employed = hd <= last and (left is None or ld >= first)
        if employed and not (prob is not None and pd >= last):
            return _MISSING_GRADE
        g = int(Grade.UNGRADED)
    else:
        g = parse_code(Grade, grade, "grade", wid)
    return (t, g) + hd + ld + pd


def monthly(
    workers: Iterable[Union[Worker, Mapping[str, Any]]],
    assessments: Union[Mapping[str, Union[Grade, str]], Iterable[Mapping[str, Any]]],
    period: Union[str, tuple],
    honours: Iterable[Union[Honour, Mapping[str, Any]]] = (),
    policy: Optional[Policy] = None,
) -> list[Payslip]:
    # The cyclic garbage collector is paused while the batch packs its rows
    # and makes its payslips (measured: 0.05-0.1 s per 100,000 payslips
    # otherwise); see gc_paused.
    with gc_paused():
        return _monthly(workers, assessments, period, honours, policy)


monthly.__doc__ = _monthly.__doc__
