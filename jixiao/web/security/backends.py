"""django-axes' lockout for every login that comes with a request (all of the web's and the API's);
an `authenticate()` without one (a test client's `login()`, a shell script) is left to the model
backend instead of failing, since there is no address or session to count against."""

from __future__ import annotations

from axes.backends import AxesStandaloneBackend


class LockoutBackend(AxesStandaloneBackend):
    def authenticate(self, request=None, username=None, password=None, **kwargs):
        if request is None:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)
