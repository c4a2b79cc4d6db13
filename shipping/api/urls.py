from rest_framework.routers import SimpleRouter

from shipping.api.views import CarrierViewSet, ShipmentViewSet

router = SimpleRouter()
router.register("shipments", ShipmentViewSet, basename="shipment")
router.register("carriers", CarrierViewSet, basename="carrier")
urlpatterns = router.urls
