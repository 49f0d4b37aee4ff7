"""The Content-Security-Policy header (the policy itself is in settings).

Every response gets ``settings.CONTENT_SECURITY_POLICY``, which forbids framing
(``frame-ancestors 'none'``), except where Wagtail shows a page inside its editor: the
preview (rendered through the middleware on a request marked ``is_preview``) and any view
that marks its response ``X-Frame-Options: SAMEORIGIN``. Those may be framed by our own
origin only. A response that already carries its own policy (private downloads) keeps it.
"""

from csp.middleware import CSPMiddleware, PolicyParts


class FramingAwareCSPMiddleware(CSPMiddleware):
    def get_policy_parts(self, request, response, report_only=False) -> PolicyParts:
        parts = super().get_policy_parts(request, response, report_only=report_only)
        same_origin = response.get("X-Frame-Options", "").upper() == "SAMEORIGIN"
        if same_origin or getattr(request, "is_preview", False):
            parts.replace = {**(parts.replace or {}), "frame-ancestors": ["'self'"]}
        return parts
