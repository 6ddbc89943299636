"""Seed the official calendar so a fresh install can compute due dates at once."""

from django.db import migrations


def seed(apps, schema_editor):
    from xinfang.core.calendar_seed import seed_rows

    CalendarDay = apps.get_model("core", "CalendarDay")
    CalendarYear = apps.get_model("core", "CalendarYear")
    rows, years = seed_rows()
    CalendarDay.objects.bulk_create(
        [CalendarDay(date=d, is_working_day=w, name=n) for d, w, n in rows],
        ignore_conflicts=True,
    )
    CalendarYear.objects.bulk_create(
        [CalendarYear(year=y, source="chinese-calendar") for y in years], ignore_conflicts=True
    )


class Migration(migrations.Migration):
    dependencies = [("core", "0003_cache_table")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
