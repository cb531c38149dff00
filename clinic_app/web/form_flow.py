"""Showing and receiving the request form, the same way on the clinic's page and inside an iframe."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from flask import current_app, redirect, render_template, request, session
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from sqlalchemy.exc import IntegrityError, InterfaceError, OperationalError

from clinic_app.booking.availability import clinic_open_times, new_patient_rules
from clinic_app.booking.emails import queue_booking_confirmation, queue_reminder
from clinic_app.booking.slots import BookingRules, group_by_day, time_in_words, to_utc
from clinic_app.booking.storage import SlotTaken, book
from clinic_app.choices import VisitType
from clinic_app.extensions import db, limiter
from clinic_app.intake.operations import submit_request
from clinic_app.intake.spam import spam_reason
from clinic_app.models import ConsultationRequest, StaffUser, utcnow
from clinic_app.settings import Settings
from clinic_app.web import services
from clinic_app.web.booking_links import manage_url
from clinic_app.web.confirmation_links import confirmation_address, confirmation_token, request_for_token
from clinic_app.web.form_tokens import (
    FormTokenProblem,
    issue_form_token,
    mark_sent,
    origin_allowed,
    origin_of,
    read_form_token,
    request_already_sent,
    same_machine_origins,
)
from clinic_app.web.languages import chosen_language
from clinic_app.web.page_cache import rendered_pages
from clinic_app.web.request_form import EXPIRED_FORM, TIME_TAKEN, RequestForm
from clinic_app.web.responses import Page

log = logging.getLogger(__name__)

# One count per client address for the public and the embedded form together.
request_form_limit = limiter.shared_limit(
    lambda: services.settings().ratelimit_form, scope="request-form", methods=["POST"]
)

DATABASE_AWAY = _l(
    "We could not save this just now. Your answers are still here: please send it again in a minute."
)
FOREIGN_ORIGIN = _l(
    "This form was sent from a page we do not know. Please open the form on our website and send it again."
)
# The free consultation's picker keeps the page light: the next days that have open times, and at
# most this many times on each, spread over the day (all of them when a day has fewer).
DAYS_SHOWN = 7
# Days looked at first for a picker's DAYS_SHOWN days with times (more only when they fall short).
FIRST_LOOK = 10
TIMES_A_DAY = 8
# Open times: each start on the clinic's clock, with the providers free then (merge_providers).
OpenTimes = list[tuple[datetime, list[int]]]
# Each visit type that can be booked now, with its open times (the free consultation's always; the
# new-patient appointment's when the owner turned its booking on).
VisitTimes = dict[VisitType, OpenTimes]


def request_form_page(template: str, confirmation_url: Callable[[str], str], **context: Any) -> Page:
    """GET shows the form with a fresh token; POST stores the request once, then redirects to its
    confirmation. Problems show beside the kept answers, with a 400 (a 503 when the database is away)."""
    initial = context.pop("initial", None)
    if request.method != "POST":
        return _blank_form_page(template, initial, context), 200
    form = RequestForm(data=initial)
    settings = services.settings()
    status = 400
    times = bookable_times_now()
    for visit, open_times in times.items():
        # A time posted when none is open any more still gets the picker, with the "call me" choice.
        if open_times or (request.form.get(form.slot_field(visit).name) and form.visit_type.data == visit):
            form.offer_times(days_to_offer(open_times), visit)
    if _refuse(form) is None:
        try:
            sent = _store_once(form, times)
        except (OperationalError, InterfaceError):
            # The database is away (restarting, unreachable): nothing was stored, so the visitor
            # keeps every answer and sends again, rather than meeting an error page.
            db.session.rollback()
            log.error("request form: the database could not be reached; the visitor was asked to resend")
            form.form_token.errors = [DATABASE_AWAY]
            sent, status = None, 503
        if sent is not None:
            return redirect(confirmation_url(confirmation_token(settings.secret_key, sent)), 303)
    form.form_token.data = issue_form_token(settings.secret_key, _first_shown(form, settings))
    return render_template(template, form=form, **context), status


def _first_shown(form: RequestForm, settings: Settings) -> datetime | None:
    """When the form sent back was first shown (its token's time), or None for a token that was not
    good (the visitor then starts a fresh count, as on a new page)."""
    try:
        return read_form_token(settings.secret_key, form.form_token.data, settings.form_token_minutes * 60)[1]
    except FormTokenProblem:
        return None


def _blank_form_page(template: str, initial: dict[str, Any] | None, context: dict[str, Any]) -> str:
    """The form before anything is sent. It is the same page for every visitor but for its token, so
    it is rendered once per process for each set of embed options, and each visit gets it with a
    fresh token put in."""
    token = issue_form_token(services.settings().secret_key)
    times = bookable_times_now()

    def render(form_token: str) -> str:
        form = RequestForm(data=initial)
        for visit, open_times in times.items():
            if open_times:
                form.offer_times(days_to_offer(open_times), visit)
        form.form_token.data = form_token
        return render_template(template, form=form, **context)

    # The open times change with the clock and every booking: a page that offers them is never kept.
    if any(times.values()):
        return render(token)

    # A message flashed by a staff page in this browser shows once, on the next page: this visitor's
    # own page, not one to keep. With templates reloaded on change (flask run --debug), a kept page
    # would hide the change.
    if "_flashes" in session or current_app.jinja_env.auto_reload:
        return render(token)
    # Everything the page is rendered from besides the app itself (whose settings, clinic details and
    # static files' versions stay put for the life of the process): the template, what the view
    # passes (the embed's checked options; their order is the order of the form's action's query),
    # the page's language and whether it was picked (then its links carry it), and the prefix the app is served under, which url_for() puts before every address.
    key = (template, str(get_locale()), chosen_language(), request.script_root, repr(initial), repr(context))
    return rendered_pages(current_app._get_current_object()).page(key, render, token)  # type: ignore[attr-defined]


def own_origins() -> set[str]:
    """This app's origin: PUBLIC_BASE_URL's, never the one a request's Host header names, which any
    client can set. On a developer's machine, localhost and 127.0.0.1 are the same place."""
    return same_machine_origins(origin_of(services.settings().public_base_url))


def _refuse(form: RequestForm) -> str | None:
    embed_origins = set(services.settings().embed_allowed_origins)
    if not origin_allowed(request.headers.get("Origin"), own_origins(), embed_origins):
        form.form_token.errors = [FOREIGN_ORIGIN]
        return FOREIGN_ORIGIN
    return None


def visit_rules(visit: str) -> BookingRules:
    """The booking rules of a visit type: the new-patient appointment has its own length."""
    if visit == VisitType.NEW_PATIENT:
        return new_patient_rules(services.settings())
    return services.booking_rules()


def bookable_times_now() -> VisitTimes:
    """The open times of each visit type that can be booked: the free consultation's, and the
    new-patient appointment's when BOOKING_NEW_PATIENT is on (times its longer length fits)."""
    times = {VisitType.CONSULTATION: open_times_now()}
    if services.settings().booking_new_patient:
        times[VisitType.NEW_PATIENT] = open_times_now(visit_rules(VisitType.NEW_PATIENT))
    return times


def open_times_now(rules: BookingRules | None = None) -> OpenTimes:
    """The open times a picker shows (for the free consultation, unless other rules are given): from
    now, first FIRST_LOOK days and, only when fewer than DAYS_SHOWN of them have times, on to the
    horizon, since working out a month of every provider's times costs each page and each send.
    Empty when no provider has hours, and when the database is away (the form then asks for a
    call-back, as it does without hours)."""
    rules = rules or services.booking_rules()
    now = utcnow()
    today = now.astimezone(ZoneInfo(rules.zone)).date()
    every_day = rules.horizon_days + 1
    try:
        times = clinic_open_times(db.session, rules, now, today, min(FIRST_LOOK, every_day))
        if len(group_by_day(moment for moment, _ in times)) < DAYS_SHOWN and every_day > FIRST_LOOK:
            later = today + timedelta(days=FIRST_LOOK)
            times += clinic_open_times(db.session, rules, now, later, every_day - FIRST_LOOK)
        return times
    except (OperationalError, InterfaceError):
        db.session.rollback()
        log.error("request form: the open times could not be read; the form asks for a call-back")
        return []


def providers_open_at(picked: datetime, rules: BookingRules) -> list[int] | None:
    """The providers free at the picked time, worked out for its day alone; None when it is not one of
    the open times (taken, too soon, past the horizon, on a closed date, off the steps)."""
    day = picked.astimezone(ZoneInfo(rules.zone)).date()
    times = clinic_open_times(db.session, rules, utcnow(), day, 1)
    return {to_utc(moment): free for moment, free in times}.get(to_utc(picked))


def days_to_offer(
    times: OpenTimes, near: datetime | None = None, every_time: bool = False
) -> list[tuple[date, list[datetime]]]:
    """The days and times the picker shows: the first DAYS_SHOWN days with times, each with at most
    TIMES_A_DAY spread over the day (every one, for staff on the phone with a patient). With ``near``
    (a time just taken), the days and times nearest to it, its own day first."""
    grouped = group_by_day(moment for moment, _providers in times)
    if near is None:
        most = None if every_time else TIMES_A_DAY
        return [(day, _spread(moments, most)) for day, moments in grouped[:DAYS_SHOWN]]

    def distance(moment: datetime) -> timedelta:
        return abs(to_utc(moment) - to_utc(near))

    nearest_days = sorted(grouped, key=lambda item: min(distance(moment) for moment in item[1]))
    return [
        (day, sorted(sorted(moments, key=distance)[:TIMES_A_DAY], key=to_utc))
        for day, moments in nearest_days[:DAYS_SHOWN]
    ]


def _spread(moments: list[datetime], most: int | None) -> list[datetime]:
    if most is None or len(moments) <= most:
        return moments
    step = (len(moments) - 1) / (most - 1)
    return [moments[round(index * step)] for index in range(most)]


def _time_taken(form: RequestForm, visit: VisitType, picked: datetime) -> None:
    """The picked time is not open (taken by someone else, or never offered): the form comes back
    with every answer kept and the nearest open times first, in the chosen visit type's picker."""
    form.offer_times(days_to_offer(open_times_now(visit_rules(visit)), near=picked), visit)
    form.slot_field(visit).errors = [TIME_TAKEN]


def _booker(
    picked: datetime, providers: list[int], rules: BookingRules
) -> Callable[[ConsultationRequest], str]:
    """Books the picked time, for the rules' length, for the stored request with the first of its
    providers who is still free (the database decides); its line for the staff email. SlotTaken when
    none is."""
    starts_at = to_utc(picked)

    def book_it(stored: ConsultationRequest) -> str:
        for provider_id in providers:
            try:
                booking = book(db.session, stored.id, provider_id, starts_at, starts_at + rules.length)
            except SlotTaken:
                continue
            # The patient's confirmation (with its invite) and reminder go in the same transaction.
            settings, link = services.settings(), manage_url(booking)
            queue_booking_confirmation(db.session, stored, booking, settings, manage_url=link)
            queue_reminder(db.session, stored, booking, settings, manage_url=link)
            provider = db.session.get_one(StaffUser, provider_id)
            return f"{time_in_words(picked, rules.zone, 'en')} with {provider.name}"
        raise SlotTaken(f"every provider is booked at {starts_at}")

    return book_it


def _store_once(form: RequestForm, times: VisitTimes) -> ConsultationRequest | None:
    settings = services.settings()
    try:
        nonce, shown_at = read_form_token(
            settings.secret_key, form.form_token.data, settings.form_token_minutes * 60
        )
    except FormTokenProblem:
        form.validate()
        form.form_token.errors = [EXPIRED_FORM]
        return None
    already = request_already_sent(db.session, nonce)
    if already is not None:
        return already
    if not form.validate():
        return None
    bot = spam_reason(
        form.website.data, shown_at, datetime.now(UTC), timedelta(seconds=settings.min_fill_seconds)
    )
    booker = None
    picked = form.picked_time() if form.wants_a_time() else None
    # wants_a_time() is true only for a visit type whose picker is on the page, so it has open times.
    visit = VisitType(form.visit_type.data)
    if picked is not None:
        # Still one of the open times (not past the horizon, too soon, on a closed date, taken)?
        providers = providers_open_at(picked, visit_rules(visit)) if visit in times else None
        if providers is None:
            _time_taken(form, visit, picked)
            return None
        # A bot's request is kept for owners to see, but takes no one's time.
        booker = _booker(picked, providers, visit_rules(visit)) if bot is None else None
    try:
        sent = submit_request(
            db.session,
            form.to_answers(),
            services.clinic(),
            services.services().rule_books,
            settings,
            note_url=lambda stored: confirmation_address(settings, stored),
            spam_reason=bot,
            book=booker,
        )
    except SlotTaken:
        # Someone else's booking of that time was written first: nothing of this request is kept.
        db.session.rollback()
        already = request_already_sent(db.session, nonce)  # this same form, sent twice at once
        if already is not None:
            return already
        assert picked is not None
        _time_taken(form, visit, picked)
        return None
    mark_sent(db.session, nonce, sent)
    try:
        db.session.commit()
    except IntegrityError:
        # The same form, sent twice at once: the other copy was stored first.
        db.session.rollback()
        return request_already_sent(db.session, nonce)
    services.wake_outbox_worker()
    return sent


def request_for_confirmation(token: str) -> ConsultationRequest | None:
    """The request a confirmation link names, or None when the link is forged, damaged or too old."""
    settings = services.settings()
    return request_for_token(db.session, settings.secret_key, token, settings.confirmation_link_minutes * 60)
