"""Reports: the figure style and figures, the sentences under them, plain-language labels and
glossary, tables written reproducibly (the headline among them), number formatting, the run
parameters the notebooks take, the setup call every notebook makes, the scenario explorer for
modellers, how the track record reads, and what a scenario band holds (``bands``,
``spread_figures``).

Importing the package loads none of its modules (nor pandas or matplotlib); import the one
you need, e.g. ``from forecast.report.notebook import setup``.
"""

__all__ = [
    "bands",
    "calibration_figures",
    "captions",
    "explorer",
    "figures",
    "formatting",
    "headline",
    "labels",
    "notebook",
    "parameters",
    "spread_figures",
    "tables",
    "track_record",
]
