"""Runs: the notebooks executed with papermill into an atomic run folder with reviewer pages,
an index and a manifest. This layer imports no model code."""

__all__ = ["folder", "html", "pipeline"]
