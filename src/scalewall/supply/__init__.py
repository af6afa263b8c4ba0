"""Site power supply: weather → solar/wind/SBSP profiles and hourly PUE (from
:mod:`scalewall.facility.pue`) → least-cost hourly supply with a carbon-free (CFE) target, solved
with PyPSA (linopy + HiGHS)."""
