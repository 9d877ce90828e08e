"""2030 scenarios declared in YAML files, projected with seeded Monte Carlo uncertainty.

The public entry points:

* :func:`list_scenarios` -- the scenario files of a folder with their one-line descriptions;
* :func:`load_scenario` -- read and validate one file (:mod:`forecast.scenarios.schema`);
* :func:`project` / :func:`project_named` / :func:`project_all` -- the tidy projection
  table (mean and quantiles) of one or several scenarios;
* :func:`sweep` -- many parameter sets evaluated at once (central values, no loop);
* :func:`sensitivity` -- a tornado table of the target-year total;
* :func:`reconcile` -- each scenario beside the published outlooks, with the main cause;
* :func:`projection_to_csv` / :func:`projection_to_text` -- output for files and terminals.

The engine is :mod:`forecast.scenarios.projection`; the file format is documented in
:mod:`forecast.scenarios.schema` and by the shipped files in ``data/scenarios``.
"""

from __future__ import annotations

import io
import math
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from forecast.errors import ScenarioError
from forecast.models.uncertainty import central_interval
from forecast.scenarios.projection import (
    CSV_DECIMALS,
    EV_DEMAND,
    EV_SALES,
    PRODUCTION,
    PROJECTION_COLUMNS,
    Prepared,
    central_parameters,
    evaluate,
    prepare,
    quantile,
    simulate,
    summarise,
)
from forecast.scenarios.schema import (
    PARAMETER_DOMAINS,
    SEGMENTS,
    Domain,
    Scenario,
    load_scenario,
)

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "PROJECTION_COLUMNS",
    "Scenario",
    "list_scenarios",
    "load_scenario",
    "project",
    "project_all",
    "project_named",
    "projection_to_csv",
    "projection_to_text",
    "reconcile",
    "resolve_scenario",
    "sensitivity",
    "sweep",
]

#: Relative change applied to parameters without a distribution in :func:`sensitivity`.
DEFAULT_SPREAD = 0.10
#: Probabilities of the low and high values of uncertain parameters in :func:`sensitivity`.
SENSITIVITY_QUANTILES = (0.10, 0.90)


# --------------------------------------------------------------------------- files


def default_scenario_dir(data_dir: str | Path | None = None) -> Path:
    """``<data dir>/scenarios`` (data dir from :func:`forecast.data.default_data_dir`)."""
    from forecast import data

    return (Path(data_dir) if data_dir is not None else data.default_data_dir()) / "scenarios"


def _scenario_files(scenario_dir: Path) -> list[Path]:
    if not scenario_dir.is_dir():
        raise ScenarioError(scenario_dir, "-", "scenario folder not found")
    return sorted([*scenario_dir.glob("*.yaml"), *scenario_dir.glob("*.yml")])


def list_scenarios(scenario_dir: str | Path | None = None) -> pd.DataFrame:
    """Every scenario file of a folder, validated.

    Parameters
    ----------
    scenario_dir : str or Path, optional
        Folder of ``*.yaml`` files (default: ``<data dir>/scenarios``).

    Returns
    -------
    DataFrame
        Columns ``name, description, path``, sorted by name.

    Raises
    ------
    ScenarioError
        A file is invalid (the first one found, by file name), or two files share a name.
    """
    import pandas as pd

    folder = Path(scenario_dir) if scenario_dir is not None else default_scenario_dir()
    rows = []
    seen: dict[str, Path] = {}
    for path in _scenario_files(folder):
        sc = load_scenario(path)
        if sc.name in seen:
            raise ScenarioError(path, "name", f"'{sc.name}' is also the name of {seen[sc.name]}")
        seen[sc.name] = path
        rows.append({"name": sc.name, "description": sc.description, "path": str(path)})
    frame = pd.DataFrame(rows, columns=["name", "description", "path"])
    return frame.sort_values("name", kind="stable").reset_index(drop=True)


