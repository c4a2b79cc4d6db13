"""One reading of the `assignee` filter for every list that has one (the queue, the inbox)."""

import pytest
from django.contrib.auth.models import AnonymousUser

from messaging.models import Thread
from oms.api.filters import by_assignee
from orders.models import Order
from orders.status import OrderStatus
from tests.factories import make_order
from tests.messaging.conftest import make_thread

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("model", [Order, Thread])
def test_me_none_an_id_or_a_username(model, operator, admin_user):
    if model is Order:
        mine, theirs, nobodys = (make_order(status=OrderStatus.ACCEPTED) for _ in range(3))
    else:
        mine, theirs, nobodys = (make_thread() for _ in range(3))
    model.objects.filter(pk=mine.pk).update(assignee=operator)
    model.objects.filter(pk=theirs.pk).update(assignee=admin_user)

    def ids(value, user=operator):
        return set(by_assignee(model.objects.all(), value, user=user).values_list("pk", flat=True))

    assert ids("me") == {mine.pk} and ids(" me ") == {mine.pk}
    assert ids("none") == {nobodys.pk}
    assert ids(str(admin_user.pk)) == {theirs.pk}
    assert ids(admin_user.username) == {theirs.pk}
    assert ids("me", user=AnonymousUser()) == set() and ids("me", user=None) == set()
