from rest_framework.routers import SimpleRouter

from returns.api.views import ReturnViewSet

router = SimpleRouter()
router.register("returns", ReturnViewSet, basename="return")
urlpatterns = router.urls
