from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied


def moderator_required(view=None, *, permission="moderation.moderate"):
    """Every moderation view: logged in, holding the permission, and verified with a
    second factor in this session. Anonymous users and unverified sessions go to the
    login page; users without the permission get 403."""

    def decorator(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            user = request.user
            if not user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if not user.has_perm(permission):
                raise PermissionDenied
            if not user.is_verified():
                return redirect_to_login(request.get_full_path())
            return view(request, *args, **kwargs)

        return wrapper

    return decorator(view) if view is not None else decorator
