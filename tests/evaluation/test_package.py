"""The forecast.evaluation package: its exports, and no year as a default of its functions."""

from __future__ import annotations

import inspect

import forecast.evaluation as package
from forecast.evaluation import backtest, comparison, frames, sensitivity

MODULES = [backtest, comparison, frames, sensitivity]


def test_package_exports_every_module_api_but_the_shared_helpers() -> None:
    helpers = {"BAND_COLUMNS", "COVERAGE_COLUMNS", "LEVELS", "band_columns", "cell_stream",
               "observed_series"}
    expected = {name for module in MODULES for name in module.__all__} - helpers
    # Other modules of the package (scoring, calibration, ...) add their own names.
    assert expected <= set(package.__all__), expected - set(package.__all__)
    assert not helpers & set(package.__all__)
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


def test_no_year_as_a_default() -> None:
    for module in MODULES:
        for name in module.__all__:
            obj = getattr(module, name)
            if not inspect.isfunction(obj):
                continue
            for param in inspect.signature(obj).parameters.values():
                if "year" in param.name:
                    assert param.default in (None, inspect.Parameter.empty), (name, param)
