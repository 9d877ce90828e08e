"""Historical data: load, validate, resolve conflicts, derive series, report consistency.

The data folder holds ``history.csv``, one observation per row (:data:`HISTORY_COLUMNS`;
``kind`` is ``reported``, ``derived`` by the re-checked arithmetic in ``derivation``, or
``outlook``); ``series.csv``, the catalogue; ``sources.csv``, the documents; ``variants.csv``,
the alternatives kept where documents disagree, by rank.

Conflicts are data, not noise: China's 2023 production is 910 GWh in the year-by-year series
but 940 GWh as the base of the +24% stated for 2024. Both rows are kept with their variant;
:func:`load_history` returns the default (rank 1, ``annual_series``) unless the caller prefers
another: ``load_history(prefer="yoy_base")`` gives 940 GWh and 24% growth.
"""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Iterable, Sequence
from functools import lru_cache, partial
from pathlib import Path
from typing import TYPE_CHECKING

from forecast.data import schema
from forecast.data.consistency import check_dataset, resolve
from forecast.data.schema import HISTORY_COLUMNS, KINDS
from forecast.errors import DataValidationError
from forecast.inputs import check_path

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "CONFLICT_COLUMNS", "DATA_FILES", "HISTORY_FILE", "OBSERVED_KINDS", "Dataset",
    "cagr", "conflicts", "consistency_report", "default_data_dir", "get_series",
    "implied_world_production", "load_dataset", "load_history", "segment_shares",
    "summary_text", "yoy_growth",
]  # fmt: skip

HISTORY_FILE = "history.csv"
DATA_FILES = (HISTORY_FILE, "series.csv", "sources.csv", "variants.csv")

OBSERVED_KINDS = ("reported", "derived")
#: Columns of :func:`conflicts`, in order.
CONFLICT_COLUMNS = ("series", "region", "segment", "year", "variant", "value", "unit", "kind",
                    "default", "source", "quote", "note")
#: Columns of :func:`consistency_report`, in order.
CHECK_COLUMNS = ["check", "series", "region", "segment", "year", "variant", "stated", "computed",
                 "difference", "tolerance", "ok", "detail"]


def default_data_dir() -> Path:
    """The data folder used when none is given.

    ``$FORECAST_DATA_DIR`` if set; else ``./data`` if it holds ``history.csv``; else the
    ``data/`` folder of the source checkout this package was installed from (so notebooks
    opened from ``notebooks/`` find it too).
    """
    env = os.environ.get("FORECAST_DATA_DIR", "").strip()
    if env:
        return Path(env).expanduser()
    cwd = Path.cwd() / "data"
    if (cwd / HISTORY_FILE).is_file():
        return cwd
    for parent in Path(__file__).resolve().parents:
        candidate = parent / "data"
        if (candidate / HISTORY_FILE).is_file() and (parent / "pyproject.toml").is_file():
            return candidate
    return cwd


class Dataset:
    """All validated rows of a data folder (every variant), the catalogues and the
    cross-check results; build it with :func:`load_dataset`."""

    def __init__(self, data_dir: Path) -> None:
        self.data_dir = data_dir
        self.catalogue = schema.parse_series(data_dir / "series.csv")
        self.sources = schema.parse_sources(data_dir / "sources.csv")
        self.variants = schema.parse_variants(data_dir / "variants.csv")
        history = data_dir / HISTORY_FILE
        self.rows = schema.parse_history(history, self.catalogue, self.sources, self.variants)
        self.checks = check_dataset(history, self.rows, self.catalogue, self.variants)

    def history(self, prefer: str | Sequence[str] | None = None) -> pd.DataFrame:
        """One row per (series, region, segment, year), conflicts resolved.

        Parameters
        ----------
        prefer : str or sequence of str, optional
            Variants to pick first where documents disagree (e.g. ``"yoy_base"``); unknown
            names raise. Elsewhere the default (lowest rank in ``variants.csv``) is used.
        """
        import pandas as pd

        preferred = [prefer] if isinstance(prefer, str) else list(prefer or [])
        for name in preferred:
            if name not in self.variants:
                raise DataValidationError(self.data_dir / "variants.csv", "unknown-variant",
                                          f"prefer='{name}' is not one of {sorted(self.variants)}")
        chosen = resolve(self.rows, self.variants, preferred).values()
        # From the rows' own dicts, not the dataclasses: pandas would deep-copy each (asdict).
        frame = pd.DataFrame([vars(r) for r in chosen], columns=HISTORY_COLUMNS)
        frame = frame.sort_values(["series", "region", "segment", "year"], ignore_index=True)
        frame.attrs.update(data_dir=str(self.data_dir), prefer=preferred)
        return frame

    def counts(self) -> dict[str, int]:
        """``observations`` (every variant), ``series``, ``documents`` and one count per kind."""
        out = {"observations": len(self.rows), "series": len({r.series for r in self.rows}),
               "documents": len(self.sources)}
        return out | {k: sum(r.kind == k for r in self.rows) for k in KINDS}


