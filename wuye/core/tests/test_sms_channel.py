"""SMS reaches phones in production: the webhook adapter posts each SMS to the company's gateway, and `check
--deploy` warns while SMS only goes to the log (the stand-in)."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest
from django.core.checks import run_checks

from wuye.core.models import Notification
from wuye.core.outbox import DeliveryError, WebhookSmsAdapter

WEBHOOK = "wuye.core.outbox.WebhookSmsAdapter"


@pytest.fixture
def gateway():
    """A local SMS gateway that records what it is sent and answers `status` (200 unless a test changes it)."""
    received, state = [], {"status": 200}

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            body = self.rfile.read(int(self.headers["Content-Length"]))
            received.append((self.headers["Authorization"], json.loads(body)))
            self.send_response(state["status"])
            self.end_headers()

        def log_message(self, *args):
            pass

    server = HTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}/sms", received, state
    server.shutdown()


def _message(user) -> Notification:
    return Notification(recipient=user, channel="sms", subject_line="1号楼电梯困人", body="维保单位30分钟未到场")


def test_the_webhook_posts_the_text_to_the_recipients_own_number(world, gateway, settings):
    url, received, _state = gateway
    settings.WUYE_SMS_WEBHOOK_URL, settings.WUYE_SMS_WEBHOOK_TOKEN = url, "gateway-token"
    user = world.user("gongcheng")
    user.staff_profile.phone = "13800138000"
    user.staff_profile.save(update_fields=["phone"])
    WebhookSmsAdapter().send(_message(user))
    assert received == [("Bearer gateway-token", {"to": "13800138000", "text": "1号楼电梯困人 维保单位30分钟未到场"})]


def test_a_refusal_or_no_number_is_retried_not_lost(world, gateway, settings):
    url, received, state = gateway
    settings.WUYE_SMS_WEBHOOK_URL = url
    user = world.user("gongcheng")
    user.staff_profile.phone = ""
    user.staff_profile.save(update_fields=["phone"])
    with pytest.raises(DeliveryError, match="no mobile number"):
        WebhookSmsAdapter().send(_message(user))
    user.staff_profile.phone = "13800138000"
    user.staff_profile.save(update_fields=["phone"])
    state["status"] = 503
    with pytest.raises(DeliveryError, match="could not be reached"):
        WebhookSmsAdapter().send(_message(user))
    assert len(received) == 1


def test_deploy_check_warns_while_sms_only_reaches_the_log(settings):
    settings.DEBUG = False
    assert "wuye.W022" in {check.id for check in run_checks(include_deployment_checks=True)}
    settings.WUYE_CHANNEL_ADAPTERS = {**settings.WUYE_CHANNEL_ADAPTERS, "sms": WEBHOOK}
    assert "wuye.W022" not in {check.id for check in run_checks(include_deployment_checks=True)}
