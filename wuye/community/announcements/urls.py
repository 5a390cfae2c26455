app_name = "announcements"
urlpatterns = []
