"""The province-scale benchmark: ``bench/generate`` builds the data, ``bench/run`` measures.

Run on demand (never in the test suite). See ``docs/scaling.md`` and
``bench/results/province.md``.
"""
