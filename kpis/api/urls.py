from rest_framework.routers import SimpleRouter

from kpis.api.views import StandingViewSet

router = SimpleRouter()
router.register("kpis", StandingViewSet, basename="kpi")
urlpatterns = router.urls
