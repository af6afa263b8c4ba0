"""The flex (DeepEP / HybridEP) dispatcher sends a token once per remote node and forwards it over
NVLink there; node-limited routing (DeepSeek-V3, M = 4 nodes) caps those nodes.

Truth: DeepSeek-V3 Technical Report (DeepSeek-AI, arXiv:2412.19437, 2024), Sec. 2.1.2 (each token
sent to at most 4 nodes) and Sec. 3.2.2 (IB once per target node, then NVLink forwarding). The
expected-node figures below are the closed form for balanced routing (exact to 1e-12).
"""

from __future__ import annotations

import numpy as np
import pytest

from scalewall import catalog
from scalewall.performance.plan import STACKS, Plan, PlanArrays
from scalewall.performance.step import evaluate, remote_nodes_per_token
from scalewall.workload.transformer import model_dims


def test_remote_nodes_per_token_is_the_balanced_routing_expectation():
    # 8 nodes of 8 ranks, top-8: 7 (1 - (7/8)^8) = 4.5936... remote nodes, against 7 remote copies
    got = remote_nodes_per_token(np.array([64.0]), np.array([8.0]), 8)
    assert got[0] == pytest.approx(7 * (1 - (7 / 8) ** 8), rel=1e-12)
    assert got[0] < 8 * 56 / 64
    # one node: nothing crosses the scale-out network
    assert remote_nodes_per_token(np.array([8.0]), np.array([8.0]), 8)[0] == 0.0


def test_node_limited_routing_caps_the_remote_nodes_at_m_times_the_remote_share():
    got = remote_nodes_per_token(np.array([64.0]), np.array([8.0]), 8, max_nodes=4)
    assert got[0] == pytest.approx(4 * 7 / 8, rel=1e-12)
    # a limit above the expectation changes nothing
    free = remote_nodes_per_token(np.array([64.0]), np.array([8.0]), 8)
    assert remote_nodes_per_token(np.array([64.0]), np.array([8.0]), 8, max_nodes=8)[0] == free[0]


def test_deepseek_v3_carries_its_four_node_routing_limit():
    assert model_dims(catalog.model("deepseek-v3")).max_nodes_per_token == 4


def test_flex_dispatch_across_nodes_moves_less_than_token_drop_copies():
    # DeepSeek-V3 with EP 64 over 8-GPU H100 nodes: the scale-out leg binds; dedup shortens it
    d = model_dims(catalog.model("deepseek-v3"))
    a = catalog.accelerator("h100-sxm")
    plan = Plan(tp=1, pp=8, dp=1, ep=64, micro_batch=1, global_batch=1024, interleave=1, zero=1)
    P = PlanArrays.from_plans([plan])
    mc = STACKS["megatron-core"]
    drop = evaluate(d, a, P, 4096, "fp8", mc.model_copy(update={"moe_dropless": False}))
    flex = evaluate(d, a, P, 4096, "fp8", mc.model_copy(update={"moe_token_dispatcher": "flex"}))
    assert flex["ep_comm_s"][0] < 0.6 * drop["ep_comm_s"][0]
