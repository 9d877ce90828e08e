"""The data layer: the battery history with provenance, loaded and validated; its API is
:mod:`forecast.data.loader`'s ``__all__``, re-exported whole, and it imports no layer above.
Files are checked by :mod:`~forecast.data.schema` (the rule table of each file) and
:mod:`~forecast.data.consistency` (rules on the whole history)."""

from forecast.data import loader
from forecast.data.loader import *  # noqa: F403  (the names are loader.__all__, listed there)

__all__ = list(loader.__all__)
