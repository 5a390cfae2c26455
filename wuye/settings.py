"""Django settings for Wuye, read from the environment with safe local defaults.

Nothing set → SQLite file under var/, DEBUG off, mail to the console, the embedded scheduler.
"""

import os
from pathlib import Path

import dj_database_url
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("WUYE_VAR_DIR", BASE_DIR / "var"))


def envbool(name: str, default: str = "0") -> bool:
    return os.environ.get(name, default).strip().lower() in {"1", "true", "yes", "on"}


def envint(name: str, default: int) -> int:
    return int(os.environ.get(name, default))


def envlist(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = envbool("DEBUG")
# Keys that were ever defaults in this source: known to anyone who read it, so never accepted outside DEBUG (the
# deploy checks and the start-up guard in wuye.core.checks refuse them, also when set explicitly).
KNOWN_DEFAULT_SECRETS = frozenset({
    "wuye-insecure-development-key-change-me",
    "wuye-simulated-gateway-development-secret",
})
# Only DEBUG falls back to the development key. Outside DEBUG an unset key stays empty: Django refuses to sign
# anything with it, and the web server, the scheduler and Celery refuse to start (wuye.core.checks).
SECRET_KEY = os.environ.get("SECRET_KEY", "").strip() or ("wuye-insecure-development-key-change-me" if DEBUG else "")
ALLOWED_HOSTS = envlist("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver")
CSRF_TRUSTED_ORIGINS = envlist("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "ninja",  # serves Swagger UI from its own static files (no CDN: machines have no internet)
    # ground
    "wuye.core",
    # places
    "wuye.tenancy",
    "wuye.people",
    # engines
    "wuye.sla",
    "wuye.billing",
    # processes
    "wuye.workorders",
    "wuye.onboarding",
    "wuye.collection",
    "wuye.quality",
    "wuye.facilities",
    "wuye.security",
    "wuye.environment",
    "wuye.community",
    "wuye.community.moveins",
    "wuye.community.takeovers",
    "wuye.community.decorations",
    "wuye.community.announcements",
    "wuye.community.emergencies",
    "wuye.community.catalogue",
    "wuye.community.bookings",
    "wuye.community.activities",
    # faces
    "wuye.web",
    # tooling
    "wuye.demo",
    "wuye.ops",  # backup and restore
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "wuye.web.locale.ChineseFirstLocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "wuye.web.input.RefuseNulMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "wuye.people.middleware.ActorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "wuye.urls"
# Forms render with named prompts in their selects, never Django's "---------" (wuye.web.forms).
FORM_RENDERER = "wuye.web.forms.FormRenderer"
WSGI_APPLICATION = "wuye.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "wuye" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "wuye.web.context.navigation",
            ],
        },
    },
]

VAR_DIR.mkdir(parents=True, exist_ok=True)
(VAR_DIR / "static").mkdir(exist_ok=True)  # whitenoise warns about a missing STATIC_ROOT before collectstatic
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL") or f"sqlite:///{VAR_DIR / 'wuye.sqlite3'}",
        conn_max_age=envint("DB_CONN_MAX_AGE", 60),
        # A kept connection is checked before each request reuses it: after a database restart the first request
        # gets a fresh connection instead of an error.
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the scheduler process write while the web process reads.
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 20,
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
    # The KPI index on sla.Clock covers `state` on PostgreSQL (an index-only count); SQLite builds it without the
    # covered column, which is all the embedded database needs — not a problem to print on every `make run`.
    SILENCED_SYSTEM_CHECKS = ["models.W040"]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
LOGIN_URL = "web:login"
LOGIN_REDIRECT_URL = "web:home"
LOGOUT_REDIRECT_URL = "web:login"
SESSION_COOKIE_HTTPONLY = True

