"""The scenario explorer: static without a frontend, and its update re-projects."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pytest

from forecast import data, scenarios
from forecast.report import explorer as ex


@pytest.fixture(scope="module")
def history():
    return data.load_history()


@pytest.fixture
def base(history):
    return ex.ScenarioExplorer("base", history, target_year=2030, n_draws=500, seed=7)


def test_starts_at_the_projection_of_the_scenario(base, history):
    direct = scenarios.project("base", history, n_draws=500, seed=7, target_year=2030)
    china = direct.query("region == 'China' and segment == 'total'").reset_index(drop=True)
    np.testing.assert_allclose(base.fan[["p10", "p50", "p90"]], china[["p10", "p50", "p90"]])
    assert list(base.fan["year"]) == list(range(2025, 2031))


def test_update_reprojects_with_the_new_value(base):
    before = base.fan.copy()
    faster = base.update({"segments.power.cagr": 0.30})
    assert (faster["p50"].iloc[1:] > before["p50"].iloc[1:]).all()
    assert faster["p50"].iloc[-1] > before["p50"].iloc[-1] * 1.05
    # The share only moves the world: China's fan is unchanged.
    same = base.update({"share.target": 0.70})
    np.testing.assert_allclose(same["p50"], faster["p50"])
    # Back to the stated values gives the starting fan again (same draws, no sampling noise).
    back = base.update({"segments.power.cagr": 0.22, "share.target": 0.75})
    np.testing.assert_allclose(back[["p10", "p50", "p90"]], before[["p10", "p50", "p90"]])
    with pytest.raises(KeyError, match="not a numeric assumption"):
        base.update({"segments.power.nonsense": 1.0})


def test_sliders_cover_every_assumption_inside_its_domain(base):
    ranges = {r.key: r for r in base.ranges()}
    assert set(ranges) == set(base.central)
    for r in ranges.values():
        assert r.low <= r.central <= r.high and r.step > 0
        assert "." not in r.label
    assert ranges["segments.power.damping"].high <= 1.0
    assert ranges["share.target"].low >= 0.0 and ranges["share.target"].high <= 1.0


def test_without_a_frontend_it_shows_a_static_figure(base, monkeypatch):
    assert ex.has_live_frontend() is False  # no kernel here
    shown = []
    monkeypatch.setattr("IPython.display.display", lambda *objs: shown.extend(objs))
    base.show()
    assert len(shown) == 1 and isinstance(shown[0], matplotlib.figure.Figure)
    assert shown[0].number not in plt.get_fignums()


def test_the_widget_redraws_when_a_slider_moves(base):
    pytest.importorskip("ipywidgets")
    open_before = set(plt.get_fignums())  # other tests in this worker may leave figures open
    box = base.widget()
    sliders = box.children[:-1]
    assert len(sliders) == len(base.central)
    image = box.children[-1]
    first = image.value
    assert first[:4] == b"\x89PNG"
    power = next(s for s in sliders if s.description == "Power: growth rate")
    before = base.fan["p50"].iloc[-1]
    power.value = min(power.max, 0.30)
    assert base.values["segments.power.cagr"] == pytest.approx(power.value)
    assert base.fan["p50"].iloc[-1] > before
    assert image.value != first and image.value[:4] == b"\x89PNG"
    # The live figure is not left to the inline backend.
    assert set(plt.get_fignums()) <= open_before


def test_redraw_keeps_the_axis_until_the_fan_outgrows_it(base):
    base.redraw()
    ax = base._live.ax
    low, high = ax.get_ylim()
    base.redraw({"segments.power.cagr": 0.225})
    assert ax.get_ylim() == (low, high)
    base.redraw({"segments.power.cagr": 0.40, "segments.power.damping": 1.0})
    assert ax.get_ylim()[1] > high and ax.get_ylim()[1] > base.fan["p95"].max()


def test_live_frontend_is_read_from_the_execute_request(monkeypatch):
    class Kernel:
        def __init__(self, allow):
            self.allow = allow

        def get_parent(self, channel=None):
            return {"content": {"allow_stdin": self.allow}}

    class Shell:
        kernel = None

    shell = Shell()
    monkeypatch.setattr("IPython.get_ipython", lambda: shell)
    shell.kernel = Kernel(True)  # JupyterLab
    assert ex.has_live_frontend() is True
    shell.kernel = Kernel(False)  # nbclient: papermill, forecast run
    assert ex.has_live_frontend() is False
