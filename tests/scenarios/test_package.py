"""The forecast.scenarios package: its public API (module-level checks: tests/test_package.py)."""

from __future__ import annotations

import forecast.scenarios as package
from forecast.scenarios import (
    catalog,
    preparation,
    projection,
    reconciliation,
    sampling,
    schema,
    sweeps,
)

MODULES = [catalog, preparation, projection, reconciliation, sampling, schema, sweeps]


def test_package_exports_the_public_api() -> None:
    assert sorted(package.__all__) == [
        "PROJECTION_COLUMNS",
        "Scenario",
        "default_scenario_dir",
        "list_scenarios",
        "load_scenario",
        "project",
        "project_named",
        "projection_to_csv",
        "projection_to_text",
        "reconcile",
        "resolve_scenario",
        "sensitivity",
        "sweep",
    ]
    for name in package.__all__:
        assert getattr(package, name) is not None
