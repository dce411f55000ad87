"""Checks that include/payrules.h is parseable by cffi's cdef().

This is the recipe the Python package can use: drop the __cplusplus block
and every preprocessor line except `#define NAME <integer>`, which cdef()
accepts as an integer constant.
"""
import re
import sys

import cffi


def cdef_text(header: str) -> str:
    text = re.sub(r"#ifdef __cplusplus\n.*?#endif[^\n]*\n", "", header, flags=re.S)
    keep = []
    for line in text.splitlines():
        if line.startswith("#") and not re.match(r"#define [A-Z_0-9]+ -?\d+$", line):
            continue
        keep.append(line)
    return "\n".join(keep)


def main(header_path: str, library: str) -> int:
    with open(header_path, encoding="utf-8") as f:
        header = f.read()
    ffi = cffi.FFI()
    ffi.cdef(cdef_text(header))
    assert ffi.offsetof("payrules_payslip", "gross") == 8 + 6 * ffi.sizeof("payrules_decimal")
    # ABI mode against the shared library: constants and a call.
    lib = ffi.dlopen(library)
    assert lib.PAYRULES_ROW_ERROR == 12
    assert lib.payrules_check_abi(lib.PAYRULES_ABI_VERSION) == lib.PAYRULES_OK
    policy = ffi.new("payrules_policy **")
    assert lib.payrules_policy_builtin(policy) == lib.PAYRULES_OK
    out = ffi.new("payrules_decimal *")
    on = ffi.new("payrules_date *", {"year": 2026, "month": 11, "day": 1})
    status = lib.payrules_monthly_bonus(policy[0], lib.PAYRULES_GRADE_GOOD, on[0], out, ffi.NULL)
    assert status == lib.PAYRULES_OK and (out.mantissa, out.scale) == (110000, 2)
    lib.payrules_policy_free(policy[0])
    print("cffi_check: 1 passed, 0 failed")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], sys.argv[2]))
