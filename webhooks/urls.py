from django.urls import path

from webhooks import views

app_name = "webhooks"
urlpatterns = [
    path("", views.endpoint_list, name="list"),
    path("<int:pk>/", views.endpoint_detail, name="detail"),
    path("<int:pk>/rotate-secret/", views.rotate_secret, name="rotate_secret"),
    path("<int:pk>/finish-rotation/", views.finish_rotation, name="finish_rotation"),
    path("<int:pk>/test/", views.send_test, name="test"),
    path("<int:pk>/replay/", views.replay_since, name="replay_since"),
    path("<int:pk>/deliveries/<int:delivery_id>/replay/", views.replay_delivery, name="replay_delivery"),
    path("<int:pk>/delete/", views.endpoint_delete, name="delete"),
]
