"""The environment home (the nav's entry): what is due today, what was missed, links to every environment page.
Filled by its stream; this skeleton renders the page so the navigation works from the start."""

from __future__ import annotations

from django.shortcuts import render
from django.urls import path

from wuye.web.guards import staff_view


@staff_view(reads="environment.cleaning")
def home(request):
    return render(request, "environment/home.html", {})


urlpatterns = [
    path("console/environment/", home, name="home"),
]
