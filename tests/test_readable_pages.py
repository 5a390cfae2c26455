"""Every page a person can reach reads as Chinese prose: a crawl of every console and portal link, as every demo
role, over the demo as `make run` builds it (tickets played through the real services, then months of fees).

A page fails when its visible text shows an internal code (`billing.`, `paid-service`, a MIME type), an ISO
timestamp, a select's `---------`, or a demo login where a person's name belongs — and when a link the page offers
answers with a server error or refuses the person it was shown to.
"""

from __future__ import annotations

import re
from collections import Counter, deque
from html.parser import HTMLParser
from urllib.parse import urldefrag, urlsplit

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from conftest import SMALL_WORLD
from wuye.demo.builders import LOGINS, build_demo_company

pytestmark = pytest.mark.django_db

ROLES = [username for username, _what in LOGINS]
LOGIN_NAMES = sorted(ROLES, key=len, reverse=True)
PAGES_PER_ROLE = 160
VARIANTS_PER_PATTERN = 2  # /console/tickets/17/ and /console/tickets/18/ are one page to read twice, not eighty
SKIP = ("/logout", "/accounts/logout", "/static/", "/media/", "/api/", "/i18n/", "/admin/")

# Pages whose subject is the sign-in account itself: there the login is what the person looks for.
LOGIN_PAGES = ("/console/staff/", "/h5/profile/")
# Master-data pages define and edit the charge items' import codes (property-fee, paid-service): there a code is
# the record's own field, as an item number is on a price list. Everywhere else it must read as the item's name.
CODE_PAGES = ("/console/billing/master/",)
# Inputs whose value the browser shows in the person's own format (a date picker holds 2026-12-02T10:14).
MACHINE_INPUTS = ("date", "datetime-local", "time", "month", "number")

ISO_TIME = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}")
CODES = re.compile(r"billing\.|workorders\.|ticket\.[a-z_]+|sla\.[a-z_]+|paid-service|image/(png|jpeg|webp)|-{9}")


class _Page(HTMLParser):
    """The visible text of a page (scripts and styles left out), its links, and its select options."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.text: list[str] = []
        self.links: list[str] = []
        self._hidden = 0

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag in ("script", "style", "template"):
            self._hidden += 1
        if tag == "a" and attrs.get("href"):
            self.links.append(attrs["href"])
        # What a form shows pre-filled is text the person reads too.
        if tag in ("input", "textarea") and attrs.get("value") and attrs.get("type") not in (
                "hidden", "password", *MACHINE_INPUTS):
            self.text.append(attrs["value"])
        if attrs.get("placeholder"):
            self.text.append(attrs["placeholder"])

    def handle_endtag(self, tag):
        if tag in ("script", "style", "template") and self._hidden:
            self._hidden -= 1

    def handle_data(self, data):
        if not self._hidden and data.strip():
            self.text.append(data.strip())


def _pattern(path: str) -> str:
    return re.sub(r"\d+", "N", path)


def _problems(path: str, body: str) -> tuple[list[str], list[str]]:
    page = _Page()
    page.feed(body)
    text = "\n".join(page.text)
    found = [match.group(0) for match in CODES.finditer(text)
             if not (path.startswith(CODE_PAGES) and re.fullmatch(r"[a-z]+(-[a-z]+)+", match.group(0)))]
    found += [match.group(0) for match in ISO_TIME.finditer(text)]
    for login in () if path.startswith(LOGIN_PAGES) else LOGIN_NAMES:
        if re.search(rf"(?<![A-Za-z0-9_.@-]){re.escape(login)}(?![A-Za-z0-9_@-])", text):
            found.append(f"login {login}")
    return found, page.links


def _crawl(client: Client, start: str) -> tuple[dict[str, list[str]], dict[str, int], int]:
    """Pages with readable-text problems, links that answered badly, and how many pages were read."""
    seen, queue, read = {start}, deque([start]), 0
    variants: Counter[str] = Counter()
    problems: dict[str, list[str]] = {}
    broken: dict[str, int] = {}
    while queue and read < PAGES_PER_ROLE:
        path = queue.popleft()
        response = client.get(path)
        read += 1
        if response.status_code in (301, 302):
            continue
        if response.status_code != 200:
            broken[path] = response.status_code
            continue
        if not response.get("Content-Type", "").startswith("text/html"):
            continue  # a download: its name and contents are checked where it is made
        found, links = _problems(path, response.content.decode())
        if found:
            problems[path] = sorted(set(found))[:8]
        for href in links:
            href = urldefrag(href)[0]
            parts = urlsplit(href)
            if parts.scheme or parts.netloc or not parts.path.startswith(("/console", "/h5")):
                continue
            if any(parts.path.startswith(prefix) for prefix in SKIP) or href in seen:
                continue
            pattern = _pattern(parts.path) + ("?" if parts.query else "")
            if variants[pattern] >= VARIANTS_PER_PATTERN:
                continue
            variants[pattern] += 1
            seen.add(href)
            queue.append(href)
    return problems, broken, read


@pytest.fixture
def seeded_demo(settings):
    from wuye.sla.standards import install_standards

    install_standards()
    return build_demo_company(plans=SMALL_WORLD, tickets=80, billing=True)


def test_every_page_of_every_role_reads_as_prose(seeded_demo):
    report = []
    for username in ROLES:
        client = Client()
        client.force_login(get_user_model().objects.get(username=username))
        start = "/h5/" if username.startswith("yezhu") else "/console/"
        problems, broken, read = _crawl(client, start)
        assert read > 3, f"{username} reached only {read} pages"
        report += [f"{username} {path}: {found}" for path, found in problems.items()]
        report += [f"{username} {path}: answered {status}" for path, status in broken.items()]
    assert not report, "\n".join(report)