def resolve_scenario(
    name_or_path: str | Path | Scenario, scenario_dir: str | Path | None = None
) -> Scenario:
    """A scenario from its name (a file ``<name>.yaml`` in ``scenario_dir``) or a path.

    Raises
    ------
    ScenarioError
        Unknown name (the message lists the known ones) or an invalid file.
    """
    if isinstance(name_or_path, Scenario):
        return name_or_path
    text = str(name_or_path)
    candidate = Path(text)
    if candidate.suffix in (".yaml", ".yml") or candidate.is_file():
        return load_scenario(candidate)
    folder = Path(scenario_dir) if scenario_dir is not None else default_scenario_dir()
    files = _scenario_files(folder)
    for path in files:
        if path.stem == text:
            return load_scenario(path)
    known = ", ".join(p.stem for p in files) or "none"
    raise ScenarioError(folder, "scenario", f"unknown scenario '{text}' (known: {known})")


def _history(history: pd.DataFrame | None, data_dir: str | Path | None) -> pd.DataFrame:
    if history is not None:
        return history
    from forecast import data

    return data.load_history(data_dir)


def _prepared(
    scenario: Scenario | str | Path,
    history: pd.DataFrame | None,
    data_dir: str | Path | None = None,
    target_year: int | None = None,
    scenario_dir: str | Path | None = None,
) -> Prepared:
    sc = resolve_scenario(scenario, scenario_dir)
    if target_year is not None:
        sc = sc.with_target_year(target_year)
    return prepare(sc, _history(history, data_dir))


# --------------------------------------------------------------------------- projection


def project(
    scenario: Scenario | str | Path,
    history: pd.DataFrame | None = None,
    n_draws: int = 10_000,
    seed: int | np.random.Generator | None = 2030,
    target_year: int | None = None,
    data_dir: str | Path | None = None,
) -> pd.DataFrame:
    """Project one scenario with seeded Monte Carlo draws.

    Parameters
    ----------
    scenario : Scenario, str or Path
        A loaded scenario, or a path to its file.
    history : DataFrame, optional
        From :func:`forecast.data.load_history` (default: loaded from ``data_dir``).
    n_draws : int
        Monte Carlo draws (>= 1).
    seed : int or Generator
        Same seed and inputs give identical numbers.
    target_year : int, optional
        Overrides the scenario's target year [year].

    Returns
    -------
    DataFrame
        Columns exactly ``scenario, region, segment, year, unit, mean, p5, p10, p50, p90,
        p95``. Regions ``China`` and ``World``; segments ``power, consumer, storage, total``
        [GWh], ``world_share`` (China's effective share [fraction]), and where the scenario
        models them ``capacity_limit`` [GWh], ``ev_sales`` [million vehicles],
        ``kwh_per_vehicle`` [kWh/vehicle] and ``ev_demand`` [GWh].
    """
    prepared = _prepared(scenario, history, data_dir, target_year)
    return summarise(prepared, simulate(prepared, n_draws, seed))


def project_named(
    name_or_path: str | Path,
    scenario_dir: str | Path | None = None,
    data_dir: str | Path | None = None,
    target_year: int | None = None,
    n_draws: int = 10_000,
    seed: int = 2030,
) -> pd.DataFrame:
    """:func:`project` a scenario given by name (in ``scenario_dir``) or by file path.

    ``scenario_dir`` defaults to ``<data_dir>/scenarios``. Raises
    :class:`~forecast.errors.ScenarioError` for an unknown name or an invalid file.
    """
    folder = scenario_dir if scenario_dir is not None else default_scenario_dir(data_dir)
    sc = resolve_scenario(name_or_path, folder)
    return project(sc, None, n_draws=n_draws, seed=seed, target_year=target_year, data_dir=data_dir)


def project_all(
    names: Iterable[str | Path] | None = None,
    scenario_dir: str | Path | None = None,
    data_dir: str | Path | None = None,
    target_year: int | None = None,
    n_draws: int = 10_000,
    seed: int = 2030,
) -> pd.DataFrame:
    """:func:`project` several scenarios (default: every file in the folder) into one table.

    Each scenario is drawn with the same ``seed``, so its rows equal those of a single
    :func:`project_named` call; rows are ordered by scenario (in the order given, or by
    name), then as in :func:`project`.
    """
    import pandas as pd

    folder = Path(scenario_dir) if scenario_dir is not None else default_scenario_dir(data_dir)
    if names is None:
        names = list(list_scenarios(folder)["path"])
    history = _history(None, data_dir)
    frames = [
        project(resolve_scenario(n, folder), history, n_draws, seed, target_year) for n in names
    ]
    if not frames:
        return pd.DataFrame(columns=list(PROJECTION_COLUMNS))
    return pd.concat(frames, ignore_index=True)


