"""The KPI alert e-mail to the admins, sent by the outbox workers (Django mail)."""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kpis import alerts, wording
from kpis.models import Alert
from oms import outbox, roles


def admin_addresses() -> list[str]:
    users = get_user_model().objects.filter(is_active=True).exclude(email="")
    users = users.filter(Q(is_superuser=True) | Q(groups__name=roles.ADMIN)).distinct()
    return sorted(users.values_list("email", flat=True))


def send_alert_email(message) -> None:
    alert = Alert.objects.select_related("account").filter(pk=message.payload["alert"]).first()
    if alert is None:
        raise outbox.Undeliverable("The alert no longer exists.")
    recipients = admin_addresses()
    if not recipients:
        raise outbox.Undeliverable("No admin has an e-mail address.")
    with translation.override(settings.LANGUAGE_CODE):
        subject = _("KPI alert on %(account)s: %(metric)s %(status)s") % {
            "account": alert.account.name,
            "metric": alert.definition.label,
            "status": alert.get_status_display(),
        }
        body = wording.sentence(alert, now=timezone.now())
    send_mail(subject, body, None, recipients)


outbox.declare(alerts.EMAIL_KIND, label=gettext_lazy("KPI alert e-mail"), send=send_alert_email)
