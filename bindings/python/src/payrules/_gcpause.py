"""Pausing Python's cyclic garbage collector around big bursts of objects."""

from __future__ import annotations

import gc
from contextlib import contextmanager
from typing import Iterator


@contextmanager
def gc_paused() -> Iterator[None]:
    """Pauses the cyclic garbage collector for the ``with`` block.

    For code that makes a burst of objects none of which form cycles
    (payslips, a parsed JSON document): otherwise every few hundred
    thousand new objects set off a full collection of the caller's whole
    heap. The collector is switched back on, if it was on, whatever happens;
    a collector the caller paused stays paused.
    """
    paused = gc.isenabled()
    if paused:
        gc.disable()
    try:
        yield
    finally:
        if paused:
            gc.enable()