# HTTPS in production (all off by default: `make run` and the bench serve plain HTTP on 127.0.0.1).
SESSION_COOKIE_SECURE = envbool("SESSION_COOKIE_SECURE")
CSRF_COOKIE_SECURE = envbool("CSRF_COOKIE_SECURE")
SECURE_SSL_REDIRECT = envbool("SECURE_SSL_REDIRECT")
SECURE_HSTS_SECONDS = envint("SECURE_HSTS_SECONDS", 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = envbool("SECURE_HSTS_INCLUDE_SUBDOMAINS")
SECURE_HSTS_PRELOAD = envbool("SECURE_HSTS_PRELOAD")
# Behind a TLS-terminating proxy that sets X-Forwarded-Proto (and appends the client to X-Forwarded-For): trust
# those headers. Opt-in, because without such a proxy any client could claim HTTPS or another address.
WUYE_BEHIND_PROXY = envbool("WUYE_BEHIND_PROXY")
if WUYE_BEHIND_PROXY:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# Sign-in throttling (wuye.core.throttle): failed sign-ins per account and per client address within the window;
# beyond either limit the console login and POST /api/v1/auth/token answer 429 until the window ends.
WUYE_LOGIN_FAILURES_PER_ACCOUNT = envint("WUYE_LOGIN_FAILURES_PER_ACCOUNT", 5)
WUYE_LOGIN_FAILURES_PER_ADDRESS = envint("WUYE_LOGIN_FAILURES_PER_ADDRESS", 20)
WUYE_LOGIN_WINDOW_MINUTES = envint("WUYE_LOGIN_WINDOW_MINUTES", 15)
# The throttle counts in the cache. The default is per process (LocMem): each gunicorn worker counts on its own,
# so the effective limit is N × workers. CACHE_URL=redis://host:6379/1 shares one count between all processes.
_cache_url = os.environ.get("CACHE_URL", "").strip()
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": _cache_url}
    if _cache_url.startswith(("redis://", "rediss://")) else
    {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "wuye"}
}
# Django's ModelBackend, refusing every sign-in while the account or the address is locked.
AUTHENTICATION_BACKENDS = ["wuye.core.throttle.ThrottledModelBackend"]

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("Simplified Chinese")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "wuye" / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
STATICFILES_DIRS = [BASE_DIR / "wuye" / "static"]
MEDIA_URL = "media/"
MEDIA_ROOT = VAR_DIR / "media"

# A 1 MB field must reach validation (and be refused there, naming the field); anything far larger is refused early.
DATA_UPLOAD_MAX_MEMORY_SIZE = envint("DATA_UPLOAD_MAX_MEMORY_SIZE", 8 * 1024 * 1024)

# Mail: EMAIL_URL like smtp://user:pass@host:587?tls=1, or console:// (default) or locmem://.
_email_url = os.environ.get("EMAIL_URL", "console://")
_email_scheme = _email_url.split("://", 1)[0]
EMAIL_BACKEND = {
    "console": "django.core.mail.backends.console.EmailBackend",
    "locmem": "django.core.mail.backends.locmem.EmailBackend",
    "smtp": "django.core.mail.backends.smtp.EmailBackend",
}.get(_email_scheme, "django.core.mail.backends.console.EmailBackend")
if _email_scheme == "smtp":
    from urllib.parse import parse_qs, urlsplit

    _parts = urlsplit(_email_url)
    EMAIL_HOST = _parts.hostname or "localhost"
    EMAIL_PORT = _parts.port or 25
    EMAIL_HOST_USER = _parts.username or ""
    EMAIL_HOST_PASSWORD = _parts.password or ""
    EMAIL_USE_TLS = parse_qs(_parts.query).get("tls", ["0"])[0] in {"1", "true"}
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "wuye@localhost")

# Background jobs: the embedded scheduler by default; Celery + beat when a broker is configured.
CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL", "")
CELERY_RESULT_BACKEND = os.environ.get("CELERY_RESULT_BACKEND", CELERY_BROKER_URL or None)
CELERY_TIMEZONE = TIME_ZONE
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# The scheduler and Celery workers record a heartbeat (core.scheduling.beat); silent for longer than this many
# seconds, admins see a banner and a queued long job's page says that no worker is picking it up.
WUYE_HEARTBEAT_SILENCE = envint("WUYE_HEARTBEAT_SILENCE", 120)

