"""Open311 GeoReport v2 (http://wiki.open311.org/GeoReport_v2) over petition matters.

``feed`` projects matters onto the public request format (no accusations, no personal
data, no free text); ``render`` writes XML and JSON; ``views`` are the endpoints mounted at
``/open311/v2/``. See ``docs/open311.md``.
"""
