from rest_framework.routers import SimpleRouter

from order_queue.api.views import OrderViewSet

router = SimpleRouter()
router.register("orders", OrderViewSet, basename="order")
urlpatterns = router.urls