# Notification channels beyond in-app and e-mail plug in here (dotted path to an adapter class). SMS defaults to the
# logging stand-in, which `check --deploy` flags outside DEBUG (wuye.W022): an elevator entrapment's urgent SMS
# would reach the log only. WUYE_SMS_ADAPTER=wuye.core.outbox.WebhookSmsAdapter posts each SMS as JSON to the
# company's gateway (WUYE_SMS_WEBHOOK_URL, bearer WUYE_SMS_WEBHOOK_TOKEN); the number comes from WUYE_PHONE_LOOKUP.
LOGGING_SMS_ADAPTER = "wuye.core.outbox.LoggingSmsAdapter"
WUYE_CHANNEL_ADAPTERS = {
    "email": "wuye.core.outbox.EmailAdapter",
    "sms": os.environ.get("WUYE_SMS_ADAPTER", "").strip() or LOGGING_SMS_ADAPTER,
    "wechat": os.environ.get("WUYE_WECHAT_ADAPTER", "").strip() or "wuye.core.outbox.LoggingWeChatAdapter",
}
WUYE_SMS_WEBHOOK_URL = os.environ.get("WUYE_SMS_WEBHOOK_URL", "").strip()
WUYE_SMS_WEBHOOK_TOKEN = os.environ.get("WUYE_SMS_WEBHOOK_TOKEN", "").strip()
WUYE_PHONE_LOOKUP = "wuye.people.services.phone_of_user"
WUYE_OUTBOX_MAX_ATTEMPTS = envint("WUYE_OUTBOX_MAX_ATTEMPTS", 6)

# The simulated online payment channel (its gateway page /pay/simulated/<ref>/ and its signed callbacks) exists only
# when switched on: its "pay" button confirms payments with no money moving. `make run` and the tests switch it on;
# a production site never should (the deploy check warns). Having a secret alone never enables it.
WUYE_SIMULATED_PAYMENTS = envbool("WUYE_SIMULATED_PAYMENTS")
# Key of the simulated channel: its gateway signs callbacks with it (HMAC-SHA256) and
# POST /api/v1/payments/callbacks/simulated verifies them. No default: under DEBUG an unset key is replaced by a
# random one per process (wuye.billing.channels); outside DEBUG the channel refuses to start without one.
PAYMENT_CALLBACK_SECRET = os.environ.get("PAYMENT_CALLBACK_SECRET", "").strip()
# Simulated devices (the demo's plate cameras, wuye.security.cameras): on under DEBUG or with this switch; the
# deploy check warns when it is on. Their payloads are signed with WUYE_CAMERA_SECRET (HMAC-SHA256; under DEBUG an
# unset key is a random one per process). A read below WUYE_CAMERA_MIN_CONFIDENCE waits for the booth's confirmation.
# Monthly parking passes (billing.passes): the unit's owners are reminded this many days before a pass ends.
WUYE_PARKING_PASS_REMINDER_DAYS = envint("WUYE_PARKING_PASS_REMINDER_DAYS", 7)
# A billing run on Celery workers (billing.fanout): units per chunk (one task each), and how long a chunk sent but
# not done waits before it is sent again (its message lost; a killed worker's chunk is redelivered by the broker).
WUYE_BILLING_CHUNK_UNITS = envint("WUYE_BILLING_CHUNK_UNITS", 2000)
WUYE_BILLING_CHUNK_RESEND_SECONDS = envint("WUYE_BILLING_CHUNK_RESEND_SECONDS", 600)
WUYE_SIMULATED_DEVICES = envbool("WUYE_SIMULATED_DEVICES")
WUYE_CAMERA_SECRET = os.environ.get("WUYE_CAMERA_SECRET", "").strip()
WUYE_CAMERA_MIN_CONFIDENCE = os.environ.get("WUYE_CAMERA_MIN_CONFIDENCE", "0.8").strip()
WUYE_API_TOKEN_DAYS = envint("WUYE_API_TOKEN_DAYS", 30)

