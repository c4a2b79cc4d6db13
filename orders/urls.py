from django.urls import path

from orders import views

app_name = "orders"
urlpatterns = [
    path("", views.order_list, name="list"),
    path("<int:pk>/", views.order_detail, name="detail"),
    path("<int:pk>/accept/", views.accept, name="accept"),
    path("<int:pk>/refuse/", views.refuse, name="refuse"),
    path("<int:pk>/cancel/", views.cancel, name="cancel"),
    path("<int:pk>/ship/", views.ship, name="ship"),
]
