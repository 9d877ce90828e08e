"""Tests of the house style and figure helpers (Agg backend, no display)."""

from __future__ import annotations

import matplotlib
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
import seaborn

from forecast.report import figures as plots


def _projection() -> pd.DataFrame:
    years = np.arange(2025, 2031)
    p50 = 1170.0 * 1.2 ** (years - 2024)
    return pd.DataFrame({
        "year": years,
        "p5": p50 * 0.7, "p10": p50 * 0.8, "p50": p50, "p90": p50 * 1.2, "p95": p50 * 1.3,
    })


def test_house_style_sets_rc():
    plots.set_house_style()
    assert matplotlib.rcParams["axes.titlelocation"] == "left"
    assert matplotlib.rcParams["savefig.dpi"] == 150
    assert not matplotlib.rcParams["axes.spines.top"]


def test_color_for_is_case_insensitive_else_grey():
    assert plots.color_for("china") == plots.COLORS["China"]
    assert plots.color_for("LFP") == plots.COLORS["lfp"]
    assert plots.color_for("unknown") == "#555555"


def test_scenario_colors_distinct():
    colors = plots.scenario_colors(["base", "high", "low"])
    assert len(set(colors.values())) == 3


def test_each_known_scenario_has_one_colour_everywhere():
    known = list(plots.SCENARIO_COLORS)
    assert len(set(plots.SCENARIO_COLORS.values())) == len(known)  # no two share a colour
    # The same scenario gets the same colour whatever else is plotted beside it.
    alone = {n: plots.scenario_colors([n])[n] for n in known}
    together = plots.scenario_colors(known)
    reordered = plots.scenario_colors(list(reversed(known)))
    assert alone == together == reordered == plots.SCENARIO_COLORS
    # Colours come from the colour-blind-safe palette.
    palette = {matplotlib.colors.to_hex(c) for c in
               seaborn.color_palette("colorblind")}
    assert set(plots.SCENARIO_COLORS.values()) <= palette


def test_extra_scenarios_get_unused_colours_deterministically():
    names = ["base", "zeta", "high", "alpha"]
    first = plots.scenario_colors(names)
    assert first == plots.scenario_colors(names)
    assert first["base"] == plots.SCENARIO_COLORS["base"]
    assert len(set(first.values())) == 4
    assert first["alpha"] not in plots.SCENARIO_COLORS.values()
    assert list(first) == names


@pytest.mark.parametrize(
    ("low", "high", "name"),
    [("p10", "p90", "80% band"), ("p5", "p95", "90% band"), ("lo95", "hi95", "95% band"),
     ("a", "b", "a-b")],
)
def test_band_names_state_coverage(low, high, name):
    assert plots.band_name(low, high) == name


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"title": ""}, "title"),
        ({"source": " "}, "source note"),
        ({"ylabel": "Production"}, "no unit"),
    ],
)
def test_finish_refuses_incomplete_figures(kwargs, message):
    _fig, ax = plots.new_figure()
    ax.plot([2021, 2022], [324, 738])
    args = {"title": "China production", "xlabel": "Year", "ylabel": "Production [GWh]",
            "source": "CBEA via seeds"}
    args.update(kwargs)
    with pytest.raises(ValueError, match=message):
        plots.finish(ax, **args)


def test_finish_sets_labels_note_and_integer_years():
    fig, ax = plots.new_figure()
    plots.history_lines(ax, {"China": pd.Series([324.0, 738.0, 910.0, 1170.0],
                                                index=[2021, 2022, 2023, 2024])},
                        annotate=True)
    out = plots.finish(ax, title="China production", xlabel="Year", ylabel="Production [GWh]",
                       source="MIIT / CBEA")
    assert out is fig
    assert ax.get_title(loc="left") == "China production"
    assert ax.get_ylabel() == "Production [GWh]"
    assert [t.get_text() for t in fig.texts] == ["Source: MIIT / CBEA"]
    assert ax.get_legend() is not None
    fig.canvas.draw()
    labels = [t.get_text() for t in ax.get_xticklabels() if t.get_text()]
    assert all("." not in t for t in labels)
    # Annotations carry the values (1,170 with a thousands separator).
    assert "1,170" in [t.get_text() for t in ax.texts]


