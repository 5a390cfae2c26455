"""Console searches that may carry a phone number travel by POST, so the number never lands in a URL, the browser
history or the access log.

Why POST-then-redirect (303) to `?s=<key>` rather than rendering the results on the POST: the results page stays
a plain GET — its pager links, the htmx history (htmx follows the redirect and pushes the final URL) and a
reload all work unchanged — and only the typed text is kept server-side, in the session under a short key made
of letters (never digits of the number). The other filters (project, kind, page…) stay in the URL as before.
A `?s=` key from another session or an expired one just shows the list unsearched.
"""

from __future__ import annotations

import string

from django.http import HttpResponseRedirect, QueryDict
from django.utils.crypto import salted_hmac

SESSION_KEY = "wuye_searches"
PARAM = "s"
PRIVATE = ("q",)  # the fields that may hold a phone number
KEPT = 20  # searches remembered per session; the oldest is forgotten first
_LETTERS = string.ascii_lowercase


def _key(text: str) -> str:
    # The same text gives the same key (typing live does not fill the session); letters only, so no digit of the
    # number can appear in the URL, and without the secret key it cannot be guessed back.
    digest = salted_hmac("wuye.web.search", text).digest()
    return "".join(_LETTERS[byte % len(_LETTERS)] for byte in digest[:10])


def redirect_posted_search(request) -> HttpResponseRedirect:
    """The answer to a search form's POST: its private fields into the session, a 303 to the same page with the
    other fields and `s=<key>` in the query string."""
    params = QueryDict(mutable=True)
    stored = dict(request.session.get(SESSION_KEY, {}))
    for name, values in request.POST.lists():
        if name == "csrfmiddlewaretoken" or name == PARAM:
            continue
        if name in PRIVATE:
            text = " ".join(value.strip() for value in values if value.strip())
            if text:
                key = _key(f"{name}={text}")
                stored.pop(key, None)
                stored[key] = {name: text}
                params[PARAM] = key
            continue
        params.setlist(name, values)
    while len(stored) > KEPT:
        stored.pop(next(iter(stored)))
    request.session[SESSION_KEY] = stored
    query = params.urlencode()
    return HttpResponseRedirect(f"{request.path}?{query}" if query else request.path, status=303)


def search_data(request) -> QueryDict:
    """The list's filter values: the query string, plus the search text kept under its `s` key."""
    data = request.GET.copy()
    key = data.pop(PARAM, [""])[-1]
    if key:
        data.update(request.session.get(SESSION_KEY, {}).get(key, {}))
    return data
