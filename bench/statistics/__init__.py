"""The statistics benchmark: ``python -m bench.statistics.run`` (on demand, never in tests)."""
