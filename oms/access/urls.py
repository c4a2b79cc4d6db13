from django.urls import path

from oms.access import views

app_name = "clients"
urlpatterns = [
    path("", views.client_list, name="list"),
    path("<int:pk>/revoke/", views.client_revoke, name="revoke"),
]
