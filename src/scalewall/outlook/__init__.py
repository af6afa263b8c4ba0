"""Outlook 2024-2050: when each wall binds, with uncertainty, and what each solution buys.

Modules: ``drivers`` (distributions and sampling), ``model`` (trajectories and walls over
samples × years), ``levers`` (solutions), ``scenario`` (presets and user files), ``sensitivity``
(Sobol), ``summary`` (quantiles). The ``outlook`` command is :mod:`scalewall.commands.outlook`;
its catalogue kinds and scenario schema are in :mod:`scalewall.catalog.outlook`.
"""
