"""2030 scenarios: the YAML schema, the projection engine, sweeps, sensitivities and the
reconciliation with published outlooks."""

from forecast.scenarios.catalog import (
    default_scenario_dir,
    list_scenarios,
    project,
    project_all,
    project_named,
    projection_to_csv,
    projection_to_text,
    reconcile,
    resolve_scenario,
    sensitivity,
    sweep,
)
from forecast.scenarios.projection import PROJECTION_COLUMNS
from forecast.scenarios.schema import Scenario, load_scenario

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
