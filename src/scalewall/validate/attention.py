"""Validation rows of the fused-attention length law (``flash-attention-*`` in calibration.yaml)
against the kernel curves it was fitted on (``cases/attention_kernels.yaml``)."""

from __future__ import annotations

import numpy as np

from scalewall.catalog.calibration import Calibration
from scalewall.performance.plan import STACKS
from scalewall.performance.step import flash_attention_rates
from scalewall.validate.calibrate import attention_kernel_curves, flash_forward_shape
from scalewall.validate.rows import Row, row, source_of

__all__ = ["attention_kernel_rows", "ATTENTION_KERNEL_BAR"]


#: the attention kernel rows' bar [-]
ATTENTION_KERNEL_BAR = 0.10


def attention_kernel_rows() -> list[Row]:
    """The fused-attention length law against the FlashAttention-3 paper's H100 curves: causal
    forward and backward / forward of the fit kernels (fit), FlashAttention-3's backward / forward
    (check), and non-causal forward of the fit kernels (held out: training here is causal)."""
    cur = attention_kernel_curves()
    cal = Calibration.from_catalog()
    # each fit kernel at the long-sequence efficiency the model ships for it: cuDNN is the
    # calibration's default (Megatron-Core), FlashAttention-2 the FA2-class stacks' figure
    eta_inf = {
        "cudnn": cal.flash_attention_efficiency,
        "flashattention-2": STACKS["torchtitan"].attention_efficiency,
    }
    s, shares, src = cur["seq"], cur["shares"], source_of(cur)
    group = "flashattention3_paper_h100"
    causal, plain = flash_forward_shape(s, True, cal), flash_forward_shape(s, False, cal)
    _, ratio = flash_attention_rates(s, np.inf, 1.0, cal)  # non-causal, as the backward was measured
    rows, held = [], []
    for k in [*cur["fit_kernels"], *cur["check_kernels"]]:
        role = "fit" if k in cur["fit_kernels"] else "check"
        sh = shares[k]
        for i, n in enumerate(cur["seq_len"]):
            name = f"{k} {n // 1024}K" if n >= 1024 else f"{k} {n}"
            if role == "fit":
                pub, pred = sh["forward_causal"][i], eta_inf[k] * causal[i]
                rows.append(row(group, name, "causal fwd / peak", pub, pred, ATTENTION_KERNEL_BAR, role, src))
            pub = sh["backward"][i] / sh["forward"][i]
            rows.append(row(group, name, "bwd / fwd rate", pub, ratio[i], ATTENTION_KERNEL_BAR, role, src))
            if role == "fit":
                pub, pred = sh["forward"][i], eta_inf[k] * plain[i]
                err = pred / pub - 1.0
                held.append(
                    Row(
                        group=f"{group}_noncausal",
                        case=name,
                        quantity="fwd / peak",
                        published=pub,
                        predicted=pred,
                        error=err,
                        bar="none",
                        ok=True,
                        role="held-out",
                        source=src,
                    )
                )
    return rows + held
