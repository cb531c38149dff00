"""Friendly error pages: a visitor never sees a bare error or a stack trace."""

from __future__ import annotations

from flask import Flask, render_template
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

MESSAGES = {
    400: ("Something went wrong with that page", "Please go back, check your answers and try again."),
    403: ("You cannot open this page", "This page is for clinic owners."),
    404: ("Page not found", "We could not find that page."),
    405: ("Page not found", "We could not find that page."),
    413: ("That was too much to send", "Please shorten your message and try again."),
    429: ("Please wait a moment", "You have tried many times in a short time. Please try again in a minute."),
}


def render_error(code: int) -> tuple[str, int]:
    title, text = MESSAGES.get(code, ("Sorry, something went wrong", "Please try again in a few minutes."))
    return render_template("errors/error.html", title=title, text=text, code=code), code


def register_error_handlers(app: Flask) -> None:
    @app.errorhandler(CSRFError)
    def csrf_error(error: CSRFError) -> tuple[str, int]:
        return render_error(400)

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException) -> tuple[str, int]:
        return render_error(error.code or 500)
