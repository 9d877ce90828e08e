"""A scenario explorer for modellers:
``ScenarioExplorer("base", history, target_year=2030).show()``."""

from __future__ import annotations

import html
import io
import math
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from forecast import data
from forecast.models import uncertainty
from forecast.report import figures
from forecast.report.captions import band_caption
from forecast.report.formatting import gwh_band
from forecast.report.labels import parameter_label, parameter_value, read_parameter_value
from forecast.scenarios.catalog import prepare_scenario
from forecast.scenarios.projection import draw, evaluate
from forecast.scenarios.schema import Scenario, domain_of

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

__all__ = ["DEFAULT_DRAWS", "ScenarioExplorer", "SliderRange", "has_live_frontend"]

#: Draws of the explorer: enough for stable p5-p95 bands, few enough to redraw at once.
DEFAULT_DRAWS = 2_000
_STEPS = 100


def has_live_frontend() -> bool:
    """Whether the running cell's ``execute_request`` allowed stdin, as frontends that show
    widgets (JupyterLab, Notebook, VS Code) do and nbclient (papermill) never does."""
    from IPython import get_ipython

    kernel = getattr(get_ipython(), "kernel", None)
    if kernel is None or not hasattr(kernel, "get_parent"):
        return False
    parent = kernel.get_parent("shell") or {}
    return bool((parent.get("content") or {}).get("allow_stdin", False))


@dataclass(frozen=True)
class SliderRange:
    """One slider: a dotted parameter key, its words, ends, step and start [its unit]."""

    key: str
    label: str
    low: float
    high: float
    step: float
    central: float


def _inside(key: str, low: float, high: float) -> tuple[float, float]:
    """``(low, high)`` clipped into the domain of the parameter (open bounds kept open)."""
    domain = domain_of(key)
    lo_bound = domain.low + (1e-6 * max(1.0, abs(domain.low)) if domain.low_open else 0.0)
    hi_bound = domain.high - (1e-6 * max(1.0, abs(domain.high)) if domain.high_open else 0.0)
    return max(low, lo_bound), min(high, hi_bound)


