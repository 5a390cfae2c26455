"""payments pages of the console / owner portal (issue 4)."""

urlpatterns = []
