"""The security home (the nav's entry): what is due today, what was missed, links to every security page. Filled by its
stream; this skeleton renders the page so the navigation works from the start."""

from __future__ import annotations

from django.shortcuts import render
from django.urls import path

from wuye.web.guards import staff_view


@staff_view(reads="security.visitors")
def home(request):
    return render(request, "security/home.html", {})


urlpatterns = [
    path("console/security/", home, name="home"),
]
