"""The product's settings for benchmarks: the same middleware and apps, plus the bare JSON view of bench.urls."""

from wuye.settings import *  # noqa: F403

ROOT_URLCONF = "bench.urls"

# The bench database is seeded with WUYE_FAST_PASSWORDS=1 (MD5 hashes, set-up speed only); accept those and the
# default PBKDF2 ones, so a database seeded either way can log in. Only the token request checks a password.
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.MD5PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
