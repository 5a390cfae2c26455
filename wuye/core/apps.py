from django.apps import AppConfig
from django.utils.module_loading import autodiscover_modules
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "wuye.core"
    label = "core"
    verbose_name = _("Platform")

    def ready(self):
        from django.contrib.auth import get_user_model
        from django.contrib.auth.signals import user_logged_in, user_login_failed
        from django.db.models.signals import post_save

        from . import checks  # noqa: F401  (registers system checks)
        from .sessions import remember_session
        from .throttle import count_failure
        from .tokens import password_changed

        user_login_failed.connect(count_failure, dispatch_uid="wuye.core.throttle")
        post_save.connect(password_changed, sender=get_user_model(), dispatch_uid="wuye.core.tokens")
        user_logged_in.connect(remember_session, dispatch_uid="wuye.core.sessions")

        # Each app declares what its roles may do in permissions.py and its periodic work in jobs.py.
        autodiscover_modules("permissions")
        autodiscover_modules("jobs")
