"""The product's URLs plus `GET /bench/bare.json`: the floor every API figure is compared against.

The bare view runs through the same middleware stack as the API (sessions, locale, CSRF, auth, actor, …) but does
no database work and no serialisation beyond a two-key dict, so it measures what Django + gunicorn cost by itself.
"""

from django.http import JsonResponse
from django.urls import path

from bench.floor import floor_ticket
from wuye.urls import urlpatterns as product_urlpatterns


def bare_json(request):
    return JsonResponse({"ok": True})


urlpatterns = [path("bench/bare.json", bare_json, name="bench-bare"),
               path("bench/floor/tickets", floor_ticket, name="bench-floor"), *product_urlpatterns]
