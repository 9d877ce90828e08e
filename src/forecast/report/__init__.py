"""Reports: the figure style and figures, tables written reproducibly, number formatting, the
run parameters the notebooks take, the setup call every notebook makes, and how the track
record reads.

Importing the package loads none of its modules (nor pandas or matplotlib); import the one
you need, e.g. ``from forecast.report.notebook import setup``.
"""

__all__ = ["figures", "formatting", "notebook", "parameters", "tables", "track_record"]
