"""Reports: the figure style and figures, the sentences under them, plain-language labels,
reproducible tables, number formatting, the run parameters and the setup call of every
notebook. Importing the package loads none of its modules (nor pandas or matplotlib).
"""

__all__ = ["bands", "calibration_figures", "captions", "explorer", "figures", "formatting",
           "headline", "labels", "notebook", "parameters", "spread_figures", "tables",
           "track_record"]