@lru_cache(maxsize=8)
def _cached_dataset(path: Path, stamp: tuple[tuple[int, int], ...]) -> Dataset:
    return Dataset(path)


def load_dataset(data_dir: str | Path | None = None) -> Dataset:
    """Read and validate ``data_dir`` (default :func:`default_data_dir`), cached until one of
    its files changes.

    Raises
    ------
    DataValidationError
        The first rule a file breaks, naming the file, row, column and rule.
    """
    path = (default_data_dir() if data_dir in (None, "")
            else check_path(data_dir, partial(DataValidationError, data_dir)))
    if not path.is_dir():
        raise DataValidationError(path, "missing-folder", "data folder not found")
    path = path.resolve()
    stats = [(path / name).stat() if (path / name).is_file() else None for name in DATA_FILES]
    return _cached_dataset(path, tuple((st.st_mtime_ns, st.st_size) if st else (-1, -1)
                                       for st in stats))


def load_history(
    data_dir: str | Path | None = None, prefer: str | Sequence[str] | None = None
) -> pd.DataFrame:
    """The validated history, one value per key: :data:`HISTORY_COLUMNS`, values in the row's
    ``unit`` (arguments as :func:`load_dataset` and :meth:`Dataset.history`)."""
    return load_dataset(data_dir).history(prefer)


def get_series(
    history: pd.DataFrame,
    series: str,
    region: str = "China",
    segment: str = "total",
    kinds: Iterable[str] = OBSERVED_KINDS,
) -> pd.Series:
    """One series of :func:`load_history` as floats [its unit, in ``attrs["unit"]``] indexed
    by year; ``kinds`` default to history, not outlooks. A KeyError when there is none."""
    kinds = tuple(kinds)
    mask = ((history["series"] == series) & (history["region"] == region)
            & (history["segment"] == segment) & history["kind"].isin(kinds))
    sub = history.loc[mask].sort_values("year")
    if sub.empty:
        raise KeyError(f"no {'/'.join(kinds)} values for {series} {region}/{segment}")
    out = sub.set_index("year")["value"].rename(series)
    out.attrs["unit"] = str(sub["unit"].iloc[0])
    return out


def implied_world_production(history: pd.DataFrame) -> pd.DataFrame:
    """Columns ``year``, ``china`` [GWh], ``share`` [fraction], ``world`` = china / share
    and ``rest_of_world`` [GWh], for the years China's production and share are both known."""
    import pandas as pd

    china = get_series(history, "production")
    share = get_series(history, "production_share_of_world")
    frame = pd.concat({"china": china, "share": share}, axis=1, join="inner")
    frame["world"] = frame["china"] / frame["share"]
    frame["rest_of_world"] = frame["world"] - frame["china"]
    return frame.rename_axis("year").reset_index()


def segment_shares(history: pd.DataFrame) -> pd.DataFrame:
    """Each segment of China's production (the partition in ``series.csv``) as a share of
    their sum [fraction], indexed by year, for the years that have every segment."""
    import pandas as pd

    parts = load_dataset(history.attrs.get("data_dir")).catalogue["production"].parts
    values = pd.concat({s: get_series(history, "production", "China", s) for s in parts},
                       axis=1, join="inner")
    return values.div(values.sum(axis=1), axis=0).rename_axis("year")


def yoy_growth(series: pd.Series) -> pd.Series:
    """Year-on-year growth [fraction] of a year-indexed series (only consecutive years)."""
    consecutive = series.index.to_series().diff() == 1
    out = (series / series.shift(1) - 1.0).where(consecutive.to_numpy())
    return out.dropna().rename(f"{series.name}_growth" if series.name else None)


