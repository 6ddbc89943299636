"""Data migrations of the petitions app convert the rows already stored."""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from xinfang.core import crypto
from xinfang.core.personal_data import digest_for

BEFORE = ("petitions", "0006_attachment_encrypted_at_rest")
AFTER = ("petitions", "0007_petitioner_address_encrypted")
ADDRESS = "城关镇东街12号  2单元"


def _migrate_to_latest() -> None:
    # Back to every app's newest migration, so later tests on this worker see today's schema.
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())


def _migrate(target: tuple[str, str]):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate([target])
    return executor.loader.project_state([target]).apps


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_existing_plaintext_addresses_are_sealed_and_the_column_dropped(cast) -> None:
    apps = _migrate(BEFORE)
    Petition = apps.get_model("petitions", "Petition")
    Petitioner = apps.get_model("petitions", "Petitioner")
    Unit = apps.get_model("org", "Unit")
    unit = Unit.objects.get(pk=cast.unit_a.pk)
    petition = Petition.objects.create(
        number="X-2026-000001",
        registering_unit=unit,
        responsible_unit=unit,
        channel="letter",
        kind="appeal",
        summary="迁移前登记的事项",
        received_on="2026-08-01",
    )
    with_address = Petitioner.objects.create(petition=petition, name="甲", address=ADDRESS)
    without = Petitioner.objects.create(petition=petition, name="乙", address="")

    try:
        apps = _migrate(AFTER)
        Petitioner = apps.get_model("petitions", "Petitioner")
        row = Petitioner.objects.get(pk=with_address.pk)
        assert crypto.open_(row.address_token) == "城关镇东街12号 2单元"
        assert row.address_masked == "城关镇东街1****"
        assert row.address_digest == digest_for("address", ADDRESS)
        empty = Petitioner.objects.get(pk=without.pk)
        assert (empty.address_token, empty.address_masked) == ("", "")
        columns = [
            c.name
            for c in connection.introspection.get_table_description(
                connection.cursor(), "petitions_petitioner"
            )
        ]
        assert "address" not in columns

        # And back: the reverse migration restores the plaintext column.
        apps = _migrate(BEFORE)
        Petitioner = apps.get_model("petitions", "Petitioner")
        assert Petitioner.objects.get(pk=with_address.pk).address == "城关镇东街12号 2单元"
    finally:
        _migrate_to_latest()
