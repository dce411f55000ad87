"""Build of the payrules Python package.

`pip wheel ./bindings/python -w DIR` (or `pip install ./bindings/python`)
compiles the Rust library of this repository with cargo and packages, next
to the Python modules:

- ``libpayrules.so`` (``.dylib`` on macOS): the C ABI, ``src/ffi/``, built
  lean with the payroll book (``--no-default-features --features book``: no
  CLI or spreadsheet crates; SQLite is bundled, nothing to install);
- ``payrules.h``: a copy of ``include/payrules.h`` made now, at build time.

The wheel holds no Python extension (cffi's ABI mode), so it is tagged
``py3-none-PLATFORM``: any CPython >= 3.10 of the platform. On Linux
PLATFORM is ``manylinux_2_X_<arch>`` where 2.X is the newest glibc symbol
version the built library uses (read with ``objdump -T``) and the libraries
it needs are all among those manylinux allows; otherwise (no objdump,
another library needed, or not Linux) it is the plain platform tag, such as
``linux_x86_64``. The library is built by the same command as
``scripts/install-c.sh`` (``cargo rustc`` with the SONAME
``libpayrules.so.MAJOR``), so the two share one build.

At import, ``payrules._native`` hands that header (preprocessor lines removed)
to cffi's ``cdef()`` and opens the library with ``dlopen()`` (cffi ABI mode):
the C signatures are never copied by hand, so they cannot drift.

Environment:
- ``PAYRULES_SOURCE_DIR``: the repository (default: two directories up);
- ``CARGO``: the cargo to run (default: ``cargo`` on PATH, else ~/.cargo/bin);
- ``CARGO_TARGET_DIR``: honoured as cargo honours it.
"""

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py
from setuptools.dist import Distribution

try:
    from setuptools.command.bdist_wheel import bdist_wheel
except ImportError:  # setuptools < 70.1
    from wheel.bdist_wheel import bdist_wheel

HERE = Path(__file__).resolve().parent
LIBNAME = "libpayrules.dylib" if sys.platform == "darwin" else "libpayrules.so"


def source_dir() -> Path:
    root = Path(os.environ.get("PAYRULES_SOURCE_DIR", HERE.parent.parent)).resolve()
    manifest = root / "Cargo.toml"
    if not manifest.is_file() or 'name = "payrules"' not in manifest.read_text(encoding="utf-8"):
        sys.exit(
            f"payrules: no payrules crate at {root}; build from the repository "
            "(pip install ./bindings/python) or set PAYRULES_SOURCE_DIR"
        )
    return root


def cargo() -> str:
    found = os.environ.get("CARGO") or shutil.which("cargo")
    if not found:
        home = Path.home() / ".cargo" / "bin" / "cargo"
        found = str(home) if home.exists() else None
    if not found:
        sys.exit("payrules: cargo not found; install the Rust toolchain (https://rustup.rs)")
    return found


BUILT = {}


def cargo_command(root: Path) -> list:
    cmd = [cargo(), "rustc", "--release", "--lib", "--no-default-features", "--features", "book", "--manifest-path", str(root / "Cargo.toml")]
    if sys.platform.startswith("linux"):
        text = (root / "Cargo.toml").read_text(encoding="utf-8")
        major = re.search(r'(?m)^version = "(\d+)\.', text).group(1)
        cmd += ["--", "-C", f"link-arg=-Wl,-soname,libpayrules.so.{major}"]
    return cmd


class BuildWithCargo(build_py):
    def run(self):
        super().run()
        root = source_dir()
        cmd = cargo_command(root)
        print("payrules: " + " ".join(cmd), flush=True)
        subprocess.run(cmd, check=True)
        target = Path(os.environ.get("CARGO_TARGET_DIR", root / "target"))
        if not target.is_absolute():
            target = root / target
        dest = Path(self.build_lib) / "payrules"
        dest.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(target / "release" / LIBNAME, dest / LIBNAME)
        BUILT["lib"] = dest / LIBNAME
        shutil.copyfile(root / "include" / "payrules.h", dest / "payrules.h")


class BinaryDistribution(Distribution):
    """The wheel holds a native library: tag it for this platform."""

    def has_ext_modules(self):
        return True


# The libraries a manylinux wheel may need from the system (PEP 600's
# policies, as auditwheel lists them), beyond which the tag is plain linux.
MANYLINUX_LIBS = {
    "libgcc_s.so.1", "libstdc++.so.6", "libm.so.6", "libdl.so.2", "librt.so.1",
    "libc.so.6", "libnsl.so.1", "libutil.so.1", "libpthread.so.0", "libresolv.so.2",
    "libX11.so.6", "libXext.so.6", "libXrender.so.1", "libICE.so.6", "libSM.so.6",
    "libGL.so.1", "libgobject-2.0.so.0", "libgthread-2.0.so.0", "libglib-2.0.so.0",
    "ld-linux-x86-64.so.2", "ld-linux-aarch64.so.1", "ld-linux.so.2",
}


def manylinux_tag(lib: Path, plat: str):
    """``manylinux_2_X_<arch>`` for ``lib``, or None when it cannot be told."""
    arch = plat.split("_", 1)[1] if plat.startswith("linux_") else None
    if arch is None:
        return None
    try:
        symbols = subprocess.run(["objdump", "-T", str(lib)], check=True, capture_output=True, text=True).stdout
        dynamic = subprocess.run(["objdump", "-p", str(lib)], check=True, capture_output=True, text=True).stdout
    except (OSError, subprocess.CalledProcessError):
        return None
    needed = set(re.findall(r"(?m)^\s*NEEDED\s+(\S+)", dynamic))
    if not needed or not needed <= MANYLINUX_LIBS:
        return None
    versions = [tuple(map(int, v)) for v in re.findall(r"GLIBC_(\d+)\.(\d+)", symbols)]
    major, minor = max(versions, default=(2, 17))
    return f"manylinux_{major}_{max(minor, 17)}_{arch}"


class PlatformWheel(bdist_wheel):
    """py3-none-PLATFORM: no Python extension, one native library (see above)."""

    def get_tag(self):
        _, _, plat = super().get_tag()
        lib = BUILT.get("lib")
        if lib is not None and plat.startswith("linux_"):
            plat = manylinux_tag(lib, plat) or plat
        return "py3", "none", plat


setup(cmdclass={"build_py": BuildWithCargo, "bdist_wheel": PlatformWheel}, distclass=BinaryDistribution)
