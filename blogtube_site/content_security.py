"""The Content Security Policy: django-csp writes it from settings.CONTENT_SECURITY_POLICY;
this adds what settings cannot know, the host the page was served from."""

from __future__ import annotations

from csp.middleware import CSPMiddleware, PolicyParts
from django.core.exceptions import DisallowedHost
from django.http import HttpRequest, HttpResponseBase


class ContentSecurityPolicyMiddleware(CSPMiddleware):
    """Lets the page open WebSockets to its own host.

    CSP Level 3 counts ws:// and wss:// of the page's host as 'self', but browsers that
    predate it do not, and the live pages need their socket.
    """

    def get_policy_parts(
        self, request: HttpRequest, response: HttpResponseBase, report_only: bool = False
    ) -> PolicyParts:
        parts = super().get_policy_parts(request, response, report_only)
        try:
            # Validated against ALLOWED_HOSTS, so nothing but a host and port reaches the header.
            host = request.get_host()
        except DisallowedHost:
            return parts
        if host.startswith("["):
            return parts  # an IPv6 literal is no valid CSP source; 'self' covers it
        update = dict(parts.update or {})
        update["connect-src"] = [*update.get("connect-src", []), f"ws://{host}", f"wss://{host}"]
        parts.update = update
        return parts
