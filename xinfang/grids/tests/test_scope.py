"""Grids organise service, not watch (domain.md, principle 4): no model of this app holds a
resident's identity, a person's location over time, or a rating of a person."""

from django.apps import apps

WATCH_WORDS = ("id_number", "name", "track", "trace", "lat", "lon", "risk", "score", "key_person")


def test_no_grids_model_keeps_identity_tracks_or_scores_of_people():
    fields = {
        f"{model.__name__}.{field.name}"
        for model in apps.get_app_config("grids").get_models()
        for field in model._meta.get_fields()
        if any(word in field.name for word in WATCH_WORDS)
    }
    # Addresses are buildings placed in grids (a door, not a person); nothing else qualifies.
    assert fields == {"Address.lat", "Address.lon"}


def test_a_log_item_contact_is_sealed_and_optional():
    from xinfang.grids.models import LogItem

    contact = LogItem._meta.get_field("contact_token")
    assert contact.blank
    assert not any(
        f.name in ("resident", "resident_name", "person") for f in LogItem._meta.get_fields()
    )
