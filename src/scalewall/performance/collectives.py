"""Time of collective communication on ring/hierarchical networks (α-β model), vectorised.

Each function returns seconds for a message of ``size_b`` bytes per device on a group of ``n``
devices whose links give ``bw_gb_s`` per direction at efficiency ``eff`` and latency ``alpha_s``
per step. With n = 1 the time is 0.

References
----------
Thakur, Rabenseifner, Gropp, "Optimization of Collective Communication Operations in MPICH",
IJHPCA 19(1), 2005: ring all-reduce moves 2(n-1)/n of the message, all-gather and
reduce-scatter (n-1)/n.
"""

from __future__ import annotations

import numpy as np

__all__ = [
    "all_reduce_s",
    "all_gather_s",
    "all_to_all_s",
    "p2p_s",
    "hierarchical_all_reduce_s",
    "hierarchical_all_gather_s",
]


def _f(x):
    return np.asarray(x, dtype=float)


def all_reduce_s(size_b, n, bw_gb_s, eff, alpha_s):
    """Ring all-reduce time [s]: ``2(n-1)/n · size / (bw·eff) + 2(n-1)·α``."""
    size_b, n, bw = _f(size_b), _f(n), _f(bw_gb_s) * 1e9 * eff
    t = 2 * (n - 1) / n * size_b / bw + 2 * (n - 1) * alpha_s
    return np.where(n > 1, t, 0.0)


def all_gather_s(size_b, n, bw_gb_s, eff, alpha_s):
    """Ring all-gather (or reduce-scatter) of a ``size_b`` full tensor [s]."""
    size_b, n, bw = _f(size_b), _f(n), _f(bw_gb_s) * 1e9 * eff
    t = (n - 1) / n * size_b / bw + (n - 1) * alpha_s
    return np.where(n > 1, t, 0.0)


def all_to_all_s(size_b, n, bw_gb_s, eff, alpha_s):
    """All-to-all where each device sends ``(n-1)/n`` of ``size_b`` bytes [s]."""
    size_b, n, bw = _f(size_b), _f(n), _f(bw_gb_s) * 1e9 * eff
    t = (n - 1) / n * size_b / bw + (n - 1) * alpha_s
    return np.where(n > 1, t, 0.0)


def p2p_s(size_b, bw_gb_s, eff, alpha_s):
    """Point-to-point send of ``size_b`` bytes [s]."""
    return _f(size_b) / (_f(bw_gb_s) * 1e9 * eff) + alpha_s


def hierarchical_all_reduce_s(size_b, n, n_local, bw_up_gb_s, eff_up, bw_out_gb_s, eff_out, alpha_s):
    """Two-level all-reduce: reduce-scatter/all-gather inside the node, all-reduce across [s].

    ``n_local`` group members share one node (scale-up links); the ``n / n_local`` nodes exchange
    ``size / n_local`` each over the scale-out NIC of every member, as NCCL's multi-ring and tree
    algorithms do.
    """
    size_b, n, n_local = _f(size_b), _f(n), _f(n_local)
    n_local = np.minimum(n_local, n)
    intra = 2 * all_gather_s(size_b, n_local, bw_up_gb_s, eff_up, alpha_s)
    inter = all_reduce_s(size_b / n_local, n / n_local, bw_out_gb_s, eff_out, alpha_s)
    return intra + inter


def hierarchical_all_gather_s(size_b, n, n_local, bw_up_gb_s, eff_up, bw_out_gb_s, eff_out, alpha_s):
    """Two-level all-gather of a ``size_b`` tensor sharded over ``n`` devices [s].

    Across nodes every member gathers ``size / n_local`` over its own NIC, then the node's
    ``n_local`` members exchange their pieces over the scale-up links.
    """
    size_b, n, n_local = _f(size_b), _f(n), _f(n_local)
    n_local = np.minimum(n_local, n)
    inter = all_gather_s(size_b / n_local, n / n_local, bw_out_gb_s, eff_out, alpha_s)
    intra = all_gather_s(size_b, n_local, bw_up_gb_s, eff_up, alpha_s)
    return inter + intra
