"""The facility: device → node → IT → facility power, PUE, carbon, water and cost.

Modules: ``power`` (accelerator power from utilisation), ``boundaries`` (accelerator → node →
idle machines → facility), ``pue`` (the one PUE model: given, hourly climate and cooling,
region, default; the outlook's PUE trend), ``site`` (PUE, grid, water and price of where a job
runs), ``footprint`` (operational and embodied carbon, water, owner's cost with the cluster
multiplier, energy cost, rental), ``job`` (the planner's per-step power, energy and cost).
"""