def projection_to_csv(frame: pd.DataFrame) -> str:
    """CSV text of a projection table: fixed columns, row order and 3-decimal rounding.

    Identical inputs and seed give byte-identical text (``\\n`` line ends, no index).
    """
    missing = [c for c in PROJECTION_COLUMNS if c not in frame.columns]
    if missing:
        raise ValueError(f"not a projection table: missing columns {', '.join(missing)}")
    out = frame.loc[:, list(PROJECTION_COLUMNS)].copy()
    numbers = list(PROJECTION_COLUMNS[5:])
    # Adding 0.0 turns -0.0 into 0.0 so rounding never prints "-0.000".
    out[numbers] = np.round(out[numbers].to_numpy(float), CSV_DECIMALS) + 0.0
    buffer = io.StringIO()
    out.to_csv(buffer, index=False, lineterminator="\n", float_format=f"%.{CSV_DECIMALS}f")
    return buffer.getvalue()


def _fmt(value: float, unit: str) -> str:
    if unit == "fraction":
        return f"{value:.1%}"
    if abs(value) >= 100:
        return f"{value:,.0f}"
    return f"{value:,.1f}"


def projection_to_text(frame: pd.DataFrame) -> str:
    """A readable table: every series in the target year, then each year's totals.

    Parameters
    ----------
    frame : DataFrame
        From :func:`project`.

    Returns
    -------
    str
        Lines for a terminal (no trailing newline).
    """
    cols = ["mean", "p5", "p50", "p95"]
    lines = []
    for scenario, sub in frame.groupby("scenario", sort=False):
        last = int(sub["year"].max())
        lines.append(f"Scenario {scenario}: projection to {last} (mean, median, 90% interval)")
        lines.append("")
        header = f"{'region':<7} {'segment':<16} {'unit':<17}" + "".join(f"{c:>11}" for c in cols)
        lines.append(f"{last}")
        lines.append(header)
        for row in sub[sub["year"] == last].itertuples(index=False):
            values = "".join(f"{_fmt(getattr(row, c), row.unit):>11}" for c in cols)
            lines.append(f"{row.region:<7} {row.segment:<16} {row.unit:<17}{values}")
        lines.append("")
        lines.append("Totals by year [GWh]")
        lines.append(f"{'region':<7} {'year':<6}" + "".join(f"{c:>11}" for c in cols))
        totals = sub[sub["segment"] == "total"]
        for row in totals.itertuples(index=False):
            values = "".join(f"{_fmt(getattr(row, c), row.unit):>11}" for c in cols)
            lines.append(f"{row.region:<7} {row.year:<6}{values}")
        lines.append("")
    return "\n".join(lines).rstrip("\n")


# --------------------------------------------------------------------------- batch modes


def _check_override(prepared: Prepared, key: str, values: np.ndarray) -> None:
    file = prepared.scenario.path
    if key not in prepared.central:
        known = ", ".join(prepared.central)
        raise ScenarioError(file, key, f"not a numeric parameter of this scenario (known: {known})")
    domain = PARAMETER_DOMAINS[key.rsplit(".", 1)[-1]]
    bad = ~np.vectorize(domain.contains, otypes=[bool])(values) if values.size else values
    if values.size and bad.any():
        first = float(values[np.argmax(bad)])
        raise ScenarioError(file, key, f"value {first:g} is out of range: must be {domain.what}")


