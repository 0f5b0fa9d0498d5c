"""Benchmarks, run by ``make bench`` (``python -m bench [NAME ...]``), never by the test suite."""