def test_finish_twice_appends_a_second_source_once():
    fig, (a, b) = plots.new_figure(1, 2)
    a.plot([1, 2], [1, 2])
    b.plot([1, 2], [1, 2])
    plots.finish(a, title="A", xlabel="Year", ylabel="x [GWh]", source="one")
    plots.finish(b, title="B", xlabel="Year", ylabel="x [GWh]", source="two")
    plots.finish(b, title="B", xlabel="Year", ylabel="x [GWh]", source="two")
    assert [t.get_text() for t in fig.texts] == ["Source: one\nSource: two"]


def test_finish_can_put_the_legend_outside():
    fig, ax = plots.new_figure()
    ax.plot([2023, 2024], [1, 2], label="power")
    plots.finish(ax, title="t", xlabel="Year", ylabel="Share [%]", source="s", legend="outside")
    fig.canvas.draw()
    legend_box = ax.get_legend().get_window_extent()
    assert legend_box.x0 > ax.get_window_extent().x1


def test_unit_may_be_on_x_axis_for_horizontal_charts():
    _fig, ax = plots.new_figure()
    plots.finish(ax, title="t", xlabel="Production in 2030 [GWh]", ylabel="Scenario",
                 source="model")


def test_fan_chart_draws_bands_median_and_history():
    _fig, ax = plots.new_figure()
    proj = _projection()
    hist = pd.Series([910.0, 1170.0], index=[2023, 2024])
    plots.fan_chart(ax, proj, label="base", history=hist)
    # Two shaded bands, a median line and the history line.
    assert len(ax.collections) == 2
    lines = ax.get_lines()
    assert len(lines) == 2
    # The fan starts at the last observed value (2024: 1,170 GWh).
    np.testing.assert_allclose(lines[0].get_ydata(), [1170.0, *proj["p50"]])
    np.testing.assert_allclose(lines[1].get_ydata(), [910.0, 1170.0])
    labels = ax.get_legend_handles_labels()[1]
    # Every shaded band has a legend entry naming its coverage.
    assert "base: 90% band" in labels and "base: 80% band" in labels
    assert len([lab for lab in labels if "band" in lab]) == len(ax.collections)


def test_fan_chart_without_history_plots_projection_only():
    _fig, ax = plots.new_figure()
    proj = _projection()
    plots.fan_chart(ax, proj)
    np.testing.assert_allclose(ax.get_lines()[0].get_xdata(), proj["year"])
    assert len(ax.get_lines()) == 1


def test_fan_chart_requires_quantile_columns():
    _fig, ax = plots.new_figure()
    with pytest.raises(ValueError, match="p95"):
        plots.fan_chart(ax, _projection().drop(columns="p95"))


def test_stacked_bars_stack_to_the_total():
    _fig, ax = plots.new_figure()
    wide = pd.DataFrame({"power": [664.3, 823.0], "consumer": [91.0, 94.0],
                         "storage": [154.7, 254.0]}, index=[2023, 2024])
    plots.stacked_bars(ax, wide)
    tops = {}
    for patch in ax.patches:
        x = round(patch.get_x() + patch.get_width() / 2)
        tops[x] = max(tops.get(x, 0.0), patch.get_y() + patch.get_height())
    # 2023: 664.3 + 91 + 154.7 = 910; 2024: 823 + 94 + 254 = 1171 (rounding in the source).
    assert tops[2023] == pytest.approx(910.0)
    assert tops[2024] == pytest.approx(1171.0)


def test_interval_chart_rows_in_frame_order_top_down():
    _fig, ax = plots.new_figure()
    frame = pd.DataFrame({"model": ["cagr", "logistic"], "p5": [1, 2], "p10": [2, 3],
                          "p50": [3, 4], "p90": [4, 5], "p95": [5, 6]})
    plots.interval_chart(ax, frame, label="model", markers={"outlook 3,800 GWh": 3.5})
    ticks = {t.get_text(): pos for t, pos in zip(ax.get_yticklabels(), ax.get_yticks(),
                                                 strict=True)}
    assert ticks["cagr"] > ticks["logistic"]
    assert any(line.get_linestyle() == "--" for line in ax.get_lines())


