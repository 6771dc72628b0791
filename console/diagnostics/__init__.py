"""Device diagnostics: psutil snapshot, named automated checks, redaction, log tails.

The modules `agent-console collect` runs do not import :mod:`typing` at run time: it costs a
capture, whose whole run time is timed, about 5 ms. They import :data:`TYPE_CHECKING` from here
instead of from typing (mypy takes any name ``TYPE_CHECKING`` as true), and typing's names
under ``if TYPE_CHECKING:``.
"""

TYPE_CHECKING = False
