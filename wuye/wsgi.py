import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "wuye.settings")
application = get_wsgi_application()

# gunicorn, runserver and any other WSGI server load this module: outside DEBUG they refuse default secrets.
from wuye.core.checks import require_production_secrets  # noqa: E402  (needs Django set up)

require_production_secrets("The web server")
