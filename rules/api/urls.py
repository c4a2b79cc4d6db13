from rest_framework.routers import SimpleRouter

from rules.api.views import RuleDecisionViewSet, RuleViewSet

router = SimpleRouter()
router.register("rules", RuleViewSet, basename="rule")
router.register("rule-decisions", RuleDecisionViewSet, basename="rule-decision")
urlpatterns = router.urls
