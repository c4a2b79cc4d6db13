from rest_framework.routers import SimpleRouter

from messaging.api.views import ThreadViewSet

router = SimpleRouter()
router.register("threads", ThreadViewSet, basename="thread")
urlpatterns = router.urls
