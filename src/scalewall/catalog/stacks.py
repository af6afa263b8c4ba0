"""Schema of the software-stack catalogue (``stacks.yaml``): what a training framework does that
changes step time and memory for the same parallel plan.

Each profile is a few switches and one overlap share, every one sourced to the framework's
documentation or paper; ``scalewall train --stack ID`` picks one.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from scalewall.catalog.schema import Entry

__all__ = ["SoftwareStack"]


class SoftwareStack(Entry):
    """A training software profile (catalogue kind ``stacks``).

    Attributes
    ----------
    flash_attention : fused attention (FlashAttention/cuDNN): no s² tensors in memory, causal
        blocks skipped.
    overlap_grad_reduce : data-parallel gradient reduction (and ZeRO-3/FSDP gathers) overlapped
        with backward.
    dropout : dropout layers (GPT-3-era recipes) that add masks to memory and traffic.
    context_parallel : the stack can split the sequence over devices (ring attention).
    zero_stages : the ZeRO stages the stack offers (FSDP = 3, distributed optimizer = 1).
    tp_comm_overlap : share of the tensor-parallel collectives the stack can hide behind the
        GEMMs they feed (0: serial; 1: hidden up to the GEMM time) [-].
    ep_comm_overlap : share of the expert-parallel all-to-all hidden behind another
        micro-batch's compute (Megatron-Core ``moe_a2a_overlap``, DualPipe-class schedules) [-].
    moe_token_dispatcher : how MoE tokens reach their experts. ``alltoall``: an NCCL all-to-all
        between permutation kernels (Megatron-Core ``moe_token_dispatcher_type: alltoall``);
        ``flex``: fused dispatch/combine kernels with device-side token counts (DeepEP /
        HybridEP, ``moe_token_dispatcher_type: flex``).
    moe_dropless : every routed token reaches its experts (no capacity factor). With the
        ``alltoall`` dispatcher the per-expert token counts then go to the host each layer to
        size the uneven all-to-all, and every token copy it sends off the device pays the
        calibration's ``alltoall-dispatcher-copy-bytes`` of HBM time beyond the transfer;
        token-drop routing padded to a fixed capacity, and the ``flex`` dispatcher, only move the
        bytes at the collective ``scale-up-efficiency``.
    fp8_activation_casts : with FP8 GEMMs, the GEMM inputs kept for backward are their 1-byte
        FP8 casts (Transformer Engine) rather than 16-bit copies (torchao float8 keeps 16-bit).
    cp_all_gather : context parallelism all-gathers the whole sequence's K and V before the
        attention and reduce-scatters their gradients after it, exposed on the critical path
        (Llama 3's CP, chosen for document masks), instead of a ring exchange hidden behind
        the attention core.
    selective_recomputes_every_second_mm : selective (op-level) checkpointing saves every
        matmul output except every second 16-bit matmul of a layer, which backward recomputes
        (torchtitan's ``selective_ac_option = "op"``).
    attention_efficiency : achieved / 16-bit peak of the stack's fused attention, forward and
        backward, on the executed (causal) FLOPs [-]; ``None``: the calibration factor
        ``flash-attention-efficiency`` (FlashAttention-3 / cuDNN class on Hopper).
    """

    flash_attention: bool
    overlap_grad_reduce: bool
    dropout: bool
    context_parallel: bool = True
    zero_stages: tuple[int, ...] = (0, 1, 2, 3)
    tp_comm_overlap: float = Field(default=0.0, ge=0, le=1, description="[-]")
    ep_comm_overlap: float = Field(default=0.0, ge=0, le=1, description="[-]")
    moe_token_dispatcher: Literal["alltoall", "flex"] = "alltoall"
    moe_dropless: bool = True
    attention_efficiency: float | None = Field(default=None, gt=0, le=1, description="[-]")
    fp8_activation_casts: bool = True
    cp_all_gather: bool = False
    selective_recomputes_every_second_mm: bool = False

    @property
    def description(self) -> str:
        """One line for a result's assumptions."""
        return self.note or self.name
