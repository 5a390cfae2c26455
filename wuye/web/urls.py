from django.urls import path

from . import calendar_admin, console, h5, rules, staff, views

app_name = "web"
urlpatterns = [
    path("", views.home, name="home"),
    path("favicon.ico", views.favicon, name="favicon"),
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", views.LogoutView.as_view(), name="logout"),
    # staff console
    path("console/", console.dashboard, name="console"),
    path("console/projects/", console.projects, name="projects"),
    path("console/projects/<int:project_id>/rules/", rules.project_rules, name="project_rules"),
    path("console/units/", console.units, name="units"),
    path("console/units/<int:pk>/", console.unit_detail, name="unit_detail"),
    path("console/residents/", console.residents, name="residents"),
    path("console/residents/<int:pk>/", console.resident_detail, name="resident_detail"),
    path("console/notifications/", console.notifications, name="notifications"),
    path("console/notifications/read-all/", console.notifications_read_all, name="notifications_read_all"),
    path("console/notifications/<int:pk>/read/", console.notification_read, name="notification_read"),
    path("console/notifications/<int:pk>/open/", console.notification_open, name="notification_open"),
    path("console/calendar/", calendar_admin.statutory_calendar, name="statutory_calendar"),
    path("console/staff/", staff.staff_list, name="staff"),
    path("console/staff/new/", staff.staff_new, name="staff_new"),
    path("console/staff/<int:pk>/", staff.staff_detail, name="staff_detail"),
    path("console/staff/<int:pk>/<slug:action>/", staff.staff_action, name="staff_action"),
    path("console/soon/<slug:key>/", console.coming_soon, name="console_soon"),
    # owner portal (H5)
    path("h5/", h5.home, name="h5_home"),
    path("h5/units/<int:pk>/", h5.unit, name="h5_unit"),
    path("h5/profile/", h5.profile, name="h5_profile"),
    path("h5/notifications/", h5.notifications, name="h5_notifications"),
    path("h5/notifications/read-all/", h5.notifications_read_all, name="h5_notifications_read_all"),
    path("h5/notifications/<int:pk>/read/", h5.notification_read, name="h5_notification_read"),
    path("h5/notifications/<int:pk>/open/", h5.notification_open, name="h5_notification_open"),
    path("h5/soon/<slug:key>/", h5.coming_soon, name="h5_soon"),
]
