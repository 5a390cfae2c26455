"""The front door: sign in, sign out, and `home`, which sends each person to their face."""

from pathlib import Path

from django.contrib.auth import views as auth_views
from django.core.exceptions import PermissionDenied
from django.http import FileResponse
from django.shortcuts import redirect
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_safe

from wuye.core import throttle

FAVICON = Path(__file__).resolve().parent.parent / "static" / "web" / "favicon.ico"


@require_safe
@cache_control(public=True, max_age=86400)
def favicon(request):
    """/favicon.ico, which browsers and WeChat ask for whatever the page's <link rel="icon"> says."""
    return FileResponse(FAVICON.open("rb"), content_type="image/x-icon")


def home(request):
    if not request.user.is_authenticated:
        return redirect("web:login")
    if request.actor.is_owner:
        return redirect("web:h5_home")
    if request.actor.is_staff_member:
        return redirect("web:console")
    raise PermissionDenied  # a login with neither a staff profile nor an owner record


class LoginView(auth_views.LoginView):
    """Sign in; throttled per account and per address (wuye.core.throttle): while locked, 429 with how long."""

    template_name = "web/login.html"
    redirect_authenticated_user = True

    def post(self, request, *args, **kwargs):
        wait = throttle.retry_after(request, request.POST.get("username", ""))
        return self.locked(wait) if wait else super().post(request, *args, **kwargs)

    def form_valid(self, form):
        throttle.note_success(self.request, form.get_user().get_username())
        return super().form_valid(form)

    def form_invalid(self, form):
        wait = throttle.retry_after(self.request, form.data.get("username", ""))  # this failure may be the last
        return self.locked(wait) if wait else super().form_invalid(form)

    def locked(self, wait: int):
        form = self.get_form_class()(self.request, initial={"username": self.request.POST.get("username", "")})
        response = self.render_to_response(
            self.get_context_data(form=form, locked=throttle.locked_message(wait)), status=429)
        response["Retry-After"] = str(wait)
        return response


class LogoutView(auth_views.LogoutView):
    """Sign out (POST only, as Django requires)."""
