app_name = "emergencies"
urlpatterns = []
