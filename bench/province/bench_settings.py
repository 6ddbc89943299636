"""Settings for the benchmark's server: the product's settings plus the bench URLconf.

The bare baseline views live only here (``bench_urls``), never in the product's URLs.
"""

from xinfang.settings import *  # noqa: F403

ROOT_URLCONF = "bench.province.bench_urls"

# bench/audit_chain: the audit hash chosen per request (X-Bench-Audit), see audit_switch.
MIDDLEWARE = ["bench.province.audit_switch.AuditSwitchMiddleware", *MIDDLEWARE]  # noqa: F405
