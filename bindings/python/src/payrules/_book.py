"""The payroll book: months paid, closed and corrected in one SQLite file.

A thin face over the C ABI's ``payrules_book_json``: each method sends one
JSON command (the shapes are the library's, ``src/book/command.rs``) and
returns the response as Python structures, every amount a ``Decimal``.
"""

from __future__ import annotations

import json
import os
import threading
from typing import Any, Mapping, Optional, Sequence, Union

from ._errors import InputError, Problem, error_for, take_message
from ._native import ffi, lib
from ._policy import Policy
from ._run import _dec, _hook, _jsonable, request_json

PathLike = Union[str, "os.PathLike[str]"]

# Amounts of the book's own documents besides those _hook reads (amount,
# gross, net, a correction's old / new and totals, and the run's rarer
# ones): a history period's "tax_withheld_ytd" and its "lines", a map of
# line code to amount.


def _book_hook(obj: dict) -> dict:
    _hook(obj)
    v = obj.get("tax_withheld_ytd")
    if v.__class__ is str:
        obj["tax_withheld_ytd"] = _dec(v)
    lines = obj.get("lines")
    if type(lines) is dict:
        for k, v in lines.items():
            if type(v) is str:
                lines[k] = _dec(v)
    return obj


def _path(path: PathLike) -> bytes:
    p = os.fspath(path)
    if not isinstance(p, str):
        raise TypeError(f"path: expected a str or os.PathLike of str, got {type(p).__name__}")
    return p.encode("utf-8")


