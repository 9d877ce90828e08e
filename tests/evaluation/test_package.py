"""The forecast.evaluation package exports every module's API but the shared helpers."""

from __future__ import annotations

import forecast.evaluation as package
from forecast.evaluation import backtest, comparison, frames

MODULES = [backtest, comparison, frames]


def test_package_exports_every_module_api_but_the_shared_helpers() -> None:
    helpers = {"BAND_COLUMNS", "COVERAGE_COLUMNS", "FLOAT_FORMAT", "band_columns",
               "cell_stream", "csv_text", "neutralise_formulas", "observed_series"}
    expected = {name for module in MODULES for name in module.__all__} - helpers
    # Other modules of the package (scoring, calibration, ...) add their own names.
    assert expected <= set(package.__all__), expected - set(package.__all__)
    assert not helpers & set(package.__all__)
    for name in package.__all__:
        assert getattr(package, name) is not None
