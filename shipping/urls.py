from django.urls import path, re_path

from shipping import views

app_name = "shipping"
urlpatterns = [
    path("pick-lists/<int:pk>.pdf", views.pick_list_pdf, name="pick_list_pdf"),
    path("orders/<int:order_id>/packing-slip.pdf", views.packing_slip_pdf, name="packing_slip_pdf"),
    re_path(r"^parcels/(?P<pk>[0-9]+)/label\.(?P<file_format>pdf|zpl)$", views.parcel_label, name="parcel_label"),
]
