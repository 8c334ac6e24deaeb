"""``python -m toll ARGS`` and the ``toll`` command that ``pip install``
puts on the PATH: the toll program of the C library (src/cli/main.c), the
same as the executable CMake builds, run in this process.

    python -m toll summarize reports.jsonl --by actor,period:month
    toll mse lists.csv --search
"""
import signal
import sys
from typing import Optional, Sequence


def main(argv: Optional[Sequence[str]] = None) -> int:
    """Run ``toll`` with ``argv`` (default: the command line's arguments)
    and return its exit status: 0 success, 1 bad data or an input/output
    error, 2 a usage error."""
    from . import _core

    args = list(sys.argv[1:] if argv is None else argv)
    # the program writes to the C streams: what Python holds goes first
    sys.stdout.flush()
    sys.stderr.flush()
    # Ctrl-C stops the command, as it stops the C executable
    if argv is None:
        signal.signal(signal.SIGINT, signal.SIG_DFL)
    return _core.cli_main(["toll", *args])


if __name__ == "__main__":
    sys.exit(main())
