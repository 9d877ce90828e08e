"""The data layer: the battery history with provenance, loaded and validated.

Layers above read the history through these functions; nothing here imports from them. The API
is :mod:`forecast.data.loader`'s ``__all__``, re-exported whole. Files are checked by
:mod:`~forecast.data.schema` (columns, fields, the rule table) and
:mod:`~forecast.data.consistency` (conflicts, derivations, cross-checks).
"""

from forecast.data import loader
from forecast.data.loader import *  # noqa: F403  (the names are loader.__all__, listed there)

__all__ = list(loader.__all__)
