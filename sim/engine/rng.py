"""Counter-based random numbers: every draw is a pure function of (seed, id, week, slot).

A resident therefore meets the same luck in the baseline and in every intervention scenario, and
the result does not depend on thread count or the order residents are visited in (docs/ODD.md,
4.13 Stochasticity). The mixer is SplitMix64's finaliser, applied twice.
"""

import numba as nb
import numpy as np

_GOLDEN = np.uint64(0x9E3779B97F4A7C15)
_WEEK_MULT = np.uint64(0xD1B54A32D192ED03)
_MIX1 = np.uint64(0xBF58476D1CE4E5B9)
_MIX2 = np.uint64(0x94D049BB133111EB)
_TO_UNIT = 1.0 / 9007199254740992.0  # 2**-53


@nb.njit(cache=True, inline="always")
def _mix(z: np.uint64) -> np.uint64:
    z = (z ^ (z >> np.uint64(30))) * _MIX1
    z = (z ^ (z >> np.uint64(27))) * _MIX2
    return z ^ (z >> np.uint64(31))


@nb.njit(cache=True, inline="always")
def uniform(seed: int, ident: int, week: int, slot: int) -> float:
    """Return a uniform double in [0, 1) determined by (seed, ident, week, slot) alone.

    The (seed, week, slot) part is hashed into a key first and the identifier second, as in a
    SplitMix64 sequence keyed per week and slot. Inside a loop over residents the key is loop
    invariant, so the compiler hoists it and each draw costs one mixing round.
    """
    key = _mix(np.uint64(seed) ^ (np.uint64(week) * _WEEK_MULT + np.uint64(slot)))
    z = _mix(key + np.uint64(ident) * _GOLDEN)
    return (z >> np.uint64(11)) * _TO_UNIT


@nb.njit(cache=True)
def uniform_array(seed: int, idents: np.ndarray, week: int, slot: int) -> np.ndarray:
    """Vectorised :func:`uniform` over an array of identifiers."""
    out = np.empty(idents.shape[0], dtype=np.float64)
    for k in range(idents.shape[0]):
        out[k] = uniform(seed, idents[k], week, slot)
    return out


def spawn_seeds(base_seed: int, n: int) -> list[int]:
    """Derive ``n`` independent 63-bit replicate seeds from one base seed.

    Uses :class:`numpy.random.SeedSequence`, so replicate r always gets the same seed for a given
    base seed, whichever scenario it runs.
    """
    children = np.random.SeedSequence(base_seed).spawn(n)
    return [int(c.generate_state(1, dtype=np.uint64)[0] >> np.uint64(1)) for c in children]


def stream(seed: int, name: str) -> np.random.Generator:
    """Return a numpy Generator for a named Python-level stream of one run.

    Python-level agents (volunteer corps, mentors) draw from streams keyed by purpose, so adding a
    draw in one component does not shift the luck of another.
    """
    key = [int(b) for b in name.encode()]
    return np.random.default_rng(np.random.SeedSequence([seed & 0xFFFFFFFF, seed >> 32, *key]))
