"""The layout of a run folder: the names ``forecast run`` writes and ``forecast score`` and the
next run read (the folder's life is in :mod:`forecast.run.folder`)."""

__all__ = ["CALIBRATION_KEY_TABLE", "FAILED_SUFFIX", "HEADLINE_TABLE", "LATEST", "LAYOUT_VERSION",
           "MANIFEST_NAME", "PROJECTIONS_TABLE", "SCENARIO_TABLE", "TMP_PREFIX"]

#: Prefix of the hidden folder a run is built in.
TMP_PREFIX = ".tmp-"
#: Suffix of the folder a failed run is moved to.
FAILED_SUFFIX = ".failed"
#: Symlink in the output folder to the newest successful run.
LATEST = "latest"
#: The manifest inside a run folder.
MANIFEST_NAME = "manifest.json"
#: Version of the layout: 2 added ``layout_version``, ``last_observed_year``, ``data_sha256``
#: and ``previous_run`` to the manifest; a manifest without ``layout_version`` is layout 1.
LAYOUT_VERSION = 2
#: One row per scenario (:func:`forecast.report.headline.headline_table`, by 00_summary).
HEADLINE_TABLE = "tables/headline.csv"
#: The scenarios run and what each assumes (``name``, ``description``).
SCENARIO_TABLE = "tables/scenarios.csv"
#: Every scenario's projected quantiles by region, segment and year (what is scored later).
PROJECTIONS_TABLE = "tables/projections.csv"
#: The key of the reference-class calibration 05_calibration read (a column ``key``).
CALIBRATION_KEY_TABLE = "tables/calibration_cache_key.csv"
