"""Access logs print request lines; a phone number in the query string (`?q=13812345678`) is masked there as in
every other log line — runserver's `django.server` log and gunicorn's access log alike."""

import io
import logging
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
LINE = "GET /console/tickets/?q=13812345678&id=110105199001011234 HTTP/1.1"


def test_runserver_access_log_masks_phone_numbers_in_the_request_line():
    logger = logging.getLogger("django.server")
    handler = next(handler for handler in logger.handlers if isinstance(handler, logging.StreamHandler))
    captured = io.StringIO()
    previous = handler.setStream(captured)
    try:
        # What django.core.servers.basehttp.WSGIRequestHandler.log_message sends.
        logger.info('"%s" %s %s', LINE, "200", "5120", extra={"status_code": 200, "server_time": "20/Nov/2026"})
    finally:
        handler.setStream(previous)
    printed = captured.getvalue()
    assert "?q=138****5678" in printed and "110105********1234" in printed
    assert "13812345678" not in printed and "110105199001011234" not in printed


def _free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_gunicorn_access_log_masks_phone_numbers_in_the_request_line(tmp_path):
    port, access_log = _free_port(), tmp_path / "access.log"
    env = {"PATH": os.environ["PATH"], "HOME": str(tmp_path), "PYTHONPATH": str(ROOT), "WUYE_VAR_DIR": str(tmp_path),
           "DEBUG": "0", "SECRET_KEY": secrets.token_urlsafe(50), "ALLOWED_HOSTS": "127.0.0.1"}
    # Started from the repository root as in production: gunicorn.conf.py there installs the masking logger.
    server = subprocess.Popen([sys.executable, "-m", "gunicorn", "wuye.wsgi:application", "--bind",
                               f"127.0.0.1:{port}", "--workers", "1", "--access-logfile", str(access_log)],
                              cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                              start_new_session=True)
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz?q=13812345678", timeout=2) as answer:
                    assert answer.status == 200
                break
            except OSError:
                assert server.poll() is None, server.stderr.read().decode()
                assert time.monotonic() < deadline, "gunicorn did not answer"
                time.sleep(0.2)
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=15)
    printed = access_log.read_text()
    assert "GET /healthz?q=138****5678 HTTP/1.1" in printed and "13812345678" not in printed
