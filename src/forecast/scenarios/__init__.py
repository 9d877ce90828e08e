"""Scenarios: the YAML schema, the projection engine, sweeps, sensitivities and the
reconciliation with published outlooks.

Modules, in the order a scenario flows through them: :mod:`~forecast.scenarios.schema`
(files; value checks in :mod:`~forecast.scenarios.checks`),
:mod:`~forecast.scenarios.preparation` (resolved against the history data),
:mod:`~forecast.scenarios.sampling` (parameter draws), :mod:`~forecast.scenarios.noise`
(the year-to-year variation the draws add), :mod:`~forecast.scenarios.projection`
(paths and tables), then :mod:`~forecast.scenarios.catalog` (scenario folders and
projection tables), :mod:`~forecast.scenarios.sweeps`,
:mod:`~forecast.scenarios.reconciliation`, :mod:`~forecast.scenarios.spread` (where a band comes
from) and :mod:`~forecast.scenarios.outlooks` (the fans beside figures published before 2025).
"""

from forecast.scenarios.catalog import (
    default_scenario_dir,
    list_scenarios,
    project,
    project_all,
    project_named,
    projection_to_csv,
    projection_to_text,
    resolve_scenario,
)
from forecast.scenarios.projection import PROJECTION_COLUMNS
from forecast.scenarios.reconciliation import reconcile
from forecast.scenarios.schema import Scenario, load_scenario
from forecast.scenarios.sweeps import sensitivity, sweep

# The package's API; each module's own __all__ lists its public names (only these few are
# repeated here, where they are chosen).
__all__ = [
    "PROJECTION_COLUMNS",
    "Scenario",
    "default_scenario_dir",
    "list_scenarios",
    "load_scenario",
    "project",
    "project_all",
    "project_named",
    "projection_to_csv",
    "projection_to_text",
    "reconcile",
    "resolve_scenario",
    "sensitivity",
    "sweep",
]
