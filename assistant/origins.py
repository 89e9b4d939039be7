"""Who may embed the widget: the allow-list of host origins, enforced by CORS and frame-ancestors."""

from __future__ import annotations

from urllib.parse import urlsplit

from fastapi import Request

# The header the /embed page adds to its API calls to say which host page it is framed in, so
# the per-origin quota counts widget questions by host (the calls themselves are same-origin).
HOST_HEADER = "X-Assistant-Host"


def normalize(origin: str) -> str:
    """`https://Intranet.example.com:443/` -> `https://intranet.example.com`: how browsers send it.

    Returns "" for anything that is not an http(s) origin (e.g. "null" from a file:// page).
    """
    try:
        parts = urlsplit(origin.strip())
        port = parts.port
    except ValueError:
        return ""
    if parts.scheme not in ("http", "https") or not parts.hostname or parts.path not in ("", "/"):
        return ""
    default = {"http": 80, "https": 443}[parts.scheme]
    host = parts.hostname if ":" not in parts.hostname else f"[{parts.hostname}]"  # IPv6
    return f"{parts.scheme}://{host}" + (f":{port}" if port and port != default else "")


class Origins:
    """The allow-list from `settings.allowed_origins`; the app's own origin is always allowed."""

    def __init__(self, allowed: tuple[str, ...]):
        self.allowed = tuple(dict.fromkeys(o for o in map(normalize, allowed) if o))

    def allows(self, origin: str) -> bool:
        return normalize(origin) in self.allowed

    def is_own(self, request: Request, origin: str) -> bool:
        """Whether `origin` is the app's own; Sec-Fetch-Site settles it when a proxy rewrote Host."""
        if request.headers.get("sec-fetch-site") == "same-origin":
            return True
        return normalize(origin) == normalize(f"{request.url.scheme}://{request.url.netloc}")

    def frame_ancestors(self) -> str:
        """The CSP directive for pages that allowed hosts may frame (only /embed)."""
        return " ".join(["frame-ancestors", "'self'", *self.allowed])

    def widget_host(self, request: Request) -> str | None:
        """The allowed host origin a question comes from through the widget, if any.

        A host page calling the API itself sends its Origin; the /embed page, whose calls are
        same-origin (Origin: the app's own), names its host in HOST_HEADER. Either counts only when
        on the allow-list, and only with an Origin, which browsers set and pages cannot: a script
        outside a browser can still claim a site, but only within its own visitor quota.
        """
        origin = request.headers.get("origin", "")
        if not origin:  # not from a browser page: a header any script can send spends no site's bucket
            return None
        if not self.is_own(request, origin):
            return normalize(origin) if self.allows(origin) else None
        host = request.headers.get(HOST_HEADER, "")
        return normalize(host) if host and self.allows(host) else None
