app_name = "takeovers"
urlpatterns = []
