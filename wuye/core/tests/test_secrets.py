"""Production refuses default secrets: the deploy checks error and the web server, the scheduler and Celery refuse
to start outside DEBUG with a message naming the setting; a proper production environment passes `check --deploy`
with no warning at all."""

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.checks import run_checks
from django.core.exceptions import ImproperlyConfigured

from wuye.core.checks import require_production_secrets

ROOT = Path(__file__).resolve().parents[3]
FORMER_KEY = "wuye-insecure-development-key-change-me"
FORMER_CALLBACK_SECRET = "wuye-simulated-gateway-development-secret"


def _deploy_ids():
    return {message.id for message in run_checks(include_deployment_checks=True)}


@pytest.mark.parametrize("key", [FORMER_KEY, "django-insecure-abc"])  # empty: see the start-up tests
def test_check_deploy_refuses_an_empty_or_default_secret_key_even_when_set_explicitly(settings, key):
    settings.SECRET_KEY = key
    assert "wuye.E001" in _deploy_ids()
    settings.SECRET_KEY = secrets.token_urlsafe(50)
    assert "wuye.E001" not in _deploy_ids()


def test_the_callback_secret_matters_only_with_the_simulated_channel_on(settings):
    settings.WUYE_SIMULATED_PAYMENTS = True
    for secret in ("", FORMER_CALLBACK_SECRET):
        settings.PAYMENT_CALLBACK_SECRET = secret
        assert {"wuye.E002", "wuye.W020"} <= _deploy_ids()
    settings.PAYMENT_CALLBACK_SECRET = secrets.token_urlsafe(32)
    ids = _deploy_ids()
    assert "wuye.E002" not in ids and "wuye.W020" in ids  # on at all: production is warned
    settings.WUYE_SIMULATED_PAYMENTS = False
    settings.PAYMENT_CALLBACK_SECRET = FORMER_CALLBACK_SECRET  # a secret alone turns nothing on
    assert not {"wuye.E002", "wuye.W020"} & _deploy_ids()


def test_the_start_up_guard_names_the_setting_outside_debug_only(settings):
    settings.DEBUG = False
    settings.SECRET_KEY = FORMER_KEY
    with pytest.raises(ImproperlyConfigured, match="SECRET_KEY"):
        require_production_secrets("The web server")
    settings.SECRET_KEY = secrets.token_urlsafe(50)
    settings.WUYE_SIMULATED_PAYMENTS, settings.PAYMENT_CALLBACK_SECRET = True, FORMER_CALLBACK_SECRET
    with pytest.raises(ImproperlyConfigured, match="PAYMENT_CALLBACK_SECRET"):
        require_production_secrets("The web server")
    settings.PAYMENT_CALLBACK_SECRET = secrets.token_urlsafe(32)
    require_production_secrets("The web server")
    settings.DEBUG, settings.SECRET_KEY = True, FORMER_KEY
    require_production_secrets("The web server")  # `make run`


def _environment(tmp_path, **variables):
    return {"PATH": os.environ["PATH"], "HOME": os.environ.get("HOME", str(tmp_path)), "PYTHONPATH": str(ROOT),
            "WUYE_VAR_DIR": str(tmp_path), "DJANGO_SETTINGS_MODULE": "wuye.settings", **variables}


START = {
    "web server": [sys.executable, "-c", "import wuye.wsgi"],
    "scheduler": [sys.executable, "manage.py", "scheduler", "--once"],
    "celery": [sys.executable, "-c", "import wuye.celery"],
}


@pytest.mark.parametrize("process", sorted(START))
def test_a_production_start_with_a_default_secret_fails_naming_the_setting(tmp_path, process):
    for variables, setting in (({}, "SECRET_KEY"), ({"SECRET_KEY": FORMER_KEY}, "SECRET_KEY"),
                               ({"SECRET_KEY": secrets.token_urlsafe(50), "WUYE_SIMULATED_PAYMENTS": "1",
                                 "PAYMENT_CALLBACK_SECRET": FORMER_CALLBACK_SECRET}, "PAYMENT_CALLBACK_SECRET")):
        result = subprocess.run(START[process], cwd=ROOT, env=_environment(tmp_path, DEBUG="0", **variables),
                                capture_output=True, text=True, timeout=60)
        assert result.returncode != 0, (process, variables)
        assert "ImproperlyConfigured" in result.stderr and f"{setting} is missing" in result.stderr, result.stderr


def test_the_web_server_starts_with_its_own_key(tmp_path):
    result = subprocess.run(START["web server"], cwd=ROOT, capture_output=True, text=True, timeout=60,
                            env=_environment(tmp_path, DEBUG="0", SECRET_KEY=secrets.token_urlsafe(50)))
    assert result.returncode == 0, result.stderr


def test_a_proper_production_environment_passes_check_deploy_without_warnings(tmp_path):
    production = {
        "DEBUG": "0", "SECRET_KEY": secrets.token_urlsafe(50), "ALLOWED_HOSTS": "wuye.example.com",
        "SESSION_COOKIE_SECURE": "1", "CSRF_COOKIE_SECURE": "1", "SECURE_SSL_REDIRECT": "1",
        "SECURE_HSTS_SECONDS": "31536000", "SECURE_HSTS_INCLUDE_SUBDOMAINS": "1", "SECURE_HSTS_PRELOAD": "1",
        "WUYE_BEHIND_PROXY": "1", "WUYE_SMS_ADAPTER": "wuye.core.outbox.WebhookSmsAdapter",
        "WUYE_SMS_WEBHOOK_URL": "https://sms.example.com/send", "WUYE_SMS_WEBHOOK_TOKEN": secrets.token_urlsafe(20),
    }
    result = subprocess.run([sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"], cwd=ROOT,
                            env=_environment(tmp_path, **production), capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr + result.stdout
    assert "no issues" in result.stdout


def test_production_security_settings_come_from_the_environment(tmp_path):
    code = ("from django.conf import settings as s; print(s.SECURE_HSTS_SECONDS, s.SECURE_HSTS_INCLUDE_SUBDOMAINS, "
            "s.SECURE_HSTS_PRELOAD, s.SECURE_SSL_REDIRECT, s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, "
            "s.SECURE_PROXY_SSL_HEADER)")
    variables = {"SECURE_HSTS_SECONDS": "600", "SECURE_HSTS_INCLUDE_SUBDOMAINS": "1", "SECURE_HSTS_PRELOAD": "yes",
                 "SECURE_SSL_REDIRECT": "true", "SESSION_COOKIE_SECURE": "1", "CSRF_COOKIE_SECURE": "on",
                 "WUYE_BEHIND_PROXY": "1"}
    on = subprocess.run([sys.executable, "-c", "import django; django.setup(); " + code], cwd=ROOT,
                        env=_environment(tmp_path, **variables), capture_output=True, text=True, timeout=60)
    assert on.stdout.split() == ["600", "True", "True", "True", "True", "True", "('HTTP_X_FORWARDED_PROTO',",
                                 "'https')"], on.stderr
    off = subprocess.run([sys.executable, "-c", "import django; django.setup(); " + code], cwd=ROOT,
                         env=_environment(tmp_path), capture_output=True, text=True, timeout=60)
    assert off.stdout.split() == ["0", "False", "False", "False", "False", "False", "None"], off.stderr
