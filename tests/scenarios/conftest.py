"""Fixtures the scenario tests share: the shipped history and scenario folder, a synthetic
scenario of known curves, and the published 2030 outlook computed by hand."""

from __future__ import annotations

import copy
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from forecast import data
from forecast.scenarios.schema import Scenario, parse_scenario

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="session")
def history() -> pd.DataFrame:
    """The shipped history data (read once; tests must not modify it)."""
    return data.load_history()


@pytest.fixture(scope="session")
def scenario_dir() -> Path:
    """The shipped scenario folder."""
    return REPO / "data" / "scenarios"


@pytest.fixture(scope="session")
def scenario() -> Callable[..., Scenario]:
    """A factory of synthetic scenarios: compound power +10%/yr, consumer flat, storage +20%/yr
    to 2030, China's share held. Keywords replace entries; ``a__b`` names a nested key."""

    def make(**changes: Any) -> Scenario:
        doc: dict[str, Any] = {
            "name": "synthetic",
            "description": "Known curves.",
            "target_year": 2030,
            "segments": {
                "power": {"model": "compound", "cagr": 0.10},
                "consumer": {"model": "compound", "cagr": 0.0},
                "storage": {"model": "compound", "cagr": 0.20},
            },
        }
        for key, value in changes.items():
            node = doc
            parts = key.split("__")
            for part in parts[:-1]:
                node = node.setdefault(part, {})
            node[parts[-1]] = value
        return parse_scenario(copy.deepcopy(doc), "synthetic.yaml")

    return make


@pytest.fixture(scope="session")
def published() -> dict[str, float]:
    """China 2030 under the published outlooks' CAGRs from 2024 [GWh] (document 002)."""
    out = {"power": 823 * 1.2**6, "consumer": 94 * 1.05**6, "storage": 254 * 1.3**6}
    return {**out, "total": sum(out.values())}  # 2457.46, 125.97, 1226.01, 3809.44
