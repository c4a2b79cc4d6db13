from django.urls import path

from rules import views

app_name = "rules"
urlpatterns = [
    path("", views.rule_list, name="list"),
    path("new/", views.rule_create, name="create"),
    path("<int:pk>/", views.rule_edit, name="edit"),
    path("<int:pk>/toggle/", views.rule_toggle, name="toggle"),
    path("<int:pk>/move/", views.rule_move, name="move"),
    path("<int:pk>/delete/", views.rule_delete, name="delete"),
    path("<int:pk>/dry-run/", views.rule_dry_run, name="dry_run"),
    path("decisions/", views.decision_list, name="decisions"),
    path("apply/", views.apply_to_selection, name="apply"),
    path("flagged-buyers/", views.flagged_buyers, name="flagged_buyers"),
    path("flagged-buyers/<int:pk>/delete/", views.unflag_buyer, name="unflag_buyer"),
]
