from rest_framework.routers import SimpleRouter

from shipping.api.carrier_rules import CarrierRuleViewSet
from shipping.api.paperwork import PackingSlipViewSet, PickListViewSet
from shipping.api.views import CarrierViewSet, ShipmentViewSet

router = SimpleRouter()
router.register("shipments", ShipmentViewSet, basename="shipment")
router.register("carriers", CarrierViewSet, basename="carrier")
router.register("pick-lists", PickListViewSet, basename="pick-list")
router.register("packing-slips", PackingSlipViewSet, basename="packing-slip")
router.register("carrier-rules", CarrierRuleViewSet, basename="carrier-rule")
urlpatterns = router.urls
