import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tracker.settings")

application = get_wsgi_application()

# A missing bucket, refused keys or a replica that does not answer stop the worker here,
# before it serves anything, and gunicorn with it (tracker/checks.py).
from tracker.checks import require_services  # noqa: E402

require_services()
