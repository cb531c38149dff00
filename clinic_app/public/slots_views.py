"""`GET /slots.json?from=YYYY-MM-DD&days=N`: the open times for a free consultation, for the form's script,
the embed and owners' own sites. No personal data, so shared caches may keep it a few seconds."""

from __future__ import annotations

from datetime import date, timedelta
from zoneinfo import ZoneInfo

from flask import jsonify, request
from werkzeug.wrappers import Response

from clinic_app.booking.availability import clinic_open_times
from clinic_app.booking.slots import slot_iso
from clinic_app.extensions import db
from clinic_app.models import utcnow
from clinic_app.public.blueprint import bp
from clinic_app.web import services

SHARED_CACHE_SECONDS = 5
DEFAULT_DAYS = 7


@bp.get("/slots.json")
def open_slots() -> tuple[Response, int]:
    rules = services.booking_rules()
    now = utcnow()
    today = now.astimezone(ZoneInfo(rules.zone)).date()
    first_day = _first_day(request.args.get("from"), today)
    days = _days(request.args.get("days"), rules.horizon_days + 1)
    if first_day is None or days is None:
        message = (
            f"Use from=YYYY-MM-DD (today or later) and days=1 to {rules.horizon_days + 1}, "
            "like /slots.json?from=2027-03-15&days=7."
        )
        return jsonify(error=message), 400
    times = clinic_open_times(db.session, rules, now, first_day, days)
    response = jsonify(
        zone=rules.zone,
        length_minutes=int(rules.length.total_seconds() // 60),
        first_day=first_day.isoformat(),
        last_day=(first_day + timedelta(days=days - 1)).isoformat(),
        slots=[slot_iso(moment) for moment, _providers in times],
    )
    response.headers["Cache-Control"] = f"public, max-age={SHARED_CACHE_SECONDS}"
    return response, 200


def _first_day(raw: str | None, today: date) -> date | None:
    if not raw:
        return today
    try:
        day = date.fromisoformat(raw)
    except ValueError:
        return None
    return day if day >= today else None


def _days(raw: str | None, most: int) -> int | None:
    if not raw:
        return min(DEFAULT_DAYS, most)
    return int(raw) if raw.isdigit() and 1 <= int(raw) <= most else None
