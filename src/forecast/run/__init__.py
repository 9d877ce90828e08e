"""Runs: execute the notebooks with papermill into an atomic run folder with HTML and a
manifest. This layer imports no model code."""

__all__ = ["changes", "execute", "folder", "html", "kernels", "manifest", "parameters", "pipeline",
           "reviewer"]
