"""System checks for settings that would be unsafe in production, and the start-up guard that applies the same
rules when a serving process starts (the web server, the scheduler, Celery)."""

from django.conf import settings
from django.core.checks import Error, register
from django.core.checks import Warning as CheckWarning
from django.core.exceptions import ImproperlyConfigured

# Keys that look like placeholders from some source (ours or Django's project template).
_PLACEHOLDER_PREFIXES = ("wuye-insecure", "django-insecure")


def _setting(name: str) -> str:
    try:
        return str(getattr(settings, name, "") or "")
    except ImproperlyConfigured:  # Django refuses to even read an empty SECRET_KEY
        return ""


def _unusable(value: str) -> bool:
    value = value.strip()
    return (not value or value in settings.KNOWN_DEFAULT_SECRETS
            or value.startswith(_PLACEHOLDER_PREFIXES))


def secret_problems() -> list[str]:
    """The settings that would let an outsider forge sessions, tokens or payment confirmations: SECRET_KEY empty or
    a default from the source; with the simulated payment channel on, PAYMENT_CALLBACK_SECRET likewise."""
    problems = []
    if _unusable(_setting("SECRET_KEY")):
        problems.append("SECRET_KEY")
    if settings.WUYE_SIMULATED_PAYMENTS and _unusable(_setting("PAYMENT_CALLBACK_SECRET")):
        problems.append("PAYMENT_CALLBACK_SECRET")
    return problems


def require_production_secrets(process: str) -> None:
    """Refuse to start `process` outside DEBUG while a secret is missing or a known default (ImproperlyConfigured
    naming the setting). Called by wuye.wsgi, the scheduler command and wuye.celery; DEBUG runs pass."""
    if settings.DEBUG:
        return
    problems = secret_problems()
    if problems:
        raise ImproperlyConfigured(
            f"{process} refuses to start with DEBUG off: {' and '.join(problems)} "
            f"{'is' if len(problems) == 1 else 'are'} missing, empty or a default published in the source. "
            f"Set {' and '.join(problems)} in the environment to a long random string "
            f"(python -c 'import secrets; print(secrets.token_urlsafe(50))').")


@register(deploy=True)
def development_secret_key(app_configs, **kwargs):
    """`manage.py check --deploy` refuses an empty key and every default key, also when set explicitly."""
    if "SECRET_KEY" in secret_problems():
        return [
            Error(
                "SECRET_KEY is missing, empty or a default published in the source.",
                hint="Set SECRET_KEY in the environment (a long random string).",
                id="wuye.E001",
            )
        ]
    return []


@register(deploy=True)
def development_payment_secret(app_configs, **kwargs):
    """With the simulated payment channel on, its callback key must be the site's own: with a key from the source
    anyone could sign "paid" for their own bills. And the channel itself has no place in production: its gateway's
    "pay" button confirms payments with no money moving."""
    problems = []
    if "PAYMENT_CALLBACK_SECRET" in secret_problems():
        problems.append(Error(
            "PAYMENT_CALLBACK_SECRET is missing, empty or a default published in the source, while "
            "WUYE_SIMULATED_PAYMENTS is on.",
            hint="Turn WUYE_SIMULATED_PAYMENTS off (production), or set PAYMENT_CALLBACK_SECRET to a long random "
                 "string.",
            id="wuye.E002",
        ))
    if settings.WUYE_SIMULATED_PAYMENTS:
        problems.append(CheckWarning(
            "WUYE_SIMULATED_PAYMENTS is on: the simulated gateway confirms payments with no money moving.",
            hint="Only for demonstrations and tests; unset it in production.",
            id="wuye.W020",
        ))
    return problems


@register(deploy=True)
def sms_reaches_phones(app_configs, **kwargs):
    """Urgent messages (an elevator entrapment's late contractor) go out by SMS; the logging stand-in only writes
    them to the log. Outside DEBUG that is a channel that pretends."""
    if settings.DEBUG or settings.WUYE_CHANNEL_ADAPTERS.get("sms") != settings.LOGGING_SMS_ADAPTER:
        return []
    return [CheckWarning(
        "SMS messages are only written to the log (the logging stand-in adapter): urgent alerts reach no phone.",
        hint="Set WUYE_SMS_ADAPTER=wuye.core.outbox.WebhookSmsAdapter with WUYE_SMS_WEBHOOK_URL and "
             "WUYE_SMS_WEBHOOK_TOKEN (the company's SMS gateway), or an adapter of your own.",
        id="wuye.W022",
    )]


def statutory_calendar_confirmed(app_configs, databases=None, **kwargs):
    """From 1 November, next year's holiday schedule should be imported (and this year's always, unless
    chinesecalendar carries it): until then deadlines rest on python-holidays' guess. Tagged `database`, so it runs
    on `migrate` and `check --database default`, not in `make lint` on a fresh database."""
    from django.db import DatabaseError

    from wuye.core.calendar import unconfirmed_years

    if not databases:
        return []
    try:
        years = unconfirmed_years()
    except DatabaseError:  # not migrated yet
        return []
    return [CheckWarning(
        f"The State Council's holiday schedule for {year} is not confirmed; working-day deadlines in {year} use "
        f"python-holidays' computed festivals and no adjusted working days.",
        hint=f"Import it: manage.py import_holidays {year} --off … --work …, or the console's holiday schedule "
             f"page (/console/calendar/).",
        id="wuye.W030",
    ) for year in years]


register(statutory_calendar_confirmed, "database")  # django.core.checks.Tags.database
