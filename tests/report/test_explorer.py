"""The scenario explorer: static without a frontend, and its update re-projects."""

from __future__ import annotations

import matplotlib
import matplotlib.pyplot as plt
import numpy as np
import pytest

from forecast import scenarios
from forecast.report import explorer as ex


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
    assert len(shown) == 2 and isinstance(shown[0], matplotlib.figure.Figure)
    assert "draws, seed 7; every assumption as stated" in shown[1].data
    assert shown[0].number not in plt.get_fignums()


def test_the_widget_redraws_when_a_slider_moves(base):
    pytest.importorskip("ipywidgets")
    from forecast.report.formatting import gwh

    open_before = set(plt.get_fignums())  # other tests in this worker may leave figures open
    box = base.widget()
    assert set(box.controls) == set(base.central)
    image = next(c for c in box.children if type(c).__name__ == "Image")
    first = image.value
    assert first[:4] == b"\x89PNG"
    # Full labels, beside their sliders.
    labels = [row.children[0].value for row in box.children[:len(box.controls)]]
    assert "China&#x27;s world share in the target year" in labels
    power, readout = box.controls["segments.power.cagr"]
    assert readout.value == "22.0%/yr"
    before = base.fan["p50"].iloc[-1]
    power.value = min(power.max, 0.30)
    assert base.values["segments.power.cagr"] == pytest.approx(power.value)
    after = base.fan["p50"].iloc[-1]
    assert after > before
    assert image.value != first and image.value[:4] == b"\x89PNG"
    # The caption follows the figure: the new median, and what moved.
    assert f"{gwh(after)} GWh" in box.caption.value and gwh(before) not in box.caption.value
    assert "Power: growth rate 30.0%/yr (stated 22.0%/yr)" in box.caption.value
    assert readout.value == "30.0%/yr"
    # The live figure is not left to the inline backend.
    assert set(plt.get_fignums()) <= open_before


def test_readouts_are_written_as_the_report_writes_and_typed_values_are_checked(base):
    pytest.importorskip("ipywidgets")
    box = base.widget()
    level, level_readout = box.controls["segments.storage.saturation"]
    assert level_readout.value == "1,500 GWh"  # not 1.5e+03
    share, share_readout = box.controls["share.target"]
    share_readout.value = "500%"
    assert share.value == pytest.approx(share.max)
    assert "outside the slider" in box.status.value and "500.0%" in box.status.value
    share_readout.value = "72"  # a share is typed as a percentage, as it is shown
    assert share.value == pytest.approx(0.72) and box.status.value == ""
    assert share_readout.value == "72.0%"
    share_readout.value = "lots"
    assert "could not read" in box.status.value and share.value == pytest.approx(0.72)
    level_readout.value = "2,000 GWh"
    assert level.value == pytest.approx(min(2000.0, level.max))


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
