"""Benchmarks anyone can run (``python -m benchmarks.<name>``); each prints a ratio against a baseline
measured in the same run. Never timed assertions: the test suite does not depend on them."""
