from django.urls import path

from inventory import views

app_name = "inventory"
urlpatterns = [
    path("", views.product_list, name="products"),
    path("<int:pk>/", views.product_detail, name="product"),
    path("<int:pk>/adjust/", views.adjust, name="adjust"),
    path("<int:pk>/threshold/", views.set_threshold, name="threshold"),
    path("<int:pk>/bin/", views.set_bin, name="bin"),
    path("import/", views.import_counts, name="import"),
    path("purchase-orders/", views.purchase_order_list, name="purchase_orders"),
    path("purchase-orders/<int:pk>/", views.purchase_order_detail, name="purchase_order"),
    path("purchase-orders/<int:pk>/receive/", views.receive, name="receive"),
]