class ScenarioExplorer:
    """Sliders over a scenario's (object, file, or name in ``scenario_dir``) numeric
    assumptions, re-projecting its fan of China's total to ``target_year`` [year]."""

    def __init__(self, scenario: Scenario | str | Path, history: pd.DataFrame, *,
                 target_year: int, n_draws: int = DEFAULT_DRAWS, seed: int = 2030,
                 scenario_dir: str | Path | None = None, source: str = "") -> None:
        self.prepared = prepare_scenario(scenario, history, target_year=int(target_year),
                                         scenario_dir=scenario_dir)
        self.name = self.prepared.scenario.name
        self._production = data.get_series(history, "production")
        self.source = source
        self.n_draws = int(n_draws)
        self.seed = seed
        # The draws simulate takes: the explorer starts at the scenario's own fan.
        self._draws, self._noise = draw(self.prepared, self.n_draws, seed)
        self.central: dict[str, float] = {k: float(v) for k, v in self.prepared.central.items()}
        self.values: dict[str, float] = dict(self.central)
        self._live: _LiveFigure | None = None
        self.fan = self.update({})

    def ranges(self) -> list[SliderRange]:
        """One slider per numeric assumption, a quarter of its draws' span beyond them (half the
        central value without a distribution), inside its domain."""
        out = []
        for key, central in self.central.items():
            draws = self._draws[key]
            low, high = float(min(draws.min(), central)), float(max(draws.max(), central))
            pad = 0.25 * (high - low) if high > low else 0.5 * abs(central) or 0.1
            low, high = _inside(key, low - pad, high + pad)
            out.append(SliderRange(key, parameter_label(key), low, high,
                                   (high - low) / _STEPS, central))
        return out

    def update(self, values: Mapping[str, float]) -> pd.DataFrame:
        """Set some assumptions' central values (``{dotted key: value}``) and re-project China's
        total: ``year, mean, p5, p10, p50, p90, p95`` [GWh], also kept as :attr:`fan`. The draws
        are those taken once: a moved assumption's are shifted by the change (keeping their
        spread) and clipped to its domain, or set to the value when it has no distribution, so
        two positions differ only by the assumptions moved."""
        unknown = [k for k in values if k not in self.central]
        if unknown:
            raise KeyError(f"{unknown[0]!r} is not a numeric assumption of scenario "
                           f"{self.name} (known: {', '.join(self.central)})")
        self.values.update({k: float(v) for k, v in values.items()})
        columns = {}
        for key, draws in self._draws.items():
            if key in self.prepared.distributions:
                shift = self.values[key] - self.central[key]
                columns[key] = np.clip(draws + shift, *_inside(key, -math.inf, math.inf))
            else:
                columns[key] = np.full_like(draws, self.values[key])
        paths = evaluate(self.prepared, columns, self._noise)[("China", "total")]
        stats = uncertainty.summarise_draws(paths, axis=0)
        self.fan = pd.DataFrame({"year": self.prepared.years.astype(int),
                                 **{k: np.asarray(v, dtype=float) for k, v in stats.items()}})
        return self.fan

    def _moved(self, template: str) -> list[str]:
        """``template`` filled for each assumption moved from its stated value."""
        return [template.format(label=parameter_label(k), value=parameter_value(k, v),
                                stated=parameter_value(k, self.central[k]))
                for k, v in self.values.items()
                if not math.isclose(v, self.central[k], rel_tol=1e-9, abs_tol=1e-12)]

    def _draw(self, ax: Axes) -> str:
        """Draw the fan on ``ax``; return the source note that goes with it."""
        figures.fan_chart(ax, self.fan, label=self.name, history=self._production,
                          color=figures.scenario_colors([self.name])[self.name])
        figures.gwh_axis(ax)
        moved = self._moved("{label} {value}")
        last = self.fan.iloc[-1]
        return (f"{self.source + '; ' if self.source else ''}{self.n_draws:,} draws\n"
                f"{int(last['year'])}: {gwh_band(last['p50'], last['p10'], last['p90'], ' GWh')}"
                + (f"; moved: {', '.join(moved)}" if moved else "; assumptions as stated"))

    def figure(self) -> Figure:
        """The fan of China's production at the current values, after the history."""
        _, ax = figures.new_figure()
        return figures.finish(ax, title=f"China's production, {self.name} scenario",
                              xlabel="Year", ylabel="Production [GWh]", source=self._draw(ax))

    def redraw(self, values: Mapping[str, float] | None = None) -> bytes:
        """Re-project with ``values`` (see :meth:`update`); the live figure as PNG bytes."""
        if values:
            self.update(values)
        if self._live is None:
            self._live = _LiveFigure(self)
        return self._live.png()

    def caption(self) -> str:
        """The caption: the fan's last median and band, the draws and the assumptions moved."""
        production = self._production
        text = band_caption(self.fan, what=f"China's production in the {self.name} scenario",
                            start=(int(production.index[-1]), float(production.iloc[-1])))
        moved = self._moved("{label} {value} (stated {stated})")
        return (text + f" {self.n_draws:,} draws, seed {self.seed}; "
                + (f"moved: {'; '.join(moved)}." if moved else "every assumption as stated."))

    def widget(self) -> Any:
        """The sliders, the figure and its caption as one ipywidgets box; a value typed outside
        a slider's range is set to the nearest end, and a note says so."""
        import ipywidgets as widgets

        image = widgets.Image(format="png", layout=widgets.Layout(max_width="60em"))
        caption = widgets.HTML(layout=widgets.Layout(max_width="60em"))
        status = widgets.HTML(layout=widgets.Layout(max_width="60em"))
        ranges = {r.key: r for r in self.ranges()}
        sliders = {key: widgets.FloatSlider(value=r.central, min=r.low, max=r.high, step=r.step,
                                            readout=False, continuous_update=False,
                                            layout=widgets.Layout(width="24em"))
                   for key, r in ranges.items()}
        readouts = {key: widgets.Text(value=parameter_value(key, r.central),
                                      continuous_update=False,
                                      layout=widgets.Layout(width="9em"))
                    for key, r in ranges.items()}

        def redraw(_change: object = None) -> None:
            image.value = self.redraw({k: s.value for k, s in sliders.items()})
            caption.value = f"<p>{html.escape(self.caption())}</p>"
            for key, slider in sliders.items():
                readouts[key].value = parameter_value(key, slider.value)

        def typed(change: dict[str, Any]) -> None:
            key = next(k for k, readout in readouts.items() if readout is change["owner"])
            r, text = ranges[key], str(change["new"])
            if text == parameter_value(key, sliders[key].value):
                return  # the readout written back, not typed
            value = read_parameter_value(key, text)
            if value is None:
                message = f"{r.label}: could not read {text!r} as a number."
            else:
                kept = min(max(value, r.low), r.high)
                given, low, high, set_to = (parameter_value(key, v)
                                            for v in (value, r.low, r.high, kept))
                message = ("" if kept == value else f"{r.label}: {given} is outside the "
                           f"slider's range ({low} to {high}); set to {set_to}.")
                sliders[key].value = kept
            status.value = f"<p>{html.escape(message)}</p>" if message else ""
            readouts[key].value = parameter_value(key, sliders[key].value)

        for key, slider in sliders.items():
            slider.observe(redraw, names="value")
            readouts[key].observe(typed, names="value")
        redraw()
        rows = [widgets.HBox([widgets.HTML(html.escape(ranges[k].label),
                                           layout=widgets.Layout(width="20em")),
                              sliders[k], readouts[k]]) for k in sliders]
        box = widgets.VBox([*rows, image, caption, status])
        box.controls = {k: (sliders[k], readouts[k]) for k in sliders}  # type: ignore[attr-defined]
        box.caption, box.status = caption, status  # type: ignore[attr-defined]
        return box

    def show(self, interactive: bool | None = None) -> None:
        """Sliders if ``interactive`` (default :func:`has_live_frontend`), else the static
        figure and its caption."""
        from IPython.display import display

        if has_live_frontend() if interactive is None else interactive:
            display(self.widget())
        else:
            figures.show(self.figure(), self.caption())


