app_name = "decorations"
urlpatterns = []
