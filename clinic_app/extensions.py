"""Extension instances, bound to the app in ``create_app``."""

from typing import TYPE_CHECKING

from flask import request
from flask_babel import Babel
from flask_compress import Compress
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf.csrf import CSRFProtect
from sqlalchemy.orm import DeclarativeBase


class Base(DeclarativeBase):
    pass


db = SQLAlchemy(model_class=Base)
if TYPE_CHECKING:
    # db.Model is made at run time from Base; type checkers cannot see through that.
    Model = Base
else:
    Model = db.Model
migrate = Migrate()
babel = Babel()
csrf = CSRFProtect()
compress = Compress()
login_manager = LoginManager()
login_manager.login_view = "staff.sign_in_page"
login_manager.login_message = "Please sign in to see that page."
# Sessions end on sign-out and idle time-out; "remember me" cookies would outlive both.
login_manager.session_protection = "strong"
# Per client address. Behind a reverse proxy, PROXY_COUNT makes remote_addr the real client's.
limiter = Limiter(key_func=get_remote_address)


# Pages opened by a link that names someone's booking: their views are counted too, so the links
# cannot be tried at speed.
LIMITED_PAGES = frozenset(
    {"public.manage_booking", "public.move_managed_booking", "public.confirm_cancel_managed_booking"}
)


@limiter.request_filter
def only_sending_is_limited() -> bool:
    """Every limit in the app counts sent forms (POST), and the views of a booking's link: showing any
    other page skips working out which limits apply."""
    return request.method in ("GET", "HEAD", "OPTIONS") and request.endpoint not in LIMITED_PAGES
