"""Named unit conversions: every factor that turns one unit into another lives here.

Code elsewhere writes ``energy_j / J_PER_MWH``, never ``/ 3.6e9``, so a reader sees the units and
a slip (kW vs W, kWh vs MWh) shows in the name. Pint is used where units cross a boundary the user
controls; these plain floats are for vectorised hot paths, where pint's wrapping would cost time.
"""

from __future__ import annotations

__all__ = [
    "SECONDS_PER_MINUTE",
    "SECONDS_PER_HOUR",
    "SECONDS_PER_DAY",
    "HOURS_PER_DAY",
    "DAYS_PER_YEAR",
    "HOURS_PER_YEAR",
    "SECONDS_PER_YEAR",
    "J_PER_WH",
    "J_PER_KWH",
    "J_PER_MWH",
    "J_PER_GWH",
    "J_PER_TWH",
    "WH_PER_KWH",
    "KWH_PER_MWH",
    "MWH_PER_GWH",
    "MWH_PER_TWH",
    "W_PER_KW",
    "W_PER_MW",
    "W_PER_GW",
    "MW_PER_GW",
    "G_PER_KG",
    "KG_PER_T",
    "G_PER_T",
    "L_PER_M3",
    "ML_PER_L",
    "BYTES_PER_GB",
    "FLOPS_PER_TFLOPS",
    "BYTES_PER_TB",
    "M2_PER_KM2",
    "MS_PER_S",
    "WH_PER_TWH",
]

# ---- time --------------------------------------------------------------------------------------
SECONDS_PER_MINUTE = 60.0
SECONDS_PER_HOUR = 3600.0
HOURS_PER_DAY = 24.0
SECONDS_PER_DAY = SECONDS_PER_HOUR * HOURS_PER_DAY  # 86,400
DAYS_PER_YEAR = 365.0  #: a calendar year of 8,760 h (hourly energy models use 365 days)
HOURS_PER_YEAR = HOURS_PER_DAY * DAYS_PER_YEAR  # 8,760
SECONDS_PER_YEAR = SECONDS_PER_HOUR * HOURS_PER_YEAR
MS_PER_S = 1e3

# ---- energy ------------------------------------------------------------------------------------
J_PER_WH = SECONDS_PER_HOUR  # 1 Wh = 3,600 J
WH_PER_KWH = 1e3
KWH_PER_MWH = 1e3
MWH_PER_GWH = 1e3
MWH_PER_TWH = 1e6
J_PER_KWH = J_PER_WH * WH_PER_KWH  # 3.6e6
J_PER_MWH = J_PER_KWH * KWH_PER_MWH  # 3.6e9
J_PER_GWH = J_PER_MWH * MWH_PER_GWH  # 3.6e12
J_PER_TWH = J_PER_MWH * MWH_PER_TWH  # 3.6e15

# ---- power -------------------------------------------------------------------------------------
W_PER_KW = 1e3
W_PER_MW = 1e6
W_PER_GW = 1e9
MW_PER_GW = 1e3

# ---- mass, volume, area ------------------------------------------------------------------------
G_PER_KG = 1e3
KG_PER_T = 1e3
G_PER_T = G_PER_KG * KG_PER_T  # 1e6
L_PER_M3 = 1e3
ML_PER_L = 1e3
M2_PER_KM2 = 1e6

# ---- data and arithmetic (decimal prefixes, as datasheets quote them) ------------------------
BYTES_PER_GB = 1e9
BYTES_PER_TB = 1e12
FLOPS_PER_TFLOPS = 1e12

# ---- appended ----------------------------------------------------------------------------------
WH_PER_TWH = WH_PER_KWH * KWH_PER_MWH * MWH_PER_TWH  # 1e12
