"""Bills and unit accounts in the console (issue 4)."""

from django.shortcuts import redirect
from django.urls import path

from wuye.web.guards import staff_view


@staff_view("billing.view")
def accounts(request):
    return redirect("web:console_soon", "billing")  # placeholder until the accounts page lands


urlpatterns = [path("console/billing/", accounts, name="accounts")]
