from django.urls import path

from marketplaces import views

app_name = "marketplaces"
urlpatterns = [
    path("", views.account_list, name="accounts"),
    path("<int:pk>/poll/", views.poll_now, name="poll_now"),
    path("outbox/", views.outbox_list, name="outbox"),
    path("outbox/<int:pk>/retry/", views.outbox_retry, name="outbox_retry"),
    path("outbox/<int:pk>/discard/", views.outbox_discard, name="outbox_discard"),
    path("quarantine/", views.quarantine_list, name="quarantine"),
    path("quarantine/<int:pk>/resolve/", views.quarantine_resolve, name="quarantine_resolve"),
]
