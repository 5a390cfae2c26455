"""The community home (the nav's entry): one card per community process the person may open, with what awaits
action there; the figures first, as tiles opening exactly the rows they count."""

from django.shortcuts import render
from django.urls import path
from django.utils import timezone

from wuye.web.guards import staff_view

from ..home import sections_for


@staff_view("community.view")
def home(request):
    sections = sections_for(request.actor)
    return render(request, "community/home.html", {
        "sections": sections, "figures": [section for section in sections if section["figure"]],
        "today": timezone.localdate()})


urlpatterns = [path("console/community/", home, name="home")]
