"""The home page is the KPI dashboard (included at "" by oms/urls.py, keeping the name `home`)."""

from django.urls import path

from kpis import views

urlpatterns = [path("", views.dashboard, name="home")]
