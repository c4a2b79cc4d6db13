from django.db import migrations, models

# The queue's built-in view of orders whose push to the marketplace failed and waits for a person.
PUSH_FAILED_VIEW = ("Push failed", "push_failed=true", 40)


def create_push_failed_view(apps, schema_editor):
    SavedView = apps.get_model("orders", "SavedView")
    name, query, position = PUSH_FAILED_VIEW
    SavedView.objects.get_or_create(name=name, shared=True, owner=None, defaults={"query": query, "position": position})


class Migration(migrations.Migration):
    """Timeline events for a person's answer to a failed push, and the queue's "Push failed" view."""

    dependencies = [
        ("orders", "0003_queue_indexes"),
    ]

    operations = [
        migrations.AlterField(
            model_name="orderevent",
            name="kind",
            field=models.CharField(
                choices=[
                    ("received", "Received from the marketplace"),
                    ("updated", "Updated by the marketplace"),
                    ("status_changed", "Status changed"),
                    ("status_ignored", "Marketplace status not applied"),
                    ("refunded", "Refunded"),
                    ("triaged", "Assigned, tagged or held"),
                    ("pushed", "Sent to the marketplace"),
                    ("push_failed", "Not accepted by the marketplace"),
                    ("push_retried", "Push sent again"),
                    ("push_done_by_hand", "Done by hand on the marketplace"),
                    ("push_discarded", "Push discarded"),
                ],
                max_length=30,
            ),
        ),
        migrations.RunPython(create_push_failed_view, migrations.RunPython.noop),
    ]
