"""The reference class's calibration, computed once per input and kept in a cache folder.

:func:`forecast.evaluation.calibration.calibrate` and its ``place_halves`` depend only on the
reference files, the options and the package, so a run reads them from the folder
:func:`cache_key` names in :func:`cache_dir`. An entry is written into a scratch folder
renamed into place (a concurrent run sees it whole or not at all); one whose checksum does not
match is computed again.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import shutil
import tempfile
from collections.abc import Callable
from contextlib import suppress
from pathlib import Path
from typing import Any

import pandas as pd

from forecast.data.reference import default_reference_path
from forecast.files import sha256_file, tree_digest

__all__ = ["CACHE_ENV", "KEYED_PARTS", "cache_dir", "cache_key", "cached_calibrate",
           "cached_place_halves", "keyed_files"]

#: Environment variable naming the cache folder (its ``calibration/`` subfolder is used).
CACHE_ENV = "FORECAST_CACHE_DIR"
_TABLES = ("forecasts.csv", "summary.csv")
_META = "meta.json"


def cache_dir() -> Path:
    """``$FORECAST_CACHE_DIR/calibration``, else ``$XDG_CACHE_HOME`` or ``~/.cache`` +
    ``forecast/calibration``."""
    root = os.environ.get(CACHE_ENV)
    if root:
        return Path(root) / "calibration"
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "forecast" / "calibration"


#: What a calibration reads of the package: the stages up to evaluation and the modules they
#: import from the top of the package. Scenarios, report, run and the CLI lie above it (imports
#: go one way; a test checks calibrate loads none of them), so editing them keeps the cache.
KEYED_PARTS = ("data", "models", "evaluation", "__init__.py", "errors.py", "files.py",
               "inputs.py", "layout.py")


def keyed_files() -> list[Path]:
    """The package's source and data files a calibration depends on (:data:`KEYED_PARTS`)."""
    import forecast

    root = Path(forecast.__file__).parent
    return sorted(p for part in KEYED_PARTS for p in
                  ((root / part).rglob("*") if (root / part).is_dir() else [root / part])
                  if p.is_file() and "__pycache__" not in p.parts)


def cache_key(reference: str | Path, options: dict[str, Any]) -> str:
    """Hex sha256 of the reference file's content, ``options`` (the keywords of
    :func:`~forecast.evaluation.calibration.calibrate`: a ``reference_class`` path by its
    content, ``jobs`` not at all, the tables being the same for any number) and the package
    (its version and :func:`~forecast.files.tree_digest` of :func:`keyed_files`)."""
    import forecast

    package = f"{forecast.__version__} {tree_digest(keyed_files(), Path(forecast.__file__).parent)}"
    opts = {k: v for k, v in options.items() if k != "jobs"}
    opts["reference_class"] = sha256_file(Path(opts.get("reference_class")
                                           or default_reference_path()))
    text = json.dumps({"reference": sha256_file(Path(reference)), "options": opts,
                       "package": package}, sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()


def _read(entry: Path, names: tuple[str, ...]) -> tuple[pd.DataFrame, ...] | None:
    """The entry's tables ``names``, or None if it is missing, incomplete or does not match its
    checksums."""
    try:
        # Only an entry this user wrote (mkdtemp's private 0700 folder) is trusted: one that
        # another account could write to may hold any tables with matching checksums.
        info = entry.stat()
        if info.st_uid != os.getuid() or info.st_mode & 0o077:
            return None
        meta = json.loads((entry / _META).read_text(encoding="utf-8"))
        tables = []
        for name in names:
            blob = (entry / name).read_bytes()
            if hashlib.sha256(blob).hexdigest() != meta["sha256"][name]:
                return None
            # to_csv writes floats as repr; pandas 3 parses them back exactly by default,
            # pandas 2 only with "round_trip".
            exact = {"float_precision": "round_trip"} if pd.__version__ < "3" else {}
            tables.append(pd.read_csv(io.BytesIO(blob), dtype=meta["dtypes"][name],
                                      keep_default_na=False, na_values=[""], **exact))
    except (OSError, ValueError, KeyError, TypeError):
        return None
    return tuple(tables)


def _write(entry: Path, tables: tuple[pd.DataFrame, ...], names: tuple[str, ...]) -> None:
    entry.parent.mkdir(parents=True, exist_ok=True)
    scratch = Path(tempfile.mkdtemp(prefix=f".{entry.name[:12]}-", dir=entry.parent))
    try:
        sums, dtypes = {}, {}
        for name, frame in zip(names, tables, strict=True):
            blob = frame.to_csv(index=False, lineterminator="\n").encode()
            (scratch / name).write_bytes(blob)
            sums[name] = hashlib.sha256(blob).hexdigest()
            dtypes[name] = {c: str(t) for c, t in frame.dtypes.items()}
        (scratch / _META).write_text(json.dumps(
            {"key": entry.name, "sha256": sums, "dtypes": dtypes}), encoding="utf-8")
        shutil.rmtree(entry, ignore_errors=True)  # a corrupt entry, if there is one
        with suppress(OSError):  # another run put a complete entry there first
            os.replace(scratch, entry)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def _through_cache(key: str, names: tuple[str, ...],
                   compute: Callable[[], tuple[pd.DataFrame, ...]]) -> tuple[pd.DataFrame, ...]:
    """The tables ``names`` of entry ``key``, computed and written there when it holds none."""
    entry = cache_dir() / key
    found = _read(entry, names)
    if found is not None:
        return found
    tables = compute()
    with suppress(OSError):  # an unwritable cache costs time, never the result
        _write(entry, tables, names)
    return tables


def cached_calibrate(reference: str | Path, **options: Any
                     ) -> tuple[pd.DataFrame, pd.DataFrame, str]:
    """:func:`~forecast.evaluation.calibration.calibrate` of ``reference`` with ``options``
    through the cache: its two tables, identical to a fresh computation, and the entry's key
    (hex sha256, for the run's record)."""
    from forecast.evaluation.calibration import calibrate

    key = cache_key(reference, options)
    return (*_through_cache(key, _TABLES, lambda: calibrate(reference, **options)), key)


def cached_place_halves(reference: str | Path, **options: Any) -> pd.DataFrame:
    """:func:`~forecast.evaluation.calibration.place_halves` of ``reference`` with ``options``
    through the cache (an entry of its own), identical to a fresh computation."""
    from forecast.evaluation.calibration import place_halves

    key = cache_key(reference, {"place_halves": options})
    return _through_cache(key, ("place_halves.csv",),
                          lambda: (place_halves(reference, **options),))[0]
