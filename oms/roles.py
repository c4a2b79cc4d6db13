"""The three roles as groups with permissions: admin, operator, viewer.

Roles are data kept in step with the models after every migration, so a new
model's permissions reach the right roles without a hand-written migration.
"""

from auditlog.context import disable_auditlog
from django.contrib.auth.models import Group, Permission

ADMIN = "admin"
OPERATOR = "operator"
VIEWER = "viewer"
ROLES = (ADMIN, OPERATOR, VIEWER)

# Apps whose records every role may read.
READABLE_APPS = ("orders", "order_rules", "marketplaces", "inventory", "shipping", "returns", "messaging", "kpis")

# What an operator may do beyond reading: work orders, not configure the system.
OPERATOR_PERMISSIONS = (
    "orders.act_on_order",
    # Receiving a delivery against a purchase order is warehouse work; counts and imports stay with admins.
    "inventory.receive_stock",
    "orders.add_savedview",  # their own views of the queue; sharing one is an admin's
    "messaging.reply_to_buyer",  # answering buyers, assigning and closing their threads
    "returns.act_on_return",  # authorise, receive, inspect and close returns
)


def permissions_for(role: str):
    if role == ADMIN:
        return Permission.objects.all()
    readable = Permission.objects.filter(content_type__app_label__in=READABLE_APPS, codename__startswith="view_")
    if role == VIEWER:
        return readable
    extra = Permission.objects.none()
    for dotted in OPERATOR_PERMISSIONS:
        app_label, codename = dotted.split(".")
        extra = extra | Permission.objects.filter(content_type__app_label=app_label, codename=codename)
    return readable | extra


def sync_roles() -> None:
    for role in ROLES:
        group, _ = Group.objects.get_or_create(name=role)
        group.permissions.set(permissions_for(role))


def sync_roles_after_migrate(sender, **kwargs) -> None:
    # Runs once per app migrated; the last run sees every permission. A migration is not a person's
    # change: it stays out of the audit trail.
    with disable_auditlog():
        sync_roles()
