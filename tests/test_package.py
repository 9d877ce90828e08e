"""Every module of the library: a complete ``__all__``, and no year or scenario name as the
default of a public function (target and reference years are parameters)."""

from __future__ import annotations

import importlib
import inspect
import pkgutil
from types import ModuleType

import pytest

import forecast


def _modules() -> list[ModuleType]:
    names = [m.name for m in pkgutil.walk_packages(forecast.__path__, prefix="forecast.")]
    return [importlib.import_module(name) for name in sorted(names) if name != "forecast.__main__"]


MODULES = _modules()


@pytest.mark.parametrize("module", MODULES, ids=lambda m: m.__name__)
def test_module_lists_its_public_names(module: ModuleType) -> None:
    assert hasattr(module, "__all__"), f"{module.__name__} has no __all__"
    defined = {
        name
        for name, obj in vars(module).items()
        if not name.startswith("_")
        and (inspect.isfunction(obj) or inspect.isclass(obj))
        and obj.__module__ == module.__name__
    }
    assert defined <= set(module.__all__), defined - set(module.__all__)
    assert all(hasattr(module, name) for name in module.__all__)


@pytest.mark.parametrize("module", MODULES, ids=lambda m: m.__name__)
def test_no_year_or_scenario_name_as_a_default(module: ModuleType) -> None:
    for name in module.__all__:
        obj = getattr(module, name)
        functions = [obj] if inspect.isfunction(obj) else []
        if inspect.isclass(obj) and obj.__module__ == module.__name__:
            functions = [f for _, f in inspect.getmembers(obj, inspect.isfunction)
                         if f.__module__ == module.__name__]
        for function in functions:
            for param in inspect.signature(function).parameters.values():
                if "year" in param.name:
                    assert param.default in (None, inspect.Parameter.empty), (name, param)
                assert param.default != "base", (name, param)
