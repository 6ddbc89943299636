"""The matter's timeline takes the core engine's log fields (core.workflow.TransitionLog):
``name`` becomes ``step`` and ``payload`` becomes ``data``; the rows keep their values."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("petitions", "0010_workflow_candidate_version")]

    operations = [
        migrations.RenameField("transition", "name", "step"),
        migrations.RenameField("transition", "payload", "data"),
        migrations.AlterField(
            model_name="transition",
            name="actor_label",
            field=models.CharField(blank=True, max_length=100, verbose_name="操作人"),
        ),
        migrations.AlterField(
            model_name="transition",
            name="step",
            field=models.CharField(max_length=40, verbose_name="步骤"),
        ),
    ]
