"""Logs without personal data: the logging classes the settings name. What is redacted,
and every other privacy rule, is in tracker/privacy.py.

People who report a case may be in danger, so the logs never hold an IP address, a user
agent, a query string, submission text or a contact. The rules, outermost first:

- `RequestLogMiddleware` writes one line per request with method, path (no query string),
  status and duration, and nothing else about the reader;
- moderation actions are not logged but kept in the audit trail (moderation.AuditEvent);
- `RedactPersonalDataFilter` sits on every handler as a safety net: anything that looks
  like an IP address or an e-mail address becomes a placeholder, and query strings are
  cut off;
- `JsonFormatter` writes one JSON object per line for the log collector;
- error e-mails to ADMINS go through `PrivateExceptionReporter` and
  `PrivateExceptionReporterFilter`, which scrub form data, frame variables, the query
  string and the client's address and browser.
"""

import datetime
import json
import logging
import re
import time

from django.views.debug import ExceptionReporter, SafeExceptionReporterFilter

from .privacy import redact

request_logger = logging.getLogger("tracker.requests")

# Attributes every LogRecord has; anything else was passed with `extra=`.
STANDARD_ATTRIBUTES = set(vars(logging.makeLogRecord({}))) | {"message", "asctime"}


class RedactPersonalDataFilter(logging.Filter):
    """Rewrites a record so that no IP address, e-mail or query string leaves the process.
    Installed on handlers (not loggers) so it sees records from every logger."""

    def filter(self, record):
        record.msg = redact(record.getMessage())
        record.args = None
        for key, value in vars(record).items():
            if key not in STANDARD_ATTRIBUTES and isinstance(value, str):
                setattr(record, key, redact(value))
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        if record.stack_info:
            record.stack_info = redact(record.stack_info)
        return True


class SkipServiceUnavailable(logging.Filter):
    """Keeps the 503s of a database outage out of error e-mails: one per request would
    flood the inbox, and the outage is logged once per request already."""

    def filter(self, record):
        return getattr(record, "status_code", None) != 503


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message, the `extra=` fields that are
    plain values, and the traceback if there is one. Objects passed as extra (Django
    passes the request) are left out: their repr can hold the query string."""

    def format(self, record):
        entry = {
            "time": datetime.datetime.fromtimestamp(record.created, datetime.UTC).isoformat(),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        for key, value in vars(record).items():
            if key not in STANDARD_ATTRIBUTES and isinstance(value, str | int | float | bool):
                entry[key] = value
        if record.exc_info and not record.exc_text:
            record.exc_text = self.formatException(record.exc_info)
        if record.exc_text:
            entry["exception"] = record.exc_text
        return json.dumps(entry, ensure_ascii=False)


class RequestLogMiddleware:
    """One log line per request: what was asked and how it went, nothing about who asked."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        started = time.perf_counter()
        response = self.get_response(request)
        if _dates_a_report(request):
            return response
        request_logger.info(
            "request",
            extra={
                "method": request.method[:16],
                # request.path never includes the query string.
                "path": request.path[:500],
                "status": response.status_code,
                "duration_ms": round((time.perf_counter() - started) * 1000, 1),
            },
        )
        return response


def _dates_a_report(request):
    """A submitter sending something (a report, an answer, a withdrawal, a code): its log
    line would say when, so there is none (tracker/privacy.py: coarse times)."""
    match = getattr(request, "resolver_match", None)
    return request.method == "POST" and match is not None and match.app_name == "submissions"


class PrivateExceptionReporterFilter(SafeExceptionReporterFilter):
    """Error reports keep the traceback and drop what people typed or who they are."""

    # Request headers that identify a reader or hold what they asked for.
    private_meta = re.compile(
        r"^(REMOTE_ADDR|REMOTE_HOST|QUERY_STRING|HTTP_USER_AGENT|HTTP_REFERER|HTTP_COOKIE"
        r"|HTTP_X_FORWARDED_FOR|HTTP_X_REAL_IP|HTTP_FORWARDED|HTTP_CF_CONNECTING_IP"
        r"|HTTP_TRUE_CLIENT_IP|REQUEST_URI|RAW_URI)$"
    )

    def get_post_parameters(self, request):
        if request is None:
            return {}
        return dict.fromkeys(request.POST, self.cleansed_substitute)

    def get_safe_request_meta(self, request):
        meta = super().get_safe_request_meta(request)
        return {
            key: self.cleansed_substitute if self.private_meta.match(key) else value
            for key, value in meta.items()
        }

    def get_traceback_frame_variables(self, request, tb_frame):
        # Local variables hold forms, submissions and contacts: keep only their names.
        return [(name, self.cleansed_substitute) for name in tb_frame.f_locals]


class PrivateExceptionReporter(ExceptionReporter):
    """Leaves out the query string and uploaded file names, and redacts the exception
    message (a database error can quote the row it refused)."""

    def get_traceback_data(self):
        data = super().get_traceback_data()
        if self.request is not None:
            substitute = self.filter.cleansed_substitute
            data["request_GET_items"] = [(key, substitute) for key in self.request.GET]
            data["request_FILES_items"] = [(key, substitute) for key in self.request.FILES]
            data["request_insecure_uri"] = data["request_insecure_uri"].split("?")[0]
        if "exception_value" in data:
            data["exception_value"] = redact(data["exception_value"])
        return data
