"""Web pages of billing: the console (/console/billing/…) and the owner portal (/h5/bills/…), one module per topic.
Each module has its own `urlpatterns`; `wuye.billing.urls` joins them."""
