from django.urls import path

from order_queue import views

app_name = "orders"
urlpatterns = [
    path("", views.order_list, name="list"),
    path("<int:pk>/", views.order_detail, name="detail"),
    path("<int:pk>/accept/", views.accept, name="accept"),
    path("<int:pk>/refuse/", views.refuse, name="refuse"),
    path("<int:pk>/cancel/", views.cancel, name="cancel"),
    path("<int:pk>/ship/", views.ship, name="ship"),
    path("<int:pk>/shipments/<int:shipment_id>/hand-over/", views.shipment_hand_over, name="shipment_hand_over"),
    path("<int:pk>/shipments/<int:shipment_id>/void/", views.shipment_void, name="shipment_void"),
    path("<int:pk>/assign/", views.assign, name="assign"),
    path("<int:pk>/tag/", views.tag, name="tag"),
    path("<int:pk>/hold/", views.hold, name="hold"),
    path("<int:pk>/release/", views.release, name="release"),
    path("<int:pk>/pushes/<int:message_id>/retry/", views.push_retry, name="push_retry"),
    path("<int:pk>/pushes/<int:message_id>/mark-done/", views.push_mark_done, name="push_mark_done"),
    path("<int:pk>/pushes/<int:message_id>/discard/", views.push_discard, name="push_discard"),
    path("tracking-import/", views.tracking_import, name="tracking_import"),
    path("bulk/", views.bulk_start, name="bulk_start"),
    path("bulk/<int:pk>/", views.bulk_job, name="bulk_job"),
    path("bulk/<int:pk>/export.csv", views.bulk_export, name="bulk_export"),
    path("paperwork/", views.paperwork_for_selection, name="paperwork"),
    path("views/", views.saved_view_create, name="saved_view_create"),
    path("views/<int:pk>/delete/", views.saved_view_delete, name="saved_view_delete"),
]
