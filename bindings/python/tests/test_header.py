"""The cdef comes from the real header, so the bindings cannot drift."""

import re

import payrules
from payrules import _native
from payrules._native import ffi, lib

from conftest import REPO


def test_packaged_header_is_the_repository_header():
    # The package was built from this checkout's include/payrules.h; a
    # header changed since then (reinstall needed) fails here.
    assert _native.HEADER == (REPO / "include" / "payrules.h").read_text(encoding="utf-8")


def test_every_header_function_is_declared_and_callable():
    names = _native.header_functions(_native.HEADER)
    assert len(names) >= 20, names
    assert "payrules_monthly_batch" in names and "payrules_run_json" in names
    for name in names:
        fn = getattr(lib, name)
        assert ffi.typeof(fn).kind == "function", name


def test_header_function_list_is_complete():
    # Every "payrules_xxx(" that starts a declaration line is found.
    declared = set(re.findall(r"\b(payrules_[a-z_]+)\(", _native.cdef_text(_native.HEADER)))
    assert declared == set(_native.header_functions(_native.HEADER))


def test_every_constant_is_available_and_enums_cover_the_header():
    consts = dict(re.findall(r"^#define (PAYRULES_[A-Z_0-9]+) (-?\d+)$", _native.HEADER, flags=re.M))
    for name, value in consts.items():
        assert getattr(lib, name) == int(value), name
    for prefix, enum in (("PAYRULES_GRADE_", payrules.Grade), ("PAYRULES_TITLE_", payrules.Title),
                         ("PAYRULES_HONOUR_", payrules.HonourLevel)):
        from_header = {k[len(prefix):]: int(v) for k, v in consts.items() if k.startswith(prefix)}
        assert from_header == {m.name: int(m) for m in enum}, prefix


def test_abi_version_and_library_version():
    assert lib.payrules_abi_version() == lib.PAYRULES_ABI_VERSION
    major, minor, patch = (lib.PAYRULES_VERSION_MAJOR, lib.PAYRULES_VERSION_MINOR, lib.PAYRULES_VERSION_PATCH)
    assert payrules.__version__ == f"{major}.{minor}.{patch}"


def test_struct_layouts_derived_from_cffi():
    for name in ("payrules_worker_month", "payrules_honour", "payrules_payslip", "payrules_decimal"):
        assert _native.struct_format(name).size == ffi.sizeof(name)
    # payslip: status, employed, then seven {mantissa, scale} decimals.
    s = _native.struct_format("payrules_payslip")
    assert len(s.unpack(bytes(s.size))) == 2 + 7 * 2


def test_status_messages_come_from_the_library():
    assert payrules._errors.status_message(lib.PAYRULES_INVALID_POLICY) != ""
    assert payrules._errors.status_message(9999) == "unknown status code"