def sweep(
    scenario: Scenario | str | Path,
    overrides: Mapping[str, Sequence[float] | np.ndarray],
    history: pd.DataFrame | None = None,
    target_year: int | None = None,
    years: Iterable[int] | None = None,
    data_dir: str | Path | None = None,
) -> pd.DataFrame:
    """Evaluate many parameter sets of one scenario at once (central values, no draws).

    Parameters
    ----------
    scenario : Scenario, str or Path
    overrides : mapping
        ``{dotted key: 1-D array}``, all arrays of one length ``n_runs``; run ``i`` uses
        element ``i`` of every array and the central value of every other parameter. For a
        grid, pass flattened :func:`numpy.meshgrid` arrays.
    history : DataFrame, optional
    target_year : int, optional
    years : iterable of int, optional
        Keep only these years (e.g. ``[2030]``) to keep large sweeps small.

    Returns
    -------
    DataFrame
        Columns ``run``, one column per override key, ``region, segment, year, unit,
        value``; ordered by run, then series, then year.
    """
    import pandas as pd

    prepared = _prepared(scenario, history, data_dir, target_year)
    arrays = {k: np.atleast_1d(np.asarray(v, float)) for k, v in overrides.items()}
    lengths = {k: a.shape for k, a in arrays.items()}
    if any(len(s) != 1 for s in lengths.values()) or len({s[0] for s in lengths.values()}) > 1:
        raise ScenarioError(
            prepared.scenario.path,
            "sweep",
            f"override arrays must be 1-D and of equal length, got {lengths}",
        )
    n = next(iter(arrays.values())).shape[0] if arrays else 1
    for key, arr in arrays.items():
        _check_override(prepared, key, arr)
    values = central_parameters(prepared, n)
    values.update(arrays)
    paths = evaluate(prepared, values)

    keep = np.ones(len(prepared.years), bool)
    if years is not None:
        keep = np.isin(prepared.years, list(years))
    yrs = prepared.years[keep]
    series = prepared.series
    # (n, series * years), run-major, so rows come out ordered by run, series, year.
    block = np.concatenate([paths[(r, s)][:, keep] for r, s, _ in series], axis=1)
    per_run = block.shape[1]
    frame = pd.DataFrame({"run": np.repeat(np.arange(n), per_run)})
    for key, arr in arrays.items():
        frame[key] = np.repeat(arr, per_run)
    k = len(yrs)
    frame["region"] = np.tile(np.repeat([r for r, _, _ in series], k), n)
    frame["segment"] = np.tile(np.repeat([s for _, s, _ in series], k), n)
    frame["year"] = np.tile(np.tile(yrs, len(series)), n).astype(int)
    frame["unit"] = np.tile(np.repeat([u for _, _, u in series], k), n)
    frame["value"] = block.reshape(-1)
    return frame


def sensitivity(
    scenario: Scenario | str | Path,
    history: pd.DataFrame | None = None,
    region: str = "China",
    target_year: int | None = None,
    spread: float = DEFAULT_SPREAD,
    data_dir: str | Path | None = None,
) -> pd.DataFrame:
    """Tornado table: how the target-year total responds to each assumption, one at a time.

    Uncertain parameters move to the 10th and 90th percentiles of their distributions;
    parameters without a distribution move by ``-spread`` and ``+spread`` of their central
    value (clipped to their allowed range). All other parameters stay central.

    Parameters
    ----------
    scenario : Scenario, str or Path
    history : DataFrame, optional
    region : str
        ``"China"`` or ``"World"`` total.
    spread : float
        Relative change for parameters without a distribution [fraction].

    Returns
    -------
    DataFrame
        Columns ``parameter, central, low, high, total_at_low, total_at_high, swing,
        basis``; totals [GWh] in the target year; sorted by swing, largest first.
    """
    import pandas as pd

    if region not in ("China", "World"):
        raise ValueError(f"region must be 'China' or 'World', got {region!r}")
    prepared = _prepared(scenario, history, data_dir, target_year)
    keys = list(prepared.central)
    lows, highs, bases = [], [], []
    for key in keys:
        c = prepared.central[key]
        dist = prepared.distributions.get(key)
        if dist is not None:
            lo, hi = quantile(key, dist, np.array(SENSITIVITY_QUANTILES), prepared.scenario.anchor)
            bases.append(f"p10/p90 of {dist.dist}")
        else:
            domain = PARAMETER_DOMAINS[key.rsplit(".", 1)[-1]]
            lo, hi = c * (1 - spread), c * (1 + spread)
            lo, hi = _clip_to(domain, min(lo, hi)), _clip_to(domain, max(lo, hi))
            bases.append(f"central -/+{spread:.0%}")
        lows.append(float(lo))
        highs.append(float(hi))
    n = 2 * len(keys) + 1
    values = central_parameters(prepared, n)
    for i, key in enumerate(keys):
        values[key][2 * i] = lows[i]
        values[key][2 * i + 1] = highs[i]
    totals = evaluate(prepared, values)[(region, "total")][:, -1]
    table = pd.DataFrame(
        {
            "parameter": keys,
            "central": [prepared.central[k] for k in keys],
            "low": lows,
            "high": highs,
            "total_at_low": totals[0:-1:2],
            "total_at_high": totals[1:-1:2],
        }
    )
    table["swing"] = (table["total_at_high"] - table["total_at_low"]).abs()
    table["basis"] = bases
    table = table.sort_values(["swing", "parameter"], ascending=[False, True], kind="stable")
    table.attrs["central_total"] = float(totals[-1])
    table.attrs["year"] = int(prepared.years[-1])
    table.attrs["region"] = region
    return table.reset_index(drop=True)


