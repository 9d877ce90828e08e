"""The forecast.data package: its exports and a pandas-free import."""

from __future__ import annotations

import subprocess
import sys

import forecast.data as package
from forecast.data import consistency, loader, schema

MODULES = [consistency, loader, schema]


def test_package_exports_the_loader_api() -> None:
    assert sorted(package.__all__) == sorted(loader.__all__)
    for name in package.__all__:
        assert getattr(package, name) is getattr(loader, name)


def test_importing_the_data_layer_does_not_load_pandas() -> None:
    code = "import sys, forecast.data.schema, forecast.data; print('pandas' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