# Collection (催缴, wuye.collection.rules): a promise to pay counts as broken this many days after its date with
# nothing paid since; a household may promise at most this many days ahead.
WUYE_COLLECTION_BROKEN_AFTER_DAYS = envint("WUYE_COLLECTION_BROKEN_AFTER_DAYS", 3)
WUYE_COLLECTION_PROMISE_MAX_DAYS = envint("WUYE_COLLECTION_PROMISE_MAX_DAYS", 90)

# Input bounds (core.validators.date_window): a date a person can mean lies between WUYE_DATE_MIN (communities moved
# into since the 1990s) and today plus WUYE_DATE_YEARS_AHEAD years; outside it, a 422 naming the field.
WUYE_DATE_MIN = os.environ.get("WUYE_DATE_MIN", "1990-01-01")
WUYE_DATE_YEARS_AHEAD = envint("WUYE_DATE_YEARS_AHEAD", 10)
# A photo with more pixels than this is refused before it is decoded (a decompression bomb); 50 MP is a phone's best.
WUYE_PHOTO_MAX_PIXELS = envint("WUYE_PHOTO_MAX_PIXELS", 50_000_000)
# Satisfaction surveys (wuye.quality.surveys): a project with fewer surveys opened in the trailing 12 months is
# warned about (SPEC §6: "at least twice a year").
WUYE_SURVEYS_PER_YEAR = envint("WUYE_SURVEYS_PER_YEAR", 2)
# Project scores (wuye.quality.scores), the district scoring method of seed 004: annual score = DAILY_WEIGHT % of the
# year's daily-check average + YEAR_END_WEIGHT % of the year-end review; a score below PASS_MARK fails.
WUYE_QUALITY_DAILY_WEIGHT = envint("WUYE_QUALITY_DAILY_WEIGHT", 60)
WUYE_QUALITY_YEAR_END_WEIGHT = envint("WUYE_QUALITY_YEAR_END_WEIGHT", 40)
WUYE_QUALITY_PASS_MARK = envint("WUYE_QUALITY_PASS_MARK", 60)
# A KPI that misses its target by at most this many points reads amber, beyond it red (quality/kpis.py).
WUYE_KPI_AMBER_POINTS = envint("WUYE_KPI_AMBER_POINTS", 5)
# Staff assessment (wuye.quality.assessments): a staff member's monthly score = BASE + the month's points
# (deductions negative, awards and owners' praise positive).
WUYE_ASSESSMENT_BASE = envint("WUYE_ASSESSMENT_BASE", 100)
# Facilities (wuye.facilities.jobs): a maintenance contractor whose qualification expires within this many days is
# warned about to the engineering supervisors of every project it serves (SPEC §4: "warned 30 days ahead").
WUYE_CONTRACTOR_WARNING_DAYS = envint("WUYE_CONTRACTOR_WARNING_DAYS", 30)
# Fire safety (wuye.facilities.fire): the seed's safety-hazard sweeps "twice a month" and fire drills "1–2 a year"
# (the minimum counts) — the sweeps and drills pages show each project's count against these.
WUYE_HAZARD_SWEEPS_PER_MONTH = envint("WUYE_HAZARD_SWEEPS_PER_MONTH", 2)
WUYE_FIRE_DRILLS_PER_YEAR = envint("WUYE_FIRE_DRILLS_PER_YEAR", 1)
# Decoration worker passes (wuye.security.worker_passes): the pass deposit billed to the unit (yuan, the seed's 50.00).
WUYE_WORKER_PASS_DEPOSIT = os.environ.get("WUYE_WORKER_PASS_DEPOSIT", "50.00")
# Patrols (wuye.security.patrols): a checkpoint is due this many minutes after its planned minute in the round
# (its `patrol.checkpoint` clock's deadline); scanned later inside the round's window it is late.
WUYE_PATROL_CHECKPOINT_GRACE_MINUTES = envint("WUYE_PATROL_CHECKPOINT_GRACE_MINUTES", 10)
# Cleaning (wuye.environment.cleaning, seed 001 ch.5 §1): main roads twice a day, public toilets every 2 hours within
# their opening hours (06:00–22:00: eight rounds), elevator cars disinfected once a day, every other zone once a day;
# a task may take WUYE_CLEANING_TASK_MINUTES unless its zone says otherwise (the `cleaning.task` policy's 60) and may be
# recorded done up to WUYE_CLEANING_EARLY_MINUTES before its start.
WUYE_CLEANING_ROAD_TIMES = ["07:00", "14:00"]
WUYE_CLEANING_TOILET_EVERY_MINUTES = envint("WUYE_CLEANING_TOILET_EVERY_MINUTES", 120)
WUYE_CLEANING_TOILET_HOURS = ("06:00", "22:00")
WUYE_CLEANING_ELEVATOR_TIMES = ["08:00"]
WUYE_CLEANING_DAILY_TIMES = ["08:00"]
WUYE_CLEANING_TASK_MINUTES = envint("WUYE_CLEANING_TASK_MINUTES", 60)
WUYE_CLEANING_EARLY_MINUTES = envint("WUYE_CLEANING_EARLY_MINUTES", 30)
# Community operations (wuye.community, SPEC §7). Time limits are SLA policies (sla.standards.COMMUNITY); these are
# the rules that are not clocks. A move-in batch's notice goes out at least this many days before its first day
# (seed 001 ch.3 §1: "提前7天通知"); a planned water or power outage is announced at least this many hours before it
# begins (seed 001 ch.7 §2.2: "提前48小时"), else the notice is refused naming the earliest allowed outage start.
WUYE_MOVE_IN_NOTICE_DAYS = envint("WUYE_MOVE_IN_NOTICE_DAYS", 7)
WUYE_OUTAGE_NOTICE_HOURS = envint("WUYE_OUTAGE_NOTICE_HOURS", 48)
# The decoration deposit (装修保证金, yuan) when the project's `decoration-deposit` charge item has no price: the seed
# leaves the figure blank ("xx元"); 2,000.00 is what residential communities commonly ask.
WUYE_DECORATION_DEPOSIT = os.environ.get("WUYE_DECORATION_DEPOSIT", "2000.00")
# Incident levels (wuye.community.emergencies, SPEC §7, seed 001 ch.7 §1): an outage across more than this many
# buildings is at least level III, a fire across more than this many at least level II.
WUYE_INCIDENT_OUTAGE_BUILDINGS = envint("WUYE_INCIDENT_OUTAGE_BUILDINGS", 10)
WUYE_INCIDENT_FIRE_BUILDINGS = envint("WUYE_INCIDENT_FIRE_BUILDINGS", 3)
# Decoration works in progress are inspected at least once every this many days (装修巡查; the seed names no figure,
# weekly is what the desk and engineering are used to): works not inspected for longer show on engineering's card.
WUYE_DECORATION_INSPECTION_DAYS = envint("WUYE_DECORATION_INSPECTION_DAYS", 7)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"mask_pii": {"()": "wuye.core.pii.MaskPIIFilter"}},
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
        "django.server": {"()": "django.utils.log.ServerFormatter", "format": "[{server_time}] {message}",
                          "style": "{"},
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "filters": ["mask_pii"], "formatter": "plain"},
        "django.server": {"class": "logging.StreamHandler", "filters": ["mask_pii"], "formatter": "django.server"},
    },
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        # runserver's access log prints request lines (`GET /console/?q=13812345678`): masked like every other
        # line. (gunicorn's access log: gunicorn.conf.py installs wuye.core.gunicorn.MaskedLogger.)
        "django.server": {"handlers": ["django.server"], "level": "INFO", "propagate": False},
    },
}

if envbool("WUYE_FAST_PASSWORDS"):
    # Tests and benchmark set-up only: hashing demo passwords with PBKDF2 would dominate their run time.
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
