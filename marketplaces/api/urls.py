from rest_framework.routers import SimpleRouter

from marketplaces.api.views import AccountViewSet, OutboxMessageViewSet

router = SimpleRouter()
router.register("accounts", AccountViewSet, basename="account")
router.register("outbox", OutboxMessageViewSet, basename="outbox-message")
urlpatterns = router.urls
