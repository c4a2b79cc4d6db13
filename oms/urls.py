from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.urls import include, path
from django.views.decorators.cache import cache_control
from django.views.i18n import JavaScriptCatalog
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from oms import health, views

api_v1 = [
    path("", include("order_queue.api.urls")),
    path("", include("inventory.api.urls")),
    path("", include("marketplaces.api.urls")),
    path("", include("rules.api.urls")),
    path("", include("webhooks.api.urls")),
    path("", include("returns.api.urls")),
    path("", include("messaging.api.urls")),
    path("", include("kpis.api.urls")),
    path("", include("shipping.api.urls")),
]

urlpatterns = [
    path("", include("kpis.home_urls")),  # the home page: the KPI dashboard
    path("healthz", health.healthz, name="healthz"),
    path("accounts/login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("i18n/", include("django.conf.urls.i18n")),
    # The front-end's strings (djangojs domain of locale/), for the login page too. Pages ask for
    # it with their language in the query string, so the browser may keep each language's copy.
    path(
        "jsi18n/",
        login_not_required(cache_control(max_age=3600, private=True)(JavaScriptCatalog.as_view(packages=["oms"]))),
        name="javascript-catalog",
    ),
    path("preferences/time-zone/", views.set_time_zone, name="set_time_zone"),
    path("preferences/clock/", views.set_clock, name="set_clock"),
    path("audit/", views.audit_log, name="audit_log"),
    path("orders/", include("order_queue.urls")),
    path("marketplaces/", include("marketplaces.urls")),
    path("inventory/", include("inventory.urls")),
    path("rules/", include("rules.urls")),
    path("settings/clients/", include("oms.access.urls")),
    path("webhooks/", include("webhooks.urls")),
    path("returns/", include("returns.urls")),
    path("messages/", include("messaging.urls")),
    path("kpis/", include("kpis.urls")),
    path("shipping/", include("shipping.urls")),
    path("api/v1/", include(api_v1)),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    # The split view serves Swagger UI's start-up script from a URL: the Content-Security-Policy allows no inline script.
    path(
        "api/docs/",
        SpectacularSwaggerSplitView.as_view(url_name="schema", template_name="oms/swagger_ui.html"),
        name="api-docs",
    ),
    path("admin/", admin.site.urls),
]

handler400 = views.bad_request
handler403 = views.permission_denied
handler404 = views.page_not_found
handler500 = views.server_error
