"""The exact single-tour solver (Held-Karp dynamic programming) for small tours."""

from __future__ import annotations

import numpy as np

__all__ = ["EXACT_LIMIT", "EXACT_MAX_STOPS", "held_karp"]

#: Tours up to this many stops are solved exactly when the solver is left to choose.
EXACT_MAX_STOPS = 12
#: Largest tour the exact solver accepts when asked for explicitly (memory grows as 2^n).
EXACT_LIMIT = 16


def held_karp(matrix: np.ndarray) -> list[int]:
    """Exact shortest tour from node 0 through all others and back (Held-Karp, O(2^n n^2)).

    Vectorised over the last two nodes of each subset. Path costs are summed leg by leg in
    visiting order, so the optimum equals ``route_length`` of the returned tour exactly.
    """
    n = matrix.shape[0] - 1
    if n == 0:
        return []
    size = 1 << n
    legs_t = np.ascontiguousarray(matrix[1:, 1:].T)  # legs_t[k, j] = distance j -> k
    bits = 1 << np.arange(n)
    # best[mask, k]: shortest path from the depot through exactly `mask`, ending at node k+1.
    best = np.full((size, n), np.inf)
    parent = np.full((size, n), -1, dtype=np.int64)
    best[bits, np.arange(n)] = matrix[0, 1:]
    for mask in range(1, size):
        if mask & (mask - 1) == 0:
            continue
        ends = np.flatnonzero(mask & bits)
        cand = best[mask ^ bits[ends]] + legs_t[ends]
        choice = np.argmin(cand, axis=1)
        best[mask, ends] = cand[np.arange(len(ends)), choice]
        parent[mask, ends] = choice
    last = int(np.argmin(best[size - 1] + matrix[1:, 0]))
    tour: list[int] = []
    mask, node = size - 1, last
    while node != -1:
        tour.append(node + 1)
        prev = int(parent[mask, node])
        mask ^= 1 << node
        node = prev
    return tour[::-1]
