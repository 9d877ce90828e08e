"""forecast: lithium-ion battery production history, growth and share models, 2030 scenarios.

Importing the package is cheap: submodules (and pandas, scipy, matplotlib) load
only when used, so ``forecast --help`` answers quickly.
"""

import importlib
from typing import Any

__version__ = "0.1.0"

_SUBMODULES = {"data", "models", "evaluation", "scenarios", "report", "run", "errors"}


def __getattr__(name: str) -> Any:
    if name in _SUBMODULES:
        return importlib.import_module(f"forecast.{name}")
    raise AttributeError(f"module 'forecast' has no attribute {name!r}")


__all__ = sorted(_SUBMODULES | {"__version__"})
