"""The request form inside the clinic's own website: embed.js, the framed form and its confirmation."""

from clinic_app.embed import views  # noqa: F401  (registers the routes on bp)
from clinic_app.embed.blueprint import bp

__all__ = ["bp"]
