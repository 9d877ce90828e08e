"""The forecast.scenarios package: its exports, and no year or scenario name in its defaults."""

from __future__ import annotations

import inspect

import forecast.scenarios as package
from forecast.scenarios import (
    catalog,
    checks,
    preparation,
    projection,
    reconciliation,
    sampling,
    schema,
    sweeps,
)

MODULES = [catalog, checks, preparation, projection, reconciliation, sampling, schema, sweeps]


def test_package_exports_the_public_api() -> None:
    assert sorted(package.__all__) == [
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
    for name in package.__all__:
        assert getattr(package, name) is not None


def test_every_module_lists_its_public_names() -> None:
    for module in MODULES:
        defined = {
            name
            for name, obj in vars(module).items()
            if not name.startswith("_")
            and (inspect.isfunction(obj) or inspect.isclass(obj))
            and obj.__module__ == module.__name__
        }
        assert defined <= set(module.__all__), (module.__name__, defined - set(module.__all__))
        assert all(hasattr(module, name) for name in module.__all__), module.__name__


def test_no_year_or_scenario_name_as_a_default() -> None:
    for module in MODULES:
        for name in module.__all__:
            obj = getattr(module, name)
            if not inspect.isfunction(obj):
                continue
            for param in inspect.signature(obj).parameters.values():
                if "year" in param.name:
                    assert param.default in (None, inspect.Parameter.empty), (name, param)
                assert param.default != "base", (name, param)
