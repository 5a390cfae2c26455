"""Browser journeys (issue 17): Playwright for Python driving Debian's chromium (/usr/bin/chromium, never a
downloaded browser) against pytest-django's live server on the small demo world. A failed journey leaves a
screenshot and the page's HTML under var/e2e/."""

import os
import re
from pathlib import Path

import pytest

CHROMIUM = os.environ.get("WUYE_E2E_CHROMIUM", "/usr/bin/chromium")
# The machine's network is closed: without these, chromium keeps trying to reach Google's hosts.
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
# Playwright's sync API keeps an event loop running in the test's thread; Django would then refuse the test's own
# database calls as if they came from async code. They do not: the test thread is plain synchronous code.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
ARTIFACTS = Path(__file__).resolve().parent.parent / "var" / "e2e"
PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True, "device_scale_factor": 2}
DESKTOP = {"viewport": {"width": 1366, "height": 900}}


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    if report.when == "call" and report.failed:
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        slug = re.sub(r"[^\w.-]+", "_", item.nodeid.split("::")[-1])
        for name, page in getattr(item, "pages", {}).items():
            try:
                page.screenshot(path=str(ARTIFACTS / f"{slug}-{name}.png"), full_page=True)
                (ARTIFACTS / f"{slug}-{name}.html").write_text(page.content(), encoding="utf-8")
            except Exception:  # a closed page: nothing to keep
                pass


@pytest.fixture(scope="session")
def chromium():
    if not Path(CHROMIUM).exists():
        pytest.skip(f"no chromium at {CHROMIUM} (make e2e installs Debian's package)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def person(chromium, live_server, world, request, settings):
    """`person("yezhu", phone=True)` → a signed-in page in its own browser context (an owner on a phone, staff at a
    desk). Each page is kept for the failure screenshot."""
    settings.LANGUAGE_CODE = "zh-hans"
    request.node.pages = {}
    contexts = []

    def sign_in(username, phone=False):
        context = chromium.new_context(base_url=live_server.url, locale="zh-CN", **(PHONE if phone else DESKTOP))
        context.set_default_timeout(15_000)
        contexts.append(context)
        page = context.new_page()
        request.node.pages[username] = page
        page.goto("/login/")
        page.fill("input[name=username]", username)
        page.fill("input[name=password]", "wuye-demo")
        page.click("form[action=\"/login/\"] button[type=submit]")
        page.wait_for_load_state()
        assert "/login/" not in page.url, f"{username} could not sign in"
        return page

    yield sign_in
    for context in contexts:
        context.close()
