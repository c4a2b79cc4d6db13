from django.urls import path

from messaging import views

app_name = "messaging"

urlpatterns = [
    path("", views.inbox, name="inbox"),
    path("<int:pk>/", views.thread_page, name="thread"),
    path("<int:pk>/template/", views.template_text, name="template"),
    path("<int:pk>/reply/", views.reply, name="reply"),
    path("<int:pk>/assign/", views.assign, name="assign"),
    path("<int:pk>/close/", views.close, name="close"),
    path("delay/<int:order_pk>/", views.delay_notice, name="delay_notice"),
    path("review/<int:order_pk>/", views.request_review, name="request_review"),
    path("messages/<int:message_pk>/resend/", views.resend_anyway, name="resend_anyway"),
    path("attachments/<int:pk>/", views.attachment, name="attachment"),
]