def test_tornado_puts_widest_swing_on_top():
    _fig, ax = plots.new_figure()
    frame = pd.DataFrame({"parameter": ["a", "b"], "low": [90.0, 50.0], "high": [110.0, 200.0]})
    plots.tornado(ax, frame, base=100.0)
    labels = [t.get_text() for t in ax.get_yticklabels()]
    assert labels == ["a", "b"]  # bottom to top: widest ("b", swing 150) last = on top
    assert ax.get_legend_handles_labels()[1] == ["low setting", "high setting"]
    widths = sorted(round(p.get_width(), 6) for p in ax.patches)
    assert widths == [-50.0, -10.0, 10.0, 100.0]


def test_save_figure_writes_png_or_nothing(tmp_path):
    fig, ax = plots.new_figure()
    ax.plot([0, 1], [0, 1])
    assert plots.save_figure(fig, "", "01_x") is None
    path = plots.save_figure(fig, tmp_path, "01_x")
    assert path == tmp_path / "figures" / "01_x.png"
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    again = plots.save_figure(fig, tmp_path, "01_x.png")
    assert again == path


def test_save_figure_refuses_paths(tmp_path):
    fig, _ = plots.new_figure()
    with pytest.raises(ValueError, match="plain file name"):
        plots.save_figure(fig, tmp_path, "../escape")


def test_history_lines_label_shares_as_percent():
    from forecast.report.formatting import percent

    _fig, ax = plots.new_figure()
    plots.history_lines(ax, {"China": pd.Series([0.57, 0.76], index=[2021, 2024])},
                        annotate=True, fmt=percent)
    plots.percent_axis(ax)
    assert [t.get_text() for t in ax.texts] == ["57.0%", "76.0%"]
    ax.figure.canvas.draw()
    ticks = [t.get_text() for t in ax.get_yticklabels() if t.get_text()]
    assert ticks and all(t.endswith("%") for t in ticks)


def test_interval_chart_legend_names_bands_in_words():
    _fig, ax = plots.new_figure()
    frame = pd.DataFrame({"s": ["a"], "p5": [1], "p10": [2], "p50": [3], "p90": [4], "p95": [5]})
    plots.interval_chart(ax, frame, label="s")
    assert ax.get_legend_handles_labels()[1] == ["90% band", "80% band", "median"]


def test_figure_legend_lists_each_band_once_below_the_panels():
    fig, axes = plots.new_figure(1, 2)
    for ax, name in zip(axes, ["base", "high"], strict=True):
        plots.fan_chart(ax, _projection(), label=name,
                        history=pd.Series([1170.0], index=[2024]))
        plots.finish(ax, title=name, xlabel="Year", ylabel="Production [GWh]", source="s",
                     legend=False)
    plots.figure_legend(fig, axes[0])
    texts = [t.get_text() for t in fig.legends[0].get_texts()]
    assert texts == ["90% band", "80% band", "median", "reported"]


def test_show_displays_figure_then_caption_and_closes(monkeypatch):
    shown = []
    monkeypatch.setattr("IPython.display.display", lambda *objs: shown.extend(objs))
    fig, ax = plots.new_figure()
    ax.plot([0, 1], [0, 1])
    plots.show(fig, "It rises.")
    assert shown[0] is fig and shown[1].data == "It rises."
    assert fig.number not in plt.get_fignums()


def test_a_saved_figure_is_shown_as_its_saved_png_at_the_inline_size(monkeypatch, tmp_path):
    shown = []
    monkeypatch.setattr("IPython.display.display", lambda *objs: shown.extend(objs))
    fig, ax = plots.new_figure(width=6, height=3)
    ax.plot([0, 1], [0, 1])
    path = plots.save_figure(fig, tmp_path, "01_line")
    plots.show(fig)
    image = shown[0]
    assert image.data == path.read_bytes()  # not drawn again
    saved_width = int.from_bytes(path.read_bytes()[16:20], "big")
    # Saved at 150 dpi, shown at the 100 dpi the inline backend draws at.
    assert image.width == round(saved_width * 100 / 150)
    assert 0.5 * 6 * 100 < image.width <= 6 * 100 + 10
    plots.show(fig)  # shown once as saved; a second show draws the figure itself
    assert shown[1] is fig
