"""Exceptions, made from the C ABI's status codes and error objects."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Optional

from ._native import ffi, lib


@dataclass(frozen=True)
class Problem:
    """One problem with one input record: the worker (when known), the
    field at fault (``title``, ``hired_on``, ``grade``…) and what was wrong
    and what was expected."""

    worker_id: Optional[str]
    field: str
    message: str

    def __str__(self) -> str:
        who = f"worker {self.worker_id}: " if self.worker_id else ""
        return f"{who}{self.field}: {self.message}"


class PayrulesError(Exception):
    """Any error from payrules. ``status`` is the C ABI's status code
    (``PAYRULES_*``), ``message`` the library's explanation."""

    def __init__(self, message: str, status: int = 0) -> None:
        super().__init__(message)
        self.message = message
        self.status = status


class PolicyError(PayrulesError):
    """A policy that cannot be read or breaks the policy rules (every problem
    is listed, with its TOML path), or no policy version in force on the
    date or period asked for."""


class InputError(PayrulesError):
    """Bad input: a request, a worker, an assessment, an honour.

    ``errors`` lists every :class:`Problem`; ``worker_id`` and ``field`` are
    those of the first one. When a run or batch went ahead for everyone
    else, ``response`` (from :func:`payrules.run`) or ``payslips`` (from
    :func:`payrules.monthly`) holds what was computed.
    """

    def __init__(
        self,
        message: str,
        status: int = 0,
        *,
        worker_id: Optional[str] = None,
        field: Optional[str] = None,
        errors: Optional[list] = None,
        response: Optional[dict] = None,
        payslips: Optional[list] = None,
    ) -> None:
        super().__init__(message, status)
        if errors is None:
            errors = [Problem(worker_id, field or "", message)] if field else []
        self.errors: list[Problem] = errors
        first = errors[0] if errors else None
        self.worker_id = worker_id if worker_id is not None else (first and first.worker_id)
        self.field = field if field is not None else (first and first.field)
        self.response = response
        self.payslips = payslips


class BookError(PayrulesError):
    """A payroll book refused a command (a closed month paid again, months
    out of order, a month never paid, an empty reason: nothing changed), or
    its file cannot be used (missing, not a book, damaged, written by a
    newer payrules). The message names the month or the file."""


class BookBusy(BookError):
    """The payroll book is being written by another writer (another
    :class:`payrules.Book` or process); try again when it has finished."""


_BOOK_STATUSES = {lib.PAYRULES_BOOK_REFUSED, lib.PAYRULES_BOOK_IO}
_POLICY_STATUSES = {lib.PAYRULES_INVALID_POLICY, lib.PAYRULES_NO_POLICY_VERSION}
_BASE_STATUSES = {lib.PAYRULES_PANIC, lib.PAYRULES_ABI_MISMATCH, lib.PAYRULES_NULL_ARGUMENT}


def status_message(status: int) -> str:
    return ffi.string(lib.payrules_status_message(status)).decode("utf-8")


def take_message(err: Any) -> str:
    """The message of a ``payrules_error *`` (which it frees)."""
    if err == ffi.NULL:
        return ""
    try:
        needed = ffi.new("size_t *")
        lib.payrules_error_message(err, ffi.NULL, 0, needed)
        buf = ffi.new("char[]", needed[0])
        if lib.payrules_error_message(err, buf, needed[0], needed) != lib.PAYRULES_OK:
            return ""
        return ffi.string(buf).decode("utf-8", "replace")
    finally:
        lib.payrules_error_free(err)


def error_for(status: int, message: str, **extra: Any) -> PayrulesError:
    """The exception for a status code."""
    message = message or status_message(status)
    if status in _POLICY_STATUSES:
        return PolicyError(message, status)
    if status == lib.PAYRULES_BOOK_BUSY:
        return BookBusy(message, status)
    if status in _BOOK_STATUSES:
        return BookError(message, status)
    if status in _BASE_STATUSES:
        return PayrulesError(message, status)
    return InputError(message, status, **extra)


def check(status: int, errp: Any = None, **extra: Any) -> None:
    """Raises the exception for ``status`` (with the message of ``errp[0]``,
    freed) unless it is ``PAYRULES_OK``."""
    message = take_message(errp[0]) if errp is not None else ""
    if status != lib.PAYRULES_OK:
        raise error_for(status, message, **extra)
