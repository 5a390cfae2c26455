"""Web pages of work orders: the console (/console/tickets/…, /console/complaints/…) and the owner portal
(/h5/tickets/…), one module per feature. Each module has its own `urlpatterns`; `wuye.workorders.urls` joins them.
Pages are thin: parse a form, call one service function, render. Every record is read through `scoped()`;
refusals of the services (DomainError) come back as form errors or a message."""
