"""Language choice: Simplified Chinese unless the person chose English with the switch.

Django's LocaleMiddleware follows the browser's Accept-Language, so an English-configured browser would get English
pages although the product is Chinese-first (§1). Pages here use the switch's cookie, else zh-hans; the JSON API
still honours Accept-Language, which integrations set deliberately.
"""

from django.conf import settings
from django.middleware.locale import LocaleMiddleware
from django.utils import translation


class ChineseFirstLocaleMiddleware(LocaleMiddleware):
    def process_request(self, request):
        if request.path_info.startswith("/api/"):
            language = translation.get_language_from_request(request)
        else:
            chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
            supported = {code for code, _ in settings.LANGUAGES}
            language = chosen if chosen in supported else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()
