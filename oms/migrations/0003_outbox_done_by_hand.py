from django.db import migrations, models


class Migration(migrations.Migration):
    """A dead letter a person did by hand on the other side (e.g. in the platform's portal)."""

    dependencies = [
        ("oms", "0002_outbox"),
    ]

    operations = [
        migrations.AlterField(
            model_name="outboxmessage",
            name="status",
            field=models.CharField(
                choices=[
                    ("pending", "Pending"),
                    ("sending", "Sending"),
                    ("sent", "Sent"),
                    ("dead", "Failed"),
                    ("discarded", "Discarded"),
                    ("done_by_hand", "Done by hand"),
                ],
                default="pending",
                max_length=20,
                verbose_name="status",
            ),
        ),
    ]
