"""The data layer: the battery history with provenance, loaded and validated.

Everything above this layer (models, scenarios, reports, runs) reads the history through
these functions; nothing here imports from those layers. The package's API is
:mod:`forecast.data.loader`'s (its ``__all__``: loading, series helpers, conflicts and the
consistency report), re-exported whole so that the list of names is kept in one place.
Validation lives in :mod:`~forecast.data.validation` (the order of the files),
:mod:`~forecast.data.schema` (columns and fields), :mod:`~forecast.data.rules` (the rule
table), :mod:`~forecast.data.derivations` and :mod:`~forecast.data.consistency`
(conflicts and cross-checks).
"""

from forecast.data import loader
from forecast.data.loader import *  # noqa: F403  (the names are loader.__all__, listed there)

__all__ = list(loader.__all__)
