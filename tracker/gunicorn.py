"""gunicorn settings: `gunicorn -c python:tracker.gunicorn tracker.wsgi`.

The access log format leaves out the client address and user agent (gunicorn's default
logs both): no IP address is ever written by the app.
"""

import os

bind = os.environ.get("GUNICORN_BIND", "0.0.0.0:8000")
workers = int(os.environ.get("GUNICORN_WORKERS", "3"))
timeout = 30
accesslog = "-"
access_log_format = '%(t)s "%(m)s %(U)s" %(s)s %(B)s %(M)sms'
