from django.urls import path

from shipping import views

app_name = "shipping"
urlpatterns = [
    path("pick-lists/<int:pk>.pdf", views.pick_list_pdf, name="pick_list_pdf"),
]
