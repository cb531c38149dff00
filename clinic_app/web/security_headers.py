"""Response headers that hold for every page: a strict Content-Security-Policy and friends."""

from __future__ import annotations

from flask import Flask, Response, request

NO_FRAMING = "'none'"


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
    if f"frame-ancestors {NO_FRAMING}" in policy:
        # For browsers too old for frame-ancestors.
        response.headers.setdefault("X-Frame-Options", "DENY")
    if request.is_secure:
        response.headers.setdefault("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
    return response


def register_security_headers(app: Flask) -> None:
    app.after_request(add_security_headers)
