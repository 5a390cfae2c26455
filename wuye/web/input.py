"""One guard for what pages receive: a NUL character in a query string or a form field is refused with 400.

No person types NUL; PostgreSQL refuses to store or even compare text holding one, so a `?q=%00` reaching a
queryset was a 500. Django's form fields refuse it already, but pages also read `request.GET` directly (filters,
page links): this middleware covers every console and portal page at once. The JSON API answers such input with
a 422 naming the field (`core.api.check_inputs`), so it is left to that.
"""

from __future__ import annotations

from django.core.exceptions import BadRequest


def _holds_nul(query_dict) -> bool:
    return any("\x00" in key or any("\x00" in value for value in values) for key, values in query_dict.lists())


class RefuseNulMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not request.path_info.startswith("/api/"):
            post = request.POST if request.method == "POST" else None
            if _holds_nul(request.GET) or (post is not None and _holds_nul(post)):
                raise BadRequest("NUL character in the request")
        return self.get_response(request)
