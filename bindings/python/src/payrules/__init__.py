"""payrules: pay of full-time community workers, exact to the fen.

The Rust library's numbers through its C ABI (``include/payrules.h``), as
``decimal.Decimal`` — never a float::

    import payrules
    policy = payrules.Policy.builtin()
    policy.monthly_bonus("excellent", on="2026-11-01")   # Decimal('1300.00')
    response = payrules.run(request_dict)                 # the JSON documents of `payrules run`
    slips = payrules.monthly(workers, grades, "2026-11")  # typed batch → [Payslip]
    cmp = payrules.whatif(request_dict, reform_toml)      # base vs reform, old/new/delta
    with payrules.Book.create("district.book") as book:   # months paid, closed, corrected
        book.pay(request_dict); book.close("2026-11")

Errors are exceptions: :class:`PayrulesError`, with :class:`PolicyError`,
:class:`InputError` (``worker_id``, ``field``, ``errors``) and
:class:`BookError` (with :class:`BookBusy`).
"""

from ._book import Book
from ._codes import Grade, HonourLevel, Title
from ._errors import BookBusy, BookError, InputError, PayrulesError, PolicyError, Problem
from ._grades import assign_grades
from ._monthly import Honour, Line, Payslip, Worker, monthly
from ._native import ffi as _ffi, lib as _lib
from ._policy import Policy
from ._run import run, whatif

__version__ = _ffi.string(_lib.payrules_version()).decode("ascii")

__all__ = [
    "Book",
    "BookBusy",
    "BookError",
    "Grade",
    "Honour",
    "HonourLevel",
    "InputError",
    "Line",
    "PayrulesError",
    "Payslip",
    "Policy",
    "PolicyError",
    "Problem",
    "Title",
    "Worker",
    "assign_grades",
    "monthly",
    "run",
    "whatif",
]
