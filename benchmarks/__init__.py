"""Benchmarks: tooling, not shipped in the production image.

`make bench` runs `python -m benchmarks` (see `__main__.py`); each module measures one
area on a throw-away database and prints `BENCH <name> <value> <unit>` lines through
`benchmarks.support.report`.
"""
