"""Benchmarks: a synthetic large plan, the load run against a bare Bolt floor, and statement counts.

`make bench` (``python -m benchmarks.run``) runs everything and writes benchmarks/results/latest.{json,md}.
"""
