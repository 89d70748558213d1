"""Login throttling without personal data.

django-axes would otherwise read the client's IP address and user agent, keep them in its
tables and write them to the log. The privacy rules forbid both, so lockouts are counted by
user name only (AXES_LOCKOUT_PARAMETERS) and these hooks give axes nothing else to keep.
tests/test_moderator_login.py checks the axes tables and the log for both.
"""

from axes.handlers.database import AxesDatabaseHandler


def no_client_ip(request):
    """AXES_CLIENT_IP_CALLABLE: the IP address is never looked at."""
    return None


def client_description(username, ip_address, user_agent, path_info, request):
    """AXES_CLIENT_STR_CALLABLE: what axes writes to the log about a login attempt."""
    return f'path_info: "{path_info}"'


class PrivateDatabaseHandler(AxesDatabaseHandler):
    """Axes' database handler (counters shared by every app process) that stores no IP
    address, user agent or Accept header with an attempt."""

    @staticmethod
    def _forget_client(request):
        if request is not None:
            request.axes_ip_address = None
            request.axes_user_agent = ""
            request.axes_http_accept = ""

    def user_login_failed(self, sender, credentials, request=None, **kwargs):
        self._forget_client(request)
        return super().user_login_failed(sender, credentials, request, **kwargs)

    def user_logged_in(self, sender, request, user, **kwargs):
        self._forget_client(request)
        return super().user_logged_in(sender, request, user, **kwargs)

    def user_logged_out(self, sender, request, user, **kwargs):
        self._forget_client(request)
        return super().user_logged_out(sender, request, user, **kwargs)
