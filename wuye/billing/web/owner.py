"""The owner portal's bills, payments and receipts (issue 4)."""

from django.shortcuts import redirect
from django.urls import path

from wuye.web.guards import owner_view


@owner_view
def h5_bills(request):
    return redirect("web:h5_home")  # placeholder until the owner's bills page lands


urlpatterns = [path("h5/bills/", h5_bills, name="h5_bills")]