def _clip_to(domain: Domain, value: float) -> float:
    if domain.low_open and value <= domain.low:
        return float(np.nextafter(domain.low, math.inf))
    return float(min(max(value, domain.low), domain.high))


# --------------------------------------------------------------------------- reconciliation


def _outlook(
    history: pd.DataFrame, series: str, region: str, segment: str, year: int
) -> float | None:
    from forecast import data

    try:
        s = data.get_series(history, series, region, segment, ("outlook",))
    except KeyError:
        return None
    return float(s.loc[year]) if year in s.index else None


def _implied_cagr(base: float, value: float, years: int) -> float:
    return (value / base) ** (1.0 / years) - 1.0 if base > 0 and value > 0 else math.nan


def _segment_words(prepared: Prepared, seg: str) -> str:
    spec = prepared.scenario.segments[seg]
    c = prepared.central
    p = f"segments.{seg}."
    if spec.model == "compound":
        return f"compound growth {c[p + 'cagr']:.1%}/yr"
    if spec.model == "damped":
        return f"damped growth from {c[p + 'cagr']:.1%}/yr (damping {c[p + 'damping']:g})"
    if spec.model == "logistic":
        return f"logistic towards {c[p + 'saturation']:,.0f} GWh"
    return (
        f"EV demand: {c[p + 'sales_target']:.1f} M EVs x {c[p + 'kwh_target']:.1f} kWh "
        f"in {spec.settings['anchor_year']}"
    )


def reconcile(
    scenarios: Iterable[Scenario | str | Path],
    history: pd.DataFrame | None = None,
    n_draws: int = 10_000,
    seed: int = 2030,
    scenario_dir: str | Path | None = None,
    data_dir: str | Path | None = None,
) -> pd.DataFrame:
    """Each scenario's figures beside the published outlooks in the data.

    Compares China's production (total and each segment) with the published outlook
    (``production``, kind ``outlook``) and world EV battery demand with the published
    ``ev_battery_demand`` outlook, in the outlook's year (2030). The difference is taken
    from the Monte Carlo mean (means add up, so segment differences sum to the total's
    difference); the central case (every uncertain assumption at its stated value) and the
    5-95% band are shown beside it, because a skewed assumption moves the mean away from
    the central case.

    Parameters
    ----------
    scenarios : iterable
        Scenarios, names (looked up in ``scenario_dir``) or paths.
    history : DataFrame, optional
    n_draws, seed : int
        Monte Carlo settings of each projection.

    Returns
    -------
    DataFrame
        Columns ``scenario, region, segment, year, unit, published, projected, central, p5,
        p95, difference, difference_pct, main_cause``: values [GWh]; ``projected`` is the
        Monte Carlo mean, ``central`` the path at the stated assumptions, ``p5``/``p95`` the
        5th and 95th percentiles of the draws; ``difference`` = projected - published
        [GWh], ``difference_pct`` = difference / published [fraction]. For the total, the
        main cause is the segment that contributes most to the difference (and a binding
        capacity cap, if any); for a segment, its implied growth rate against the outlook's;
        for EV demand, whether EV sales or kWh per vehicle moves it more, and whether the
        central case matches the outlook. A scenario that does not model EV demand gets
        empty values and says so.
    """
    import pandas as pd

    history = _history(history, data_dir)
    rows = []
    for item in scenarios:
        sc = resolve_scenario(
            item, scenario_dir if scenario_dir is not None else default_scenario_dir(data_dir)
        )
        prepared = prepare(sc, history)
        paths = simulate(prepared, n_draws, seed)
        rows.extend(_reconcile_one(prepared, paths, history))
    columns = [
        "scenario",
        "region",
        "segment",
        "year",
        "unit",
        "published",
        "projected",
        "central",
        "p5",
        "p95",
        "difference",
        "difference_pct",
        "main_cause",
    ]
    return pd.DataFrame(rows, columns=columns)