def cagr(series: pd.Series, start: int, end: int) -> float:
    """``(value[end] / value[start]) ** (1 / (end - start)) - 1`` [fraction/yr]."""
    if end <= start:
        raise ValueError(f"end year {end} must be after start year {start}")
    for year in (start, end):
        if year not in series.index:
            raise KeyError(f"{series.name or 'series'} has no value for {year}")
    first, last = float(series.loc[start]), float(series.loc[end])
    if first <= 0 or last <= 0:
        raise ValueError("CAGR needs positive values at both ends")
    return (last / first) ** (1.0 / (end - start)) - 1.0


def conflicts(data_dir: str | Path | None = None) -> pd.DataFrame:
    """Every key with more than one value (:data:`CONFLICT_COLUMNS`), the default first;
    ``default`` marks the value :func:`load_history` returns."""
    import pandas as pd

    ds = load_dataset(data_dir)
    default = resolve(ds.rows, ds.variants)
    count = Counter(r.key for r in ds.rows)
    rows = sorted((r for r in ds.rows if count[r.key] > 1),
                  key=lambda r: (r.key, ds.variants[r.variant]))
    records = [{**vars(r), "default": default[r.key] is r} for r in rows]
    # Named columns even when nothing conflicts, so callers can group an empty table.
    return pd.DataFrame.from_records(records, columns=CONFLICT_COLUMNS)


def consistency_report(data_dir: str | Path | None = None) -> pd.DataFrame:
    """Every cross-check (:data:`CHECK_COLUMNS`; values in the series' unit), failed first: a
    failed one is a documented conflict under a non-default ``variant`` (empty: the default,
    which is validated and so never fails)."""
    import pandas as pd

    frame = pd.DataFrame(load_dataset(data_dir).checks)
    frame["difference"] = frame["stated"] - frame["computed"]
    return frame[CHECK_COLUMNS].sort_values(
        ["ok", "check", "series", "region", "segment", "year", "variant"], ignore_index=True
    )


def summary_text(history: pd.DataFrame) -> str:
    """A short, human-readable summary of a loaded history (what ``forecast validate`` prints)."""
    data_dir = history.attrs.get("data_dir")
    ds = load_dataset(data_dir)
    counts = ds.counts()
    prod = get_series(history, "production")
    world = implied_world_production(history)
    first, last = int(prod.index[0]), int(prod.index[-1])
    lines = [
        f"data: {ds.data_dir}",
        f"  {counts['observations']} observations in {HISTORY_FILE} ({counts['series']} series, "
        f"{counts['documents']} source documents): "
        + ", ".join(f"{counts[k]} {k}" for k in ("reported", "derived", "outlook")),
        f"  years {int(history['year'].min())}-{int(history['year'].max())}",
        "China production [GWh]: " + ", ".join(f"{y} {v:,.0f}" for y, v in prod.items())
        + f"  (CAGR {first}-{last}: {cagr(prod, first, last):.1%})",
        "China share of world production: "
        + ", ".join(f"{int(r.year)} {r.share:.1%}" for r in world.itertuples()),
        "Implied world production [GWh]: "
        + ", ".join(f"{int(r.year)} {r.world:,.0f}" for r in world.itertuples()),
    ]
    groups = conflicts(data_dir).groupby(["series", "region", "segment", "year"], sort=True)
    lines.append(f"conflicts: {groups.ngroups} (the default is listed first; choose another "
                 "with prefer=)")
    for (series, region, segment, year), group in groups:
        values = " | ".join(
            (f"{r.value:.1%}" if r.unit == "fraction" else f"{r.value:g} {r.unit}")
            + f" [{r.variant}{', default' if r.default else ''}]" for r in group.itertuples()
        )
        lines.append(f"  {series} {region}/{segment} {year}: {values}")
    report = consistency_report(data_dir)
    failed = report.loc[~report["ok"]]
    lines.append(f"cross-checks: {int(report['ok'].sum())} passed under the default; "
                 f"{len(failed)} disagree under an alternative variant")
    lines.extend(f"  [{c.variant}] {c.detail}" for c in failed.itertuples())
    return "\n".join(lines)
