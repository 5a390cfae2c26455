"""Facilities console pages: the facilities home (设备, the nav's entry)."""

from django.shortcuts import render
from django.urls import path

from wuye.web.guards import staff_view


@staff_view(reads="facilities.equipment")
def home(request):
    """The facilities home: links to every facilities page (filled by the home stream)."""
    return render(request, "facilities/home.html", {})


urlpatterns = [
    path("console/facilities/", home, name="home"),
]
