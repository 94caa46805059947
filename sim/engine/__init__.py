"""The engine: population arrays, counter-based random numbers and the Numba kernels that update them."""
