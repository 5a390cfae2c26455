"""The community home (the nav's entry): one card per community process the person may open, with what awaits
action there."""

from django.shortcuts import render
from django.urls import path

from wuye.web.guards import staff_view

from ..home import sections_for


@staff_view("community.view")
def home(request):
    return render(request, "community/home.html", {"sections": sections_for(request.actor)})


urlpatterns = [path("console/community/", home, name="home")]
