"""Who may open which face: the staff console for staff, the H5 portal for owners. Records are scoped separately
(wuye.core.access.scoped), so a guard only decides the door, never what is behind it."""

from __future__ import annotations

from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect

from wuye.core.access import may_read


def staff_view(permission: str | None = None, *, reads: str | None = None):
    """A console view: anonymous users log in, owners go to their portal, staff need `permission` if given.
    `reads` names the resource (wuye.core.access.resource) the page shows: its read rule, the same one the API
    and the exports ask, decides; the permission matrix test finds the page by this mark."""

    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            actor = request.actor
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if actor.is_owner:
                return redirect("web:h5_home")
            if not actor.is_staff_member or (permission and not actor.may(permission)) \
                    or (reads and not may_read(actor, reads)):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        wrapped.reads = reads
        wrapped.permission = permission
        return wrapped

    return decorator


def owner_view(view):
    """An H5 view: anonymous users log in, staff go to the console, anyone else is refused."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        actor = request.actor
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if actor.is_staff_member:
            return redirect("web:console")
        if not actor.is_owner:
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapped
