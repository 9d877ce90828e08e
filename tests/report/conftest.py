"""Fixtures the report tests share: figures drawn off screen (Agg) and closed after each test."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import pytest


@pytest.fixture(autouse=True)
def _close_figures():
    """Close every figure a test leaves open, so that none carries over to the next test."""
    yield
    plt.close("all")
