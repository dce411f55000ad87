"""The C ABI through cffi in ABI mode.

The declarations given to ``cdef()`` are the packaged copy of
``include/payrules.h`` (made when the package was built), with its
preprocessor lines removed except ``#define NAME <integer>``: no C signature
is written by hand, so none can drift from the header.
"""

from __future__ import annotations

import os
import re
import struct
import sys

from cffi import FFI

_HERE = os.path.dirname(os.path.abspath(__file__))
HEADER_PATH = os.path.join(_HERE, "payrules.h")
LIBRARY_PATH = os.path.join(
    _HERE, "libpayrules.dylib" if sys.platform == "darwin" else "libpayrules.so"
)


def cdef_text(header: str) -> str:
    """The header as cffi's ``cdef()`` reads it.

    Drops the ``__cplusplus`` blocks and every preprocessor line except
    ``#define NAME <integer>``, which cdef() takes as an integer constant.
    """
    text = re.sub(r"#ifdef __cplusplus\n.*?#endif[^\n]*\n", "", header, flags=re.S)
    keep = []
    for line in text.splitlines():
        if line.startswith("#") and not re.match(r"#define [A-Z_0-9]+ -?\d+$", line):
            continue
        keep.append(line)
    return "\n".join(keep)


def header_functions(header: str) -> list[str]:
    """Names of the functions the header declares."""
    return re.findall(r"^[A-Za-z_][\w \*]*?\b(payrules_\w+)\(", header, flags=re.M)


with open(HEADER_PATH, encoding="utf-8") as _f:
    HEADER = _f.read()

ffi = FFI()
ffi.cdef(cdef_text(HEADER))
lib = ffi.dlopen(LIBRARY_PATH)

if lib.payrules_check_abi(lib.PAYRULES_ABI_VERSION) != lib.PAYRULES_OK:
    raise ImportError(
        f"payrules: {LIBRARY_PATH} speaks C ABI {lib.payrules_abi_version()}, "
        f"its header {HEADER_PATH} ABI {lib.PAYRULES_ABI_VERSION}; reinstall the package"
    )


def struct_format(cdecl: str) -> struct.Struct:
    """A ``struct.Struct`` with the exact layout cffi computed for ``cdecl``.

    Nested structs are flattened; padding is explicit. Used to pack and
    unpack whole arrays of rows at C speed; the layout comes from the header
    (through cffi), never from a hand-written format.
    """
    codes = {"int64_t": "q", "uint64_t": "Q", "int32_t": "i", "uint32_t": "I", "size_t": "N"}
    pointer = {4: "I", 8: "Q"}[ffi.sizeof("void *")]
    parts: list[str] = []
    pos = 0

    def walk(t, base: int) -> None:
        nonlocal pos
        for _name, field in t.fields:
            off = base + field.offset
            ft = field.type
            if ft.kind == "struct":
                walk(ft, off)
                continue
            if off < pos:
                raise ImportError(f"payrules: unexpected layout of {cdecl}")
            if off > pos:
                parts.append(f"{off - pos}x")
            code = pointer if ft.kind == "pointer" else codes[ft.cname]
            parts.append(code)
            pos = off + ffi.sizeof(ft)

    t = ffi.typeof(cdecl)
    walk(t, 0)
    size = ffi.sizeof(t)
    if size > pos:
        parts.append(f"{size - pos}x")
    s = struct.Struct("=" + "".join(parts).replace("N", pointer))
    if s.size != size:
        raise ImportError(f"payrules: layout of {cdecl} is {size} bytes, struct format {s.size}")
    return s
