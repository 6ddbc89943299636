"""Petitioners' addresses encrypted like phones (issue 10, finding 7).

Adds the three ProtectedField columns, seals every existing plaintext address into them,
then drops the plaintext column. Reversible: going back decrypts into the old column
(with the keys of the current settings).
"""

from django.db import migrations, models

BATCH = 500


def seal_addresses(apps, schema_editor):
    from xinfang.core import crypto
    from xinfang.core.personal_data import mask_address, normalize_address

    Petitioner = apps.get_model("petitions", "Petitioner")
    rows = Petitioner.objects.using(schema_editor.connection.alias).exclude(address="")
    batch = []
    for person in rows.only("pk", "address").iterator(chunk_size=BATCH):
        # The old column allowed 200 characters: normalising only collapses whitespace.
        value = normalize_address(person.address)
        person.address_token = crypto.seal(value) if value else ""
        person.address_digest = crypto.blind_index(value, "address") if value else ""
        person.address_masked = mask_address(value) if value else ""
        person.address = ""
        batch.append(person)
        if len(batch) >= BATCH:
            _save(Petitioner, batch, schema_editor)
            batch = []
    _save(Petitioner, batch, schema_editor)


def open_addresses(apps, schema_editor):
    from xinfang.core import crypto

    Petitioner = apps.get_model("petitions", "Petitioner")
    rows = Petitioner.objects.using(schema_editor.connection.alias).exclude(address_token="")
    batch = []
    for person in rows.only("pk", "address_token").iterator(chunk_size=BATCH):
        person.address = crypto.open_(person.address_token)
        person.address_token = person.address_digest = person.address_masked = ""
        batch.append(person)
        if len(batch) >= BATCH:
            _save(Petitioner, batch, schema_editor)
            batch = []
    _save(Petitioner, batch, schema_editor)


def _save(model, batch, schema_editor):
    if batch:
        model.objects.using(schema_editor.connection.alias).bulk_update(
            batch, ["address", "address_token", "address_digest", "address_masked"]
        )


class Migration(migrations.Migration):
    dependencies = [
        ("petitions", "0006_attachment_encrypted_at_rest"),
    ]

    operations = [
        migrations.AddField(
            model_name="petitioner",
            name="address_digest",
            field=models.CharField(blank=True, default="", editable=False, max_length=64),
        ),
        migrations.AddField(
            model_name="petitioner",
            name="address_masked",
            field=models.CharField(blank=True, default="", max_length=32, verbose_name="住址"),
        ),
        migrations.AddField(
            model_name="petitioner",
            name="address_token",
            field=models.TextField(blank=True, default="", editable=False),
        ),
        migrations.RunPython(seal_addresses, open_addresses, elidable=False),
        migrations.RemoveField(
            model_name="petitioner",
            name="address",
        ),
    ]
