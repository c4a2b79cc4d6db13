from django.urls import path

from kpis import views

app_name = "kpis"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("settings/", views.target_settings, name="settings"),
    path("export.csv", views.export_csv, name="export"),
]
