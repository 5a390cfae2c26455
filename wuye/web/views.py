"""The front door: sign in, sign out, and `home`, which sends each person to their face."""

from django.contrib.auth import views as auth_views
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect


def home(request):
    if not request.user.is_authenticated:
        return redirect("web:login")
    if request.actor.is_owner:
        return redirect("web:h5_home")
    if request.actor.is_staff_member:
        return redirect("web:console")
    raise PermissionDenied  # a login with neither a staff profile nor an owner record


class LoginView(auth_views.LoginView):
    template_name = "web/login.html"
    redirect_authenticated_user = True


class LogoutView(auth_views.LogoutView):
    """Sign out (POST only, as Django requires)."""
