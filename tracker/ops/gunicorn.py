"""gunicorn settings: `gunicorn -c python:tracker.ops.gunicorn tracker.wsgi`.

No client address is ever written by gunicorn either: `PrivateLogger` (set as
`logger_class`) blanks the address, user agent, referrer, query string and every header in
access lines whatever `access_log_format` says, redacts addresses from gunicorn's own error
log (gunicorn writes "Invalid request from ip=…" for a malformed request), and writes no
access line for what a submitter sends (a POST under /submit/), so no log holds the time
of a report.
"""

import os

from gunicorn.glogging import Logger

from tracker.privacy import redact

bind = os.environ.get("GUNICORN_BIND", "0.0.0.0:8000")
workers = int(os.environ.get("GUNICORN_WORKERS", "3"))
# Threads: a long streamed export (minutes at a million rows) must not be cut off by the
# worker timeout, and must not block every other reader of that worker.
worker_class = "gthread"
threads = int(os.environ.get("GUNICORN_THREADS", "4"))
timeout = 30
accesslog = "-"
access_log_format = '%(t)s "%(m)s %(U)s" %(s)s %(B)s %(M)sms'

# Requests whose access line would date a report (submissions/urls.py is mounted here).
SUBMITTER_PATHS = ("/submit/",)
# Access-log atoms that describe the client or what it asked in detail.
BLANKED_ATOMS = ("h", "u", "a", "f", "q")


class PrivateLogger(Logger):
    """gunicorn's logger without client addresses (see the module docstring)."""

    def atoms(self, resp, req, wsgi, request_time):
        atoms = {
            key: value
            for key, value in super().atoms(resp, req, wsgi, request_time).items()
            # Request headers ({…}i) and the environment ({…}e) hold addresses
            # (X-Forwarded-For, REMOTE_ADDR); response headers ({…}o) may stay.
            if not (key.endswith("}i") or key.endswith("}e"))
        }
        atoms.update(dict.fromkeys(BLANKED_ATOMS, "-"))
        atoms["r"] = f"{wsgi.get('REQUEST_METHOD', '-')} {wsgi.get('PATH_INFO', '-')}"
        return atoms

    def access(self, resp, req, wsgi, request_time):
        # (`wsgi` is the request's WSGI environ, not the process environment.)
        method, path = wsgi.get("REQUEST_METHOD", ""), wsgi.get("PATH_INFO", "")
        if method == "POST" and path.startswith(SUBMITTER_PATHS):
            return
        super().access(resp, req, wsgi, request_time)

    def log(self, lvl, msg, *args, **kwargs):
        super().log(lvl, *self._redacted(msg, args), **kwargs)

    def critical(self, msg, *args, **kwargs):
        super().critical(*self._redacted(msg, args), **kwargs)

    def error(self, msg, *args, **kwargs):
        super().error(*self._redacted(msg, args), **kwargs)

    def warning(self, msg, *args, **kwargs):
        super().warning(*self._redacted(msg, args), **kwargs)

    def info(self, msg, *args, **kwargs):
        super().info(*self._redacted(msg, args), **kwargs)

    def debug(self, msg, *args, **kwargs):
        super().debug(*self._redacted(msg, args), **kwargs)

    def exception(self, msg, *args, **kwargs):
        super().exception(*self._redacted(msg, args), **kwargs)

    @staticmethod
    def _redacted(msg, args):
        # Formatted here, so that the arguments are redacted too; no arguments are passed
        # on, so a "%" in the text stays as it is.
        return (redact(str(msg) % args if args else str(msg)),)


logger_class = PrivateLogger
