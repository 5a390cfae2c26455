app_name = "moveins"
urlpatterns = []
