from django.urls import path, re_path

from shipping import views, views_packing, views_rules

app_name = "shipping"
urlpatterns = [
    path("pick-lists/<int:pk>.pdf", views.pick_list_pdf, name="pick_list_pdf"),
    path("orders/<int:order_id>/packing-slip.pdf", views.packing_slip_pdf, name="packing_slip_pdf"),
    re_path(r"^parcels/(?P<pk>[0-9]+)/label\.(?P<file_format>pdf|zpl)$", views.parcel_label, name="parcel_label"),
    path("label-jobs/<int:pk>/", views.label_job, name="label_job"),
    re_path(
        r"^label-jobs/(?P<pk>[0-9]+)/labels\.(?P<file_format>pdf|zpl)$", views.label_job_file, name="label_job_file"
    ),
    path("pack/", views_packing.station_page, name="pack"),
    path("pack/scan/", views_packing.scan, name="pack_scan"),
    path("pack/<int:pk>/put-aside/", views_packing.put_aside, name="pack_put_aside"),
    path("pack/<int:pk>/finish/", views_packing.finish, name="pack_finish"),
    path("pack/<int:pk>/label-again/", views_packing.label_again, name="pack_label_again"),
    path("pack/<int:pk>/abandon/", views_packing.abandon, name="pack_abandon"),
    path("carrier-rules/", views_rules.rule_list, name="carrier_rules"),
    path("carrier-rules/new/", views_rules.rule_create, name="carrier_rule_create"),
    path("carrier-rules/dry-run/", views_rules.dry_run, name="carrier_rules_dry_run"),
    path("carrier-rules/<int:pk>/", views_rules.rule_edit, name="carrier_rule_edit"),
    path("carrier-rules/<int:pk>/toggle/", views_rules.rule_toggle, name="carrier_rule_toggle"),
    path("carrier-rules/<int:pk>/move/", views_rules.rule_move, name="carrier_rule_move"),
    path("carrier-rules/<int:pk>/dry-run/", views_rules.dry_run, name="carrier_rule_dry_run"),
]
