"""toll: turn conflicting casualty reports into defensible numbers.

    import toll
    reports = toll.read("reports.jsonl")          # .json / .jsonl / .csv
    incidents = reports.reconcile(policy="envelope", self_reports="exclude")
    links = reports.link()                        # across sources, no key
    table = incidents.summarize(by=["actor", "period:month"],
                                category="killed", attribution="joint")
    table.to_pandas(); table.to_markdown(); table.to_csv("out.csv")
    toll.parse_quantity("at least 150")
    # Quantity(low=150, high=None, best=150.0, rule='at least')

The work is done by the C library (``toll._core``) without holding the GIL;
pandas and matplotlib are optional (``pip install toll[pandas,plot]``).

Errors: :class:`TollError` is the base of :class:`ParseError` (unreadable
text), :class:`ReportError` (a report breaking the format) and
:class:`OptionError` (bad option values) and :class:`ModelError` (a
statistical model that cannot be fitted, :mod:`toll.mse`); the last four
are also ValueErrors.  Each carries ``code``, ``file``, ``line``, ``record``,
``field``, ``text`` and ``message``.  Problems that do not stop a load or a
summary (no report carries any casualty category) are issued as
:class:`TollWarning` (a UserWarning).  Unreadable files raise OSError, and
running out of memory MemoryError.
"""
from . import _core
from ._api import (Incidents, Links, Quantity, Reports, Table, TollWarning,
                   format_quantity, load_lexicon, parse_quantities,
                   parse_quantity, read)
from ._api import summarize_files  # the one-pass summary: stream=True
from ._core import Lexicon, OptionError, ParseError, ReportError, TollError
from ._core import ModelError
from . import intervals, mse  # toll.mse: multiple systems estimation

__version__ = "0.2.0"
library_version = _core.library_version

__all__ = [
    "read", "Reports", "Incidents", "Links", "Table", "Quantity", "Lexicon",
    "parse_quantity", "parse_quantities", "format_quantity", "load_lexicon",
    "TollError", "ParseError", "ReportError", "OptionError", "ModelError",
    "TollWarning",
    "mse", "intervals",
    "summarize_files",
    "__version__", "library_version",
]
