"""Template helpers of the web faces: inline icons, masking, links to event subjects."""

from __future__ import annotations

from django import template
from django.contrib.contenttypes.models import ContentType
from django.urls import NoReverseMatch, reverse
from django.utils.html import format_html

from wuye.core import pii
from wuye.web.labels import SUBJECT_URLS

register = template.Library()

# Simple line icons drawn for Wuye (24×24, stroked with the current colour).
ICONS = {
    "home": "M3 11l9-8 9 8M5 9.5V21h5v-6h4v6h5V9.5",
    "building": "M4 21V5a2 2 0 012-2h8a2 2 0 012 2v16M16 9h2a2 2 0 012 2v10M2 21h20M8 7h4M8 11h4M8 15h4",
    "layers": "M12 3l9 5-9 5-9-5zM3 13l9 5 9-5M3 17.5l9 5 9-5",
    "grid": "M4 4h7v7H4zM13 4h7v7h-7zM4 13h7v7H4zM13 13h7v7h-7z",
    "users": "M9 11a4 4 0 100-8 4 4 0 000 8zM2 21v-1a7 7 0 0114 0v1M16 3.5a4 4 0 010 7.5M22 21v-1a6 6 0 00-4-5.6",
    "user": "M12 12a4 4 0 100-8 4 4 0 000 8zM4 21a8 8 0 0116 0",
    "bell": "M6 9a6 6 0 1112 0c0 6 3 8 3 8H3s3-2 3-8M10 21a2 2 0 004 0",
    "wrench": "M15 3a5 5 0 00-4.6 7L3.5 16.9a1.8 1.8 0 002.6 2.6L13 12.6a5 5 0 007-4.6l-3 3-3-1-1-3z",
    "yen": "M6 3l6 8 6-8M12 11v10M7 12h10M7 16h10",
    "cog": "M12 15a3 3 0 100-6 3 3 0 000 6zM12 2v3M12 19v3M4.9 4.9L7 7M17 17l2.1 2.1M2 12h3M19 12h3"
           "M4.9 19.1L7 17M17 7l2.1-2.1",
    "check": "M12 22a10 10 0 100-20 10 10 0 000 20zM8 12l3 3 5-6",
    "chat": "M4 4h16v12H9l-5 4z",
    "logout": "M9 21H5a2 2 0 01-2-2V5a2 2 0 012-2h4M16 17l5-5-5-5M21 12H9",
    "globe": "M12 21a9 9 0 100-18 9 9 0 000 18zM3 12h18M12 3c3 3 3 15 0 18M12 3c-3 3-3 15 0 18",
    "phone": "M5 3h4l2 5-2.5 1.5a11 11 0 005 5L15 12l5 2v4a2 2 0 01-2 2A16 16 0 013 5a2 2 0 012-2",
    "car": "M3 17v-4l2-5a2 2 0 012-1h10a2 2 0 012 1l2 5v4zM3 13h18M6 17v2M18 17v2M7 15h1M16 15h1",
    "chevron": "M9 6l6 6-6 6",
    "clock": "M12 21a9 9 0 100-18 9 9 0 000 18zM12 7v5l3 2",
    "search": "M11 18a7 7 0 100-14 7 7 0 000 14zM21 21l-5-5",
    "download": "M12 4v11M7 10l5 5 5-5M5 20h14",
    "upload": "M12 20V9M7 14l5-5 5 5M5 4h14",
    "dot": "M12 15a3 3 0 100-6 3 3 0 000 6z",
    "shield": "M12 3l8 3v6c0 5-3.5 8-8 9-4.5-1-8-4-8-9V6z",
    "leaf": "M5 19c0-9 6-14 15-14 0 9-5 15-14 15M5 19l7-7",
}


@register.simple_tag
def icon(name: str, size: int = 18, css_class: str = "icon"):
    path = ICONS.get(name, ICONS["dot"])
    return format_html(
        '<svg class="{}" width="{}" height="{}" viewBox="0 0 24 24" fill="none" stroke="currentColor" '
        'stroke-width="1.8" stroke-linecap="round" stroke-linejoin="round" aria-hidden="true">'
        '<path d="{}"/></svg>',
        css_class, size, size, path,
    )


@register.filter
def mask_phone(value):
    return pii.mask_phone(value)


@register.filter
def mask_id_number(value):
    return pii.mask_id_number(value)


@register.filter
def subject_url(event) -> str:
    """The console page of an event's subject, or "" when it has none."""
    content_type = ContentType.objects.get_for_id(event.subject_type_id)  # cached: no query per row
    url_name = SUBJECT_URLS.get((content_type.app_label, content_type.model))
    if not url_name:
        return ""
    try:
        return reverse(url_name, args=[event.subject_id])
    except NoReverseMatch:
        return ""
