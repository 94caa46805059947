"""Process-level helpers for running models efficiently."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def paused_gc() -> Iterator[None]:
    """Pause Python's cyclic garbage collector for the block, restoring its previous state.

    Building and running a model creates many long-lived objects (one Mesa agent per resident)
    and no garbage cycles; repeated collections over them would cost a sixth of a run.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
