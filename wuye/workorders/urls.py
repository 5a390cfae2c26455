from django.urls import path

from . import views

app_name = "workorders"
urlpatterns = [
    path("console/tickets/<int:ticket_id>/", views.ticket_detail, name="ticket"),
]