class _LiveFigure:
    """The explorer's figure, redrawn by blitting: text is most of a figure's rendering cost,
    so what does not move (axes, ticks, labels, legend, history) is drawn once as a
    background, and a redraw draws the fan and the source note over it; the value axis is
    rescaled when the fan outgrows it or shrinks to a third."""

    def __init__(self, explorer: ScenarioExplorer) -> None:
        from matplotlib.backends.backend_agg import FigureCanvasAgg

        self.explorer = explorer
        self.fig = explorer.figure()
        # Out of pyplot's list (the inline backend would show it again), onto an Agg canvas
        # of its own, which can blit.
        plt.close(self.fig)
        FigureCanvasAgg(self.fig)
        self.ax = self.fig.axes[0]
        self.note = self.fig._forecast_source_note  # type: ignore[attr-defined]
        # Blitting draws nothing outside the canvas: the note goes just above its bottom
        # edge, unwrapped (wrapping measures it again on every draw).
        self.note.set(wrap=False, position=(0.01, 0.01), verticalalignment="bottom")
        box = self.ax.get_position()
        self.ax.set_position([box.x0, box.y0 + 0.08, box.width, box.height - 0.08])
        self.fan_artists = [*self.ax.collections,
                            *(ln for ln in self.ax.get_lines()
                              if ln.get_label().endswith(": median"))]
        self._background()

    def _background(self) -> None:
        for artist in [*self.fan_artists, self.note]:
            artist.set_animated(True)  # what a draw of the canvas leaves out
        self.ax.relim()
        self.ax.autoscale()
        self.fig.canvas.draw()
        self.ax.set_autoscale_on(False)
        self.background = self.fig.canvas.copy_from_bbox(self.fig.bbox)

    def png(self) -> bytes:
        """The figure at the explorer's current fan, as PNG."""
        for artist in self.fan_artists:
            artist.remove()
        bands, lines = len(self.ax.collections), len(self.ax.lines)
        source = self.explorer._draw(self.ax)
        # fan_chart draws the bands, the median, then the history: that is in the background.
        *self.fan_artists, history = [*self.ax.collections[bands:], *self.ax.lines[lines:]]
        history.remove()
        self.note.set_text(f"Source: {source}")
        top = float(self.explorer.fan["p95"].max())
        low, high = self.ax.get_ylim()
        if not (low + (high - low) / 3 < top < high):
            self._background()
        canvas = self.fig.canvas
        canvas.restore_region(self.background)
        for artist in [*self.fan_artists, self.note]:
            self.fig.draw_artist(artist)
        buffer = io.BytesIO()
        # Fast compression: the image is shown once, not stored.
        plt.imsave(buffer, canvas.buffer_rgba(), format="png", origin="upper",
                   pil_kwargs={"compress_level": 1})
        return buffer.getvalue()
