"""A matter's reach rows keep ``unit_path``, a copy of ``Unit.path``, so that the scope of who
sees a matter is one index range. A unit moved under another parent (the organisation
import, the admin) rewrites the paths of its whole subtree in ``Unit.save``; the copies must
follow at once, or the old parent's staff keep seeing the matters and the new parent's do
not. The database keeps them equal: a row trigger on ``org_unit`` rewrites the reach rows of
every unit whose path changed, whoever changed it (org cannot call petitions: imports point
down). Existing rows are brought into line first.
"""

from __future__ import annotations

from typing import Any

from django.db import migrations

RESYNC = """
UPDATE petitions_petitionreach
   SET unit_path = (SELECT path FROM org_unit WHERE org_unit.id = petitions_petitionreach.unit_id)
 WHERE unit_path <> (SELECT path FROM org_unit WHERE org_unit.id = petitions_petitionreach.unit_id)
"""

POSTGRESQL = (
    """
CREATE OR REPLACE FUNCTION xinfang_reach_follows_unit_path() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    UPDATE petitions_petitionreach SET unit_path = NEW.path WHERE unit_id = NEW.id;
    RETURN NULL;
END
$$
""",
    """
CREATE TRIGGER org_unit_reach_path
    AFTER UPDATE OF path ON org_unit
    FOR EACH ROW WHEN (OLD.path IS DISTINCT FROM NEW.path)
    EXECUTE FUNCTION xinfang_reach_follows_unit_path()
""",
)
POSTGRESQL_REMOVE = (
    "DROP TRIGGER IF EXISTS org_unit_reach_path ON org_unit",
    "DROP FUNCTION IF EXISTS xinfang_reach_follows_unit_path()",
)

SQLITE = (
    """
CREATE TRIGGER org_unit_reach_path
    AFTER UPDATE OF path ON org_unit
    FOR EACH ROW WHEN OLD.path IS NOT NEW.path
BEGIN
    UPDATE petitions_petitionreach SET unit_path = NEW.path WHERE unit_id = NEW.id;
END
""",
)
SQLITE_REMOVE = ("DROP TRIGGER IF EXISTS org_unit_reach_path",)


def _install(apps: Any, schema_editor: Any) -> None:
    statements = POSTGRESQL if schema_editor.connection.vendor == "postgresql" else SQLITE
    schema_editor.execute(RESYNC)
    for sql in statements:
        schema_editor.execute(sql, params=None)


def _remove(apps: Any, schema_editor: Any) -> None:
    vendor = schema_editor.connection.vendor
    for sql in POSTGRESQL_REMOVE if vendor == "postgresql" else SQLITE_REMOVE:
        schema_editor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [
        ("org", "0001_initial"),
        ("petitions", "0014_opinion_drafts"),
    ]

    operations = [migrations.RunPython(_install, _remove, elidable=False)]