class Book:
    """A payroll book: a year of months in one file (``payrules book init``
    makes the same files).

    ``Book(path)`` opens an existing book; :meth:`Book.create` makes a new
    one. Use it as a context manager (or call :meth:`release`); note that
    :meth:`close` closes a month, as ``payrules close`` does::

        with payrules.Book.create("district.book") as book:
            paid = book.pay(request)            # the month's draft, net pay
            book.close("2026-11")               # frozen, chained, next month starts here

    The book completes each monthly request from what it holds (each
    worker's year-to-date tax state, corrections still to pay), so a
    request carries only the month's roster, assessments, honours and tax
    settings. Every amount returned is a ``Decimal``. A refusal raises
    :class:`BookError` (the message names the month), a book being written
    elsewhere :class:`BookBusy`, a request that cannot be read
    :class:`InputError`.

    One ``Book`` may be used from several threads: its calls are
    serialised by the library.
    """

    __slots__ = ("_ptr", "_lock", "path", "__weakref__")

    def __init__(self, path: PathLike) -> None:
        out = ffi.new("payrules_book **")
        errp = ffi.new("payrules_error **")
        status = lib.payrules_book_open(_path(path), out, errp)
        self._adopt(status, out, errp, path)

    @classmethod
    def create(cls, path: PathLike, policy: Union[str, Policy, None] = None) -> "Book":
        """Creates a new book at ``path`` (which must not exist) with a
        policy: a :class:`Policy`, a policy file's TOML text, or ``None``
        for the built-in policy."""
        if isinstance(policy, Policy):
            policy = policy.to_toml()
        if policy is not None and not isinstance(policy, str):
            raise TypeError(f"policy: expected a Policy, TOML text or None, got {type(policy).__name__}")
        self = object.__new__(cls)
        out = ffi.new("payrules_book **")
        errp = ffi.new("payrules_error **")
        text = ffi.NULL if policy is None else policy.encode("utf-8")
        status = lib.payrules_book_create(_path(path), text, out, errp)
        self._adopt(status, out, errp, path)
        return self

    def _adopt(self, status: int, out: Any, errp: Any, path: PathLike) -> None:
        message = take_message(errp[0])
        if status != lib.PAYRULES_OK:
            raise error_for(status, message)
        self._ptr = ffi.gc(out[0], lib.payrules_book_free)
        self._lock = threading.Lock()
        self.path = os.fspath(path)

    # -- life cycle -------------------------------------------------------

    def release(self) -> None:
        """Lets go of the book file now (the ``with`` block's end does it;
        so does garbage collection). Later calls raise ``ValueError``.
        Releasing twice is allowed. (:meth:`close` closes a *month*.)"""
        with self._lock:
            ptr, self._ptr = self._ptr, None
            if ptr is not None:
                ffi.release(ptr)

    def __enter__(self) -> "Book":
        return self

    def __exit__(self, *exc: object) -> None:
        self.release()

    def __repr__(self) -> str:
        state = "closed" if self._ptr is None else "open"
        return f"<payrules.Book {self.path!r} ({state})>"

    # -- commands ---------------------------------------------------------

    def _command(self, command: Mapping[str, Any]) -> tuple[int, Optional[dict], str]:
        # Lists of records as a request has them (Decimal, int and date values
        # as strings, floats refused); the command's own str and int as they are.
        doc = {k: _jsonable(v, k) if isinstance(v, (list, tuple)) else v for k, v in command.items()}
        text = json.dumps(doc, ensure_ascii=False, separators=(",", ":"))
        return self._send(text.encode("utf-8", "surrogatepass"))

    def _send(self, raw: bytes) -> tuple[int, Optional[dict], str]:
        resp = ffi.new("char **")
        n = ffi.new("size_t *")
        errp = ffi.new("payrules_error **")
        with self._lock:
            if self._ptr is None:
                raise ValueError(f"the book {self.path!r} is closed")
            status = lib.payrules_book_json(self._ptr, raw, len(raw), resp, n, errp)
        message = take_message(errp[0])
        doc = None
        if status in (lib.PAYRULES_OK, lib.PAYRULES_INPUT_ERRORS) and resp[0] != ffi.NULL:
            try:
                text = ffi.unpack(resp[0], n[0]).decode("utf-8")
            finally:
                lib.payrules_string_free(resp[0])
            doc = json.loads(text, object_hook=_book_hook)
        return status, doc, message

    def _run(self, command: Mapping[str, Any]) -> dict:
        status, doc, message = self._command(command)
        if status != lib.PAYRULES_OK or doc is None:
            raise error_for(status, message)
        return doc

    def _paid(self, op: str, request: Mapping[str, Any], strict: bool) -> dict:
        if not isinstance(request, Mapping):
            raise TypeError(f"request: expected a dict, got {type(request).__name__}")
        body = request_json(request).decode("utf-8")
        raw = ('{"op":"' + op + '","request":' + body + "}").encode("utf-8", "surrogatepass")
        status, doc, message = self._send(raw)
        if status == lib.PAYRULES_OK and doc is not None:
            return doc
        if status == lib.PAYRULES_INPUT_ERRORS and doc is not None:
            if not strict:
                return doc
            errors = [
                Problem(e.get("worker_id"), e.get("field", ""), e.get("message", ""))
                for e in doc["run"]["errors"]
            ]
            raise InputError(message, status, errors=errors, response=doc)
        raise error_for(status, message)

    def pay(self, request: Mapping[str, Any], *, strict: bool = True) -> dict:
        """Pays a month and stores it as the month's draft (paying the month
        again replaces the draft).

        ``request`` is a monthly request document as for :func:`payrules.run`
        (``period``, ``workers``, ``assessments``, ``honours``, ``tax``;
        ``kind`` may be left out), without ``policy``, ``ytd`` or
        ``adjustments``: the book supplies them. Returns ``{"stored": True,
        "adjustments": <corrections paid>, "replaced": <bool>, "run": <the
        response document>}``.

        A run with input errors stores nothing: it raises :class:`InputError`
        listing them (its ``response`` has ``"stored": False``), or with
        ``strict=False`` returns that response. A refusal (the month is
        closed, an earlier month is still a draft…) raises :class:`BookError`.
        """
        return self._paid("pay", request, strict)

    def annual(self, request: Mapping[str, Any], *, strict: bool = True) -> dict:
        """Pays the annual bonus of a year (``period`` ``"YYYY"``) on the
        book's year figures; the year's December must be closed. Returns
        and raises as :meth:`pay`."""
        return self._paid("annual", request, strict)

    def close(self, period: str) -> dict:
        """Closes a paid month (or annual bonus, ``"YYYY"``): it never changes
        again and the next month starts from it. Returns ``{"period", "seq",
        "digest", "workers"}``. Months close in order."""
        return self._run({"op": "close", "period": period})

    def correct(
        self,
        period: str,
        reason: str,
        workers: Optional[Sequence[Mapping[str, Any]]] = None,
        assessments: Optional[Sequence[Mapping[str, Any]]] = None,
        honours: Optional[Sequence[Mapping[str, Any]]] = None,
    ) -> dict:
        """Recomputes a closed month with corrected inputs (each list given
        replaces the one stored) and records the differences, which the next
        :meth:`pay` pays as ``arrears`` / ``recovery`` lines. Returns
        ``{"adjustments": [...], "lines": [{"worker_id", "period", "line",
        "amount", "explain"}], "totals": {"arrears", "recovery"}}``."""
        cmd: dict = {"op": "correct", "period": period, "reason": reason}
        for key, value in (("workers", workers), ("assessments", assessments), ("honours", honours)):
            if value is not None:
                cmd[key] = list(value)
        return self._run(cmd)

    def correct_policy(self, policy: Union[str, Policy], from_: str, reason: str) -> dict:
        """Adopts a policy (a :class:`Policy` or TOML text) retroactively from
        the month ``from_`` (``"YYYY-MM"``): every closed month since is
        recomputed under it and the differences recorded for the next
        :meth:`pay`; later months are paid under it. Returns as
        :meth:`correct`."""
        if isinstance(policy, Policy):
            policy = policy.to_toml()
        return self._run({"op": "correct_policy", "policy": policy, "from": from_, "reason": reason})

    def history(self, worker_id: str) -> dict:
        """A worker's history: ``{"worker_id", "periods": [{"period",
        "status", "unit", "lines": {code: amount}, "gross", "net",
        "tax_withheld_ytd"}], "corrections": [...]}``."""
        return self._run({"op": "history", "worker_id": worker_id})

    def report(self, year: int) -> list:
        """The finance office's summary of a year: one row per period and
        unit, ``{"period", "status", "unit", "workers", "by_code", "gross"}``."""
        return self._run({"op": "report", "year": _year(year)})["rows"]

    def verify(self) -> dict:
        """Checks every closed month against its digest: ``{"ok", "months",
        "problems": [{"period", "message"}]}``."""
        return self._run({"op": "verify"})

    def months(self) -> list:
        """The months in the book: ``[{"period", "kind", "status",
        "workers", "policy_version", "closed_at"}]``."""
        return self._run({"op": "months"})["months"]

    def states(self, year: int) -> list:
        """Each worker's year-to-date tax state of ``year`` after the last
        closed month (the ``ytd`` records of a response)."""
        return self._run({"op": "states", "year": _year(year)})["ytd"]

    def import_ytd(self, records: Sequence[Mapping[str, Any]], through: str) -> int:
        """Imports year-to-date figures through the month ``through`` (for the
        book's first month, or workers new to it); returns how many."""
        return int(self._run({"op": "import_ytd", "through": through, "ytd": list(records)})["imported"])

    def policy(self) -> Policy:
        """The policy new months are paid under."""
        return Policy.from_toml(self._run({"op": "policy"})["policy"])


def _year(year: object) -> int:
    if type(year) is not int:
        raise TypeError(f"year: expected an int, got {type(year).__name__}")
    return year

