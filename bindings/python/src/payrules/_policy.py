"""Policies: immutable handles on a validated, effective-dated policy."""

from __future__ import annotations

import datetime as _dt
import os
import threading
from decimal import Decimal
from typing import Any, Optional, Union

from ._codes import Grade, HonourLevel, Title, c_date, parse_code, to_decimal
from ._errors import PayrulesError, check
from ._native import ffi, lib

DateLike = Union[_dt.date, str]


def _read_string(call: Any) -> str:
    """Runs ``call(buf, len, needed)`` with the buffer-size protocol."""
    needed = ffi.new("size_t *")
    buf = ffi.new("char[]", 64)
    status = call(buf, 64, needed)
    if status == lib.PAYRULES_BUFFER_TOO_SMALL:
        buf = ffi.new("char[]", needed[0])
        status = call(buf, needed[0], needed)
    check(status)
    return ffi.string(buf).decode("utf-8")


class Policy:
    """A validated policy with all its versions (effective-dated).

    Immutable: one ``Policy`` may be used by any number of threads at once.
    Make one with :meth:`builtin`, :meth:`from_toml` or :meth:`from_file`.
    """

    __slots__ = ("_ptr", "__weakref__")

    def __init__(self) -> None:
        raise TypeError("use Policy.builtin(), Policy.from_toml(text) or Policy.from_file(path)")

    @classmethod
    def _wrap(cls, ptr: Any) -> "Policy":
        self = object.__new__(cls)
        self._ptr = ffi.gc(ptr, lib.payrules_policy_free)
        return self

    @classmethod
    def builtin(cls) -> "Policy":
        """The built-in policy of Gulou district, Fuzhou (``policies/gulou.toml``)."""
        out = ffi.new("payrules_policy **")
        check(lib.payrules_policy_builtin(out))
        return cls._wrap(out[0])

    @classmethod
    def from_toml(cls, text: str) -> "Policy":
        """Reads and validates a policy file's text.

        Raises :class:`PolicyError` listing every problem, each with its TOML path.
        """
        if not isinstance(text, str):
            raise TypeError(f"policy text: expected str, got {type(text).__name__}")
        data = text.encode("utf-8")
        out = ffi.new("payrules_policy **")
        errp = ffi.new("payrules_error **")
        check(lib.payrules_policy_from_toml(data, len(data), out, errp), errp)
        return cls._wrap(out[0])

    @classmethod
    def from_file(cls, path: Union[str, "os.PathLike[str]"]) -> "Policy":
        """Reads and validates a policy file (UTF-8 TOML)."""
        with open(path, encoding="utf-8") as f:
            return cls.from_toml(f.read())

    @property
    def id(self) -> str:
        """The policy's id, such as ``"gulou"``."""
        return _read_string(lambda b, n, need: lib.payrules_policy_id(self._ptr, b, n, need))

    def version_on(self, on: DateLike) -> str:
        """The label of the version in force on ``on`` (such as ``"2018"``).

        Raises :class:`PolicyError` when no version is in force that day.
        """
        d = c_date(on, "on")
        errp = ffi.new("payrules_error **")

        def call(b: Any, n: int, need: Any) -> int:
            status = lib.payrules_policy_version_on(self._ptr, d, b, n, need, errp)
            if status not in (lib.PAYRULES_OK, lib.PAYRULES_BUFFER_TOO_SMALL):
                check(status, errp)
            return status

        return _read_string(call)

    def to_toml(self) -> str:
        """The whole policy as TOML, which :meth:`from_toml` reads back unchanged."""
        out = ffi.new("char **")
        n = ffi.new("size_t *")
        check(lib.payrules_policy_to_toml(self._ptr, out, n))
        try:
            return ffi.unpack(out[0], n[0]).decode("utf-8")
        finally:
            lib.payrules_string_free(out[0])

    def _amount(self, fn: Any, enum: type, value: object, on: DateLike, field: str) -> Decimal:
        code = parse_code(enum, value, field)
        d = c_date(on, "on")
        out = ffi.new("payrules_decimal *")
        errp = ffi.new("payrules_error **")
        check(fn(self._ptr, code, d, out, errp), errp)
        return to_decimal(out.mantissa, out.scale)

    def monthly_bonus(self, grade: Union[Grade, str], *, on: DateLike) -> Decimal:
        """The full monthly performance bonus for ``grade`` (``"excellent"``,
        ``"优秀"``, ``Grade.EXCELLENT``…) under the version in force on ``on``."""
        return self._amount(lib.payrules_monthly_bonus, Grade, grade, on, "grade")

    def annual_bonus(self, grade: Union[Grade, str], *, on: DateLike) -> Decimal:
        """The full annual performance bonus for ``grade`` on ``on``."""
        return self._amount(lib.payrules_annual_bonus, Grade, grade, on, "grade")

    def honour_award(self, level: Union[HonourLevel, str], *, on: DateLike) -> Decimal:
        """The award for one honour of ``level`` (``"national"``, ``"省级"``…) on ``on``."""
        return self._amount(lib.payrules_honour_award, HonourLevel, level, on, "level")

    def title_allowance(self, title: Union[Title, str], *, on: DateLike) -> Decimal:
        """The full monthly title allowance for ``title`` on ``on``."""
        return self._amount(lib.payrules_title_allowance, Title, title, on, "title")

    def __repr__(self) -> str:
        return f"<payrules.Policy {self.id!r}>"


_builtin: Optional[Policy] = None
_builtin_lock = threading.Lock()


def builtin() -> Policy:
    """The shared built-in policy handle (made once)."""
    global _builtin
    if _builtin is None:
        with _builtin_lock:
            if _builtin is None:
                _builtin = Policy.builtin()
    return _builtin


def handle(policy: Optional[Policy]) -> Any:
    """The C handle of ``policy`` (``None``: the built-in policy)."""
    if policy is None:
        return builtin()._ptr
    if not isinstance(policy, Policy):
        raise TypeError(f"policy: expected a payrules.Policy, got {type(policy).__name__}")
    return policy._ptr


__all__ = ["Policy", "PayrulesError"]
