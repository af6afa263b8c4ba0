"""Per-architecture GEMM efficiency of training (issue 13): the A100 fit carried to each
accelerator as the same share of its measured matmul ceiling (Bekman's MAMF table: A100 SXM
267.9/312, H100 SXM 792.1/989, B200 1,745/2,250 TFLOP/s BF16)."""

from __future__ import annotations

import pytest

from scalewall import catalog
from scalewall.catalog.calibration import Calibration
from scalewall.performance.step import gemm_efficiency


def test_a100_keeps_the_korthikanti_fit():
    cal = Calibration.from_catalog()
    assert gemm_efficiency(catalog.accelerator("a100-80gb"), cal) == pytest.approx(cal.gemm_efficiency)


def test_h100_and_b200_train_at_the_a100_share_of_their_measured_matmul_ceiling():
    cal = Calibration.from_catalog()
    # 0.77 x 0.801 / 0.859 and 0.77 x 0.776 / 0.859, to the table's rounding
    assert gemm_efficiency(catalog.accelerator("h100-sxm"), cal) == pytest.approx(0.718, abs=2e-3)
    assert gemm_efficiency(catalog.accelerator("b200"), cal) == pytest.approx(0.696, abs=2e-3)


def test_accelerator_without_a_measured_ceiling_keeps_the_fit():
    cal = Calibration.from_catalog()
    acc = catalog.accelerator("h100-sxm").model_copy(update={"matmul_efficiency_bf16": None})
    assert gemm_efficiency(acc, cal) == cal.gemm_efficiency
