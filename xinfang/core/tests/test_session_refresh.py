from django.db import connection
from django.test.utils import CaptureQueriesContext
from xinfang.org.choices import Role

def test_dump(cast, client):
    user = cast.user_with(Role.HANDLER if hasattr(Role, "HANDLER") else list(Role)[0], cast.unit_a)
    client.force_login(user)
    client.get("/petitions/due/")
    with CaptureQueriesContext(connection) as ctx:
        r = client.get("/petitions/due/")
    print(r.status_code)
    for q in ctx.captured_queries:
        print(q["sql"][:300])
    assert 0
