"""Scenarios: the YAML schema, the projection engine, sweeps, sensitivities and the
comparison with published outlooks.

A scenario flows through :mod:`~forecast.scenarios.schema` (files),
:mod:`~forecast.scenarios.preparation` (resolved against the history data),
:mod:`~forecast.scenarios.sampling` (parameter draws), :mod:`~forecast.scenarios.noise`
(year-to-year variation) and :mod:`~forecast.scenarios.projection` (paths and tables);
:mod:`~forecast.scenarios.catalog` finds and projects scenario files, and
:mod:`~forecast.scenarios.sweeps`, :mod:`~forecast.scenarios.reconciliation`,
:mod:`~forecast.scenarios.spread` and :mod:`~forecast.scenarios.outlooks` analyse them.
"""

from forecast.scenarios.catalog import (
    default_scenario_dir,
    list_scenarios,
    project,
    project_named,
    projection_to_csv,
    projection_to_text,
    resolve_scenario,
)
from forecast.scenarios.projection import PROJECTION_COLUMNS
from forecast.scenarios.reconciliation import reconcile
from forecast.scenarios.schema import Scenario, load_scenario
from forecast.scenarios.sweeps import sensitivity, sweep

__all__ = [
    "PROJECTION_COLUMNS", "Scenario", "default_scenario_dir", "list_scenarios", "load_scenario",
    "project", "project_named", "projection_to_csv", "projection_to_text",
    "reconcile", "resolve_scenario", "sensitivity", "sweep",
]
