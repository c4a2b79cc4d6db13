from django.urls import path

from returns import views

app_name = "returns"
urlpatterns = [
    path("", views.return_list, name="list"),
    path("scan/", views.scan, name="scan"),
    path("accounts/<int:account_pk>/reason-codes/", views.reason_codes, name="reason_codes"),
    path("<int:pk>/", views.return_detail, name="detail"),
    path("<int:pk>/return-label/", views.return_label, name="label"),
    path("<int:pk>/<slug:step>/", views.return_step, name="step"),
    path("orders/<int:order_pk>/new/", views.return_create, name="create"),
    path("orders/<int:order_pk>/refund/", views.refund_order, name="refund"),
]