def _reconcile_one(
    prepared: Prepared, paths: Mapping[tuple[str, str], np.ndarray], history: pd.DataFrame
) -> list[dict[str, object]]:
    name = prepared.scenario.name
    years = prepared.years
    base = prepared.baseline
    rows: list[dict[str, object]] = []

    def mean_at(key: tuple[str, str], year: int) -> float:
        return float(paths[key][:, int(np.searchsorted(years, year))].mean())

    centre = evaluate(prepared, central_parameters(prepared))

    def spread(key: tuple[str, str], year: int) -> dict[str, float]:
        i = int(np.searchsorted(years, year))
        p5, p95 = central_interval(paths[key][:, i], 0.9)
        return {"central": float(centre[key][0, i]), "p5": float(p5), "p95": float(p95)}

    from forecast import data

    published = {}
    for seg in (*SEGMENTS, "total"):
        try:
            s = data.get_series(history, PRODUCTION, "China", seg, ("outlook",))
        except KeyError:
            continue
        for year, value in s.items():
            if int(year) in years:
                published[(seg, int(year))] = float(value)
    diffs = {}
    for (seg, year), pub in published.items():
        proj = mean_at(("China", seg), year)
        diffs[(seg, year)] = proj - pub
    for (seg, year), pub in sorted(
        published.items(), key=lambda kv: (kv[0][1], _seg_order(kv[0][0]))
    ):
        proj = pub + diffs[(seg, year)]
        horizon = year - base.year
        if seg == "total":
            seg_diffs = {s: diffs[(s, year)] for s in SEGMENTS if (s, year) in diffs}
            cause = _total_cause(prepared, paths, seg_diffs, diffs[(seg, year)], year)
        else:
            implied = _implied_cagr(base.production[seg], proj, horizon)
            pub_rate = _implied_cagr(base.production[seg], pub, horizon)
            cause = (
                f"{seg} grows {implied:.1%}/yr from {base.production[seg]:,.0f} GWh in "
                f"{base.year} vs {pub_rate:.1%}/yr in the outlook "
                f"({_segment_words(prepared, seg)})"
            )
            if prepared.capacity_year is not None and _cap_binds(paths, years, year):
                cause += "; scaled down by the capacity cap"
        rows.append(
            _row(name, "China", seg, year, "GWh", pub, proj, cause, **spread(("China", seg), year))
        )

    for year in sorted({y for (_, y) in published} or {int(years[-1])}):
        pub = _outlook(history, EV_DEMAND, "World", "total", year)
        if pub is None:
            continue
        if ("World", "ev_demand") not in paths:
            rows.append(
                _row(
                    name,
                    "World",
                    "ev_demand",
                    year,
                    "GWh",
                    pub,
                    math.nan,
                    "not modelled: this scenario projects production top-down, without EV demand",
                )
            )
            continue
        proj = mean_at(("World", "ev_demand"), year)
        band = spread(("World", "ev_demand"), year)
        pub_sales = _outlook(history, EV_SALES, "World", "total", year)
        sales = mean_at(("World", "ev_sales"), year)
        kwh = mean_at(("World", "kwh_per_vehicle"), year)
        i = int(np.searchsorted(years, year))
        c_sales = float(centre[("World", "ev_sales")][0, i])
        c_kwh = float(centre[("World", "kwh_per_vehicle")][0, i])
        if pub_sales is None:
            cause = f"{sales:.1f} M EVs x {kwh:.1f} kWh/vehicle"
        else:
            pub_kwh = pub / pub_sales
            d_sales, d_kwh = math.log(sales / pub_sales), math.log(kwh / pub_kwh)
            if abs(proj - pub) >= 0.5 and abs(band["central"] - pub) < 0.5:
                # The stated assumptions reproduce the outlook; only their spread moves the mean.
                driver = "EV sales" if abs(d_sales) >= abs(d_kwh) else "kWh per vehicle"
                cause = (
                    f"the central case matches the outlook ({c_sales:.1f} M EVs x "
                    f"{c_kwh:.1f} kWh/vehicle); the mean differs because the {driver} "
                    f"distribution is skewed (mean {sales:.1f} M EVs x {kwh:.1f} kWh/vehicle)"
                )
            elif abs(proj - pub) < 0.5:
                cause = (
                    f"matches the outlook: {sales:.1f} M EVs x {kwh:.1f} kWh/vehicle "
                    f"(outlook {pub_sales:.1f} M x {pub_kwh:.1f})"
                )
            elif abs(d_sales) >= abs(d_kwh):
                cause = (
                    f"EV sales: {sales:.1f} M vs {pub_sales:.1f} M in the outlook "
                    f"(kWh/vehicle {kwh:.1f} vs {pub_kwh:.1f})"
                )
            else:
                cause = (
                    f"kWh per vehicle: {kwh:.1f} vs {pub_kwh:.1f} in the outlook "
                    f"(EV sales {sales:.1f} M vs {pub_sales:.1f} M)"
                )
        rows.append(_row(name, "World", "ev_demand", year, "GWh", pub, proj, cause, **band))
    return rows


