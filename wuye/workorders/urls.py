from django.urls import path

from . import views

app_name = "workorders"
urlpatterns = [
    # staff console
    path("console/tickets/", views.inbox, name="inbox"),
    path("console/tickets/new/", views.new_ticket, name="new"),
    path("console/tickets/dispatch/", views.dispatch_board, name="dispatch"),
    path("console/tickets/<int:ticket_id>/", views.ticket_detail, name="ticket"),
    path("console/tickets/<int:ticket_id>/actions/<slug:action>/", views.ticket_action, name="action"),
    path("console/tickets/<int:ticket_id>/photos/<int:photo_id>/", views.ticket_photo, name="photo"),
    path("console/complaints/ledger/", views.ledger, name="ledger"),
    path("console/complaints/analysis/", views.analysis, name="analysis"),
    path("console/complaints/improvements/", views.improvement_create, name="improvement_create"),
    path("console/complaints/improvements/<int:pk>/done/", views.improvement_done, name="improvement_done"),
    # owner portal (H5)
    path("h5/tickets/", views.h5_tickets, name="h5_tickets"),
    path("h5/repairs/", views.h5_tickets, {"group": "repairs"}, name="h5_repairs"),
    path("h5/feedback/", views.h5_tickets, {"group": "feedback"}, name="h5_feedback"),
    path("h5/tickets/new/<slug:kind>/", views.h5_new, name="h5_new"),
    path("h5/tickets/<int:ticket_id>/", views.h5_ticket, name="h5_ticket"),
    path("h5/tickets/<int:ticket_id>/actions/<slug:action>/", views.h5_action, name="h5_action"),
    path("h5/tickets/<int:ticket_id>/photos/<int:photo_id>/", views.h5_photo, name="h5_photo"),
]
