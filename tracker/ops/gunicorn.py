"""gunicorn settings: `gunicorn -c python:tracker.ops.gunicorn tracker.wsgi`.

The access log format leaves out the client address and user agent (gunicorn's default
logs both): no IP address is ever written by the app.
"""

import os

bind = os.environ.get("GUNICORN_BIND", "0.0.0.0:8000")
workers = int(os.environ.get("GUNICORN_WORKERS", "3"))
# Threads: a long streamed export (minutes at a million rows) must not be cut off by the
# worker timeout, and must not block every other reader of that worker.
worker_class = "gthread"
threads = int(os.environ.get("GUNICORN_THREADS", "4"))
timeout = 30
accesslog = "-"
access_log_format = '%(t)s "%(m)s %(U)s" %(s)s %(B)s %(M)sms'
