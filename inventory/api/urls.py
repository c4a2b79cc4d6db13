from rest_framework.routers import SimpleRouter

from inventory.api.views import StockMovementViewSet, StockViewSet

router = SimpleRouter()
router.register("stock", StockViewSet, basename="stock")
router.register("stock-movements", StockMovementViewSet, basename="stock-movement")
urlpatterns = router.urls
