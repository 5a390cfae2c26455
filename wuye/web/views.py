from django.contrib.auth import views as auth_views
from django.http import HttpResponse


def home(request):
    return HttpResponse("Wuye")


class LoginView(auth_views.LoginView):
    template_name = "web/login.html"


class LogoutView(auth_views.LogoutView):
    pass