def _seg_order(seg: str) -> int:
    order = (*SEGMENTS, "total")
    return order.index(seg) if seg in order else len(order)


def _cap_binds(paths: Mapping[tuple[str, str], np.ndarray], years: np.ndarray, year: int) -> bool:
    i = int(np.searchsorted(years, year))
    uncapped = paths[("China", "uncapped_total")][:, i].mean()
    return bool(uncapped - paths[("China", "total")][:, i].mean() > 1e-6 * max(uncapped, 1.0))


def _total_cause(
    prepared: Prepared,
    paths: Mapping[tuple[str, str], np.ndarray],
    seg_diffs: Mapping[str, float],
    total_diff: float,
    year: int,
) -> str:
    if not seg_diffs:
        return "no segment outlooks in the data to attribute the difference"
    seg = max(seg_diffs, key=lambda s: (abs(seg_diffs[s]), -_seg_order(s)))
    d = seg_diffs[seg]
    share = d / total_diff if abs(total_diff) > 1e-9 else math.nan
    share_words = f", {share:.0%} of the total difference" if math.isfinite(share) else ""
    words = f"{seg} contributes most: {d:+,.0f} GWh{share_words} ({_segment_words(prepared, seg)})"
    if prepared.capacity_year is not None and _cap_binds(paths, prepared.years, year):
        i = int(np.searchsorted(prepared.years, year))
        cut = (paths[("China", "uncapped_total")][:, i] - paths[("China", "total")][:, i]).mean()
        cap_words = f"the capacity cap removes {cut:,.0f} GWh on average"
        # When the cap accounts for most of the gap it is the cause; segments only share it.
        if cut >= 0.5 * abs(total_diff):
            return f"{cap_words} of the {total_diff:+,.0f} GWh difference; {words}"
        words += f"; {cap_words}"
    return words


def _row(
    scenario: str,
    region: str,
    segment: str,
    year: int,
    unit: str,
    published: float,
    projected: float,
    cause: str,
    central: float = math.nan,
    p5: float = math.nan,
    p95: float = math.nan,
) -> dict[str, object]:
    diff = projected - published
    return {
        "scenario": scenario,
        "region": region,
        "segment": segment,
        "year": year,
        "unit": unit,
        "published": published,
        "projected": projected,
        "central": central,
        "p5": p5,
        "p95": p95,
        "difference": diff,
        "difference_pct": diff / published if published else math.nan,
        "main_cause": cause,
    }
