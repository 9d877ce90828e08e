"""The data layer: the battery history with provenance, loaded and validated.

Everything above this layer (models, scenarios, reports, runs) reads the history through
these functions; nothing here imports from those layers.
"""

from forecast.data.loader import (
    DATA_FILES,
    Dataset,
    cagr,
    conflicts,
    consistency_report,
    default_data_dir,
    get_series,
    implied_world_production,
    load_dataset,
    load_history,
    load_observations,
    segment_shares,
    summary_text,
    yoy_growth,
)

__all__ = [
    "DATA_FILES",
    "Dataset",
    "cagr",
    "conflicts",
    "consistency_report",
    "default_data_dir",
    "get_series",
    "implied_world_production",
    "load_dataset",
    "load_history",
    "load_observations",
    "segment_shares",
    "summary_text",
    "yoy_growth",
]
