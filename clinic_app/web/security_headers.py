"""Response headers that hold for every page: a strict Content-Security-Policy and friends."""

from __future__ import annotations

from flask import Flask, Response, request

NO_FRAMING = "'none'"
# No page of ours uses any of these browser features, so none may be used, by us or by anything framed.
PERMISSIONS_POLICY = ", ".join(
    f"{feature}=()"
    for feature in (
        "accelerometer", "autoplay", "camera", "display-capture", "encrypted-media", "fullscreen",
        "geolocation", "gyroscope", "hid", "idle-detection", "magnetometer", "microphone", "midi",
        "payment", "picture-in-picture", "publickey-credentials-get", "screen-wake-lock", "serial",
        "usb", "xr-spatial-tracking", "interest-cohort", "browsing-topics",
    )
)  # fmt: skip


def content_security_policy(frame_ancestors: str = NO_FRAMING) -> str:
    """No inline script or style anywhere, so no nonces are needed. Only the embed pages may be
    framed, and only by the sites the clinic lists."""
    return "; ".join(
        [
            "default-src 'self'",
            "script-src 'self'",
            "style-src 'self'",
            "img-src 'self' data:",
            "form-action 'self'",
            "base-uri 'none'",
            "object-src 'none'",
            f"frame-ancestors {frame_ancestors}",
        ]
    )


def add_security_headers(response: Response) -> Response:
    policy = response.headers.setdefault("Content-Security-Policy", content_security_policy())
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    response.headers.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
    if f"frame-ancestors {NO_FRAMING}" in policy:
        # For browsers too old for frame-ancestors.
        response.headers.setdefault("X-Frame-Options", "DENY")
    if request.is_secure:
        response.headers.setdefault("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
    return response


def never_stored(response: Response) -> Response:
    """For pages with health details or secrets (staff pages, the confirmation, set-password): no
    browser, proxy or back-button cache may keep a copy."""
    response.headers["Cache-Control"] = "no-store"
    response.headers["Pragma"] = "no-cache"
    return response


def register_security_headers(app: Flask) -> None:
    app.after_request(add_security_headers)
