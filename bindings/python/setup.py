"""Build of the payrules Python package.

`pip install ./bindings/python` compiles the Rust library of this repository
with cargo and packages, next to the Python modules:

- ``libpayrules.so`` (``.dylib`` on macOS): the C ABI, ``src/ffi/``, built
  lean with the payroll book (``--no-default-features --features book``: no
  CLI or spreadsheet crates; SQLite is bundled, nothing to install);
- ``payrules.h``: a copy of ``include/payrules.h`` made now, at build time.

At import, ``payrules._native`` hands that header (preprocessor lines removed)
to cffi's ``cdef()`` and opens the library with ``dlopen()`` (cffi ABI mode):
the C signatures are never copied by hand, so they cannot drift.

Environment:
- ``PAYRULES_SOURCE_DIR``: the repository (default: two directories up);
- ``CARGO``: the cargo to run (default: ``cargo`` on PATH, else ~/.cargo/bin);
- ``CARGO_TARGET_DIR``: honoured as cargo honours it.
"""

import os
import shutil
import subprocess
import sys
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py
from setuptools.dist import Distribution

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


class BuildWithCargo(build_py):
    def run(self):
        super().run()
        root = source_dir()
        cmd = [cargo(), "build", "--release", "--lib", "--no-default-features", "--features", "book", "--manifest-path", str(root / "Cargo.toml")]
        print("payrules: " + " ".join(cmd), flush=True)
        subprocess.run(cmd, check=True)
        target = Path(os.environ.get("CARGO_TARGET_DIR", root / "target"))
        if not target.is_absolute():
            target = root / target
        dest = Path(self.build_lib) / "payrules"
        dest.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(target / "release" / LIBNAME, dest / LIBNAME)
        shutil.copyfile(root / "include" / "payrules.h", dest / "payrules.h")


class BinaryDistribution(Distribution):
    """The wheel holds a native library: tag it for this platform."""

    def has_ext_modules(self):
        return True


setup(cmdclass={"build_py": BuildWithCargo}, distclass=BinaryDistribution)
