import django.core.serializers.json
from django.db import migrations, models

# The built-in views by the name the earlier migrations gave them, and their stable key.
BUILT_IN_KEYS = {"To accept": "to_accept", "To ship today": "to_ship_today", "Late": "late", "Push failed": "push_failed"}


def key_built_in_views(apps, schema_editor):
    SavedView = apps.get_model("orders", "SavedView")
    for name, key in BUILT_IN_KEYS.items():
        SavedView.objects.filter(name=name, shared=True, owner=None, key="").update(key=key)


class Migration(migrations.Migration):
    """Built-in views read in the operator's language; bulk outcomes as code + params;
    an identifier pasted into the search found through B-tree indexes."""

    dependencies = [
        ("orders", "0006_push_failed_view"),
    ]

    operations = [
        migrations.AddField(
            model_name="bulkjobitem",
            name="code",
            field=models.CharField(blank=True, max_length=40),
        ),
        migrations.AddField(
            model_name="bulkjobitem",
            name="params",
            field=models.JSONField(blank=True, default=dict, encoder=django.core.serializers.json.DjangoJSONEncoder),
        ),
        migrations.AlterField(
            model_name="bulkjobitem",
            name="message",
            field=models.TextField(blank=True, help_text="The English text of items written before `code` existed"),
        ),
        migrations.AddField(
            model_name="savedview",
            name="key",
            field=models.CharField(
                blank=True, help_text="Set on the views the system ships", max_length=30, verbose_name="built-in view"
            ),
        ),
        migrations.AddIndex(
            model_name="order",
            index=models.Index(fields=["marketplace_order_id"], name="order_marketplace_id"),
        ),
        migrations.AddIndex(
            model_name="order",
            index=models.Index(fields=["reference"], name="order_reference"),
        ),
        migrations.AddIndex(
            model_name="order",
            index=models.Index(fields=["tracking_number"], name="order_tracking_number"),
        ),
        migrations.RunPython(key_built_in_views, migrations.RunPython.noop),
    ]
