"""Agent-based simulator of employment and education interventions in disadvantaged housing areas.

Layers, bottom to top; a module imports only from its own layer and the layers below it (a test,
``tests/test_layers.py``, checks the import graph):

1. schema: :mod:`sim.params`, :mod:`sim.scenario` (every parameter, its unit, source and range);
2. :mod:`sim.engine`: population arrays, random numbers, the Numba kernels and their reference;
3. :mod:`sim.inputs`: scenario, area and residents files, overrides, one-line input errors;
4. :mod:`sim.agents`: the Mesa agents (jobcentre, mentors, volunteer corps, firms, residents);
5. :mod:`sim.model`, :mod:`sim.metrics`: the Mesa model and what it records;
6. :mod:`sim.runs`: replicates in worker processes, summaries, output folders;
7. :mod:`sim.reporting`: figures and HTML reports built from the runs' tables;
8. :mod:`sim.calibration`, :mod:`sim.sweep`: fitting and parameter sweeps;
9. :mod:`sim.pipeline`: the one comparison pipeline (runs, summary, people tables, files) the
   command line, the API and the app share;
10. :mod:`sim.cli`, :mod:`sim.docs`, :mod:`sim.api`, :mod:`sim.app`: the command line, the
    generated docs, the Python API and the web app.
"""

import hashlib
import os
import shutil
from pathlib import Path

__version__ = "0.1.0"


def _configure_numba_cache() -> None:
    """Keep compiled kernels in a cache folder keyed by the source they were compiled from.

    Numba invalidates a cached function only when its own file changes, not when an inlined
    helper in another module does (e.g. the random numbers in ``rng.py``), which would silently
    run stale machine code. Keying the folder on a hash of every module Numba compiles from makes
    any such change recompile. A user's own NUMBA_CACHE_DIR is respected.
    """
    if os.environ.get("NUMBA_CACHE_DIR"):
        return
    here = Path(__file__).resolve().parent
    sources = sorted(
        p
        for p in here.rglob("*.py")
        if "njit" in p.read_text() or p.name in ("states.py", "kernel_params.py", "units.py")
    )
    digest = hashlib.sha256(b"".join(p.read_bytes() for p in sources)).hexdigest()[:16]
    root = here / "__pycache__"
    cache = root / f"numba-{digest}"
    if root.is_dir():
        for old in root.glob("numba-*"):
            if old != cache:
                shutil.rmtree(old, ignore_errors=True)
    import numba

    numba.config.CACHE_DIR = str(cache)


_configure_numba_cache()
