from django.db import migrations

# The queue's built-in view of orders whose push to the marketplace failed and waits for a person.
PUSH_FAILED_VIEW = ("Push failed", "push_failed=true", 40)


def create_push_failed_view(apps, schema_editor):
    SavedView = apps.get_model("orders", "SavedView")
    name, query, position = PUSH_FAILED_VIEW
    SavedView.objects.get_or_create(name=name, shared=True, owner=None, defaults={"query": query, "position": position})


class Migration(migrations.Migration):
    """The queue's "Push failed" view (the answers to a failed push are event kinds of orders.events)."""

    dependencies = [
        ("orders", "0005_money"),
    ]

    operations = [
        migrations.RunPython(create_push_failed_view, migrations.RunPython.noop),
    ]
