"""The demo's closed loop: service cases, the messages they caused and a proactive notice.

It builds on the voice of the customer: the hero case of the dropped-calls story (a Modell X
owner's complaint, the inquiry at the maker, the promised call back, the fix and the goodwill),
the notice about the fix to every owner of the model, and a queue of cases opened from the
detractor answers and complaints of the last weeks, each in the state its history left it.

Everything goes through the features' services, each called with the simulated time of its step,
so the case histories, SLA clocks, messages, timeline entries and re-surveys are the ones the
running system writes. Messages are delivered through outreach's ``deliver`` to quiet adapters
that only count. Row ids come from a seeded generator that follows the simulated clock, so the
same seed gives the same rows and time-ordered ids match their moment, as elsewhere in the demo.
"""

from __future__ import annotations

import random
import uuid
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import TYPE_CHECKING, Any
from unittest import mock
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.orm import Session

import cxm.db as _ids
from cxm.accounts.models import User
from cxm.cases import services as cases
from cxm.cases import signals
from cxm.cases.domain import BUSINESS_DAY, CaseSource, CaseStatus, Priority, calendar_from_code
from cxm.cases.domain import add_business_time as _add_business_time
from cxm.cases.models import Case
from cxm.consent.domain import ContactChannel, Purpose
from cxm.customers.models import Customer, Holding
from cxm.demo import data
from cxm.demo.common import Progress, uuid7_from
from cxm.feedback import services as feedback
from cxm.feedback.domain import FeedbackSource
from cxm.feedback.models import Feedback
from cxm.interactions import services as interactions
from cxm.interactions.domain import Direction, NewInteraction
from cxm.interactions.models import Interaction
from cxm.outreach import services as outreach
from cxm.outreach.channels import EmailAdapter, Outbound, Receipt
from cxm.outreach.domain import MessageStatus
from cxm.outreach.models import Notice, OutboundMessage
from cxm.shared import watermarks
from cxm.surveys import dispatch
from cxm.surveys import services as surveys
from cxm.surveys.domain import InvitationStatus, QuestionType
from cxm.surveys.models import Survey, SurveyAnswer, SurveyInvitation, SurveyResponse
from cxm.touchpoints.models import Touchpoint

if TYPE_CHECKING:
    from cxm.demo.generator import _Catalogue
    from cxm.demo.voc import Story

__all__ = ["CaseCounts", "QuietMailer", "QuietPush", "hero_case", "load"]

CALENDAR = "DE-BE"
# Links in the demo's sent messages; the demo signs survey links with its own key.
BASE_URL = "https://service.lindenfunk.example"
SECRET = "lindenfunk-demo-survey-links"
UPDATE_LINK = "https://lindenfunk.example/modell-x/update-2-3-1"
MAKER = "Hersteller Modell X"
HERO_QUESTION = "Bekannter Softwarefehler bei Gesprächsabbrüchen?"
HERO_GOODWILL = ("100 Freiminuten", 5.00)
# Signals of this many days before now open cases; those of the last three weeks all.
WINDOW = timedelta(days=45)
RECENT = timedelta(days=21)
# Cases per customer in the window (about 125 for the 5,000 customers of the full demo;
# each costs about 0.15 s of the build, mostly in delivering its messages).
CASES_PER_CUSTOMER = 0.025
MIN_CASES = 40
# Steps later than this before now are left undone; cases opened in it keep their
# acknowledgement queued for the worker, as if it had not run yet.
QUIET = timedelta(minutes=45)
DELIVERY_LAG = timedelta(seconds=40)
BERLIN = ZoneInfo("Europe/Berlin")


@dataclass(frozen=True, slots=True)
class CaseCounts:
    """What the closed loop added (the deltas of tables other stages count too)."""

    cases: int
    open_cases: int
    notices: int
    messages: int  # sent (or delivered) to customers
    hero_case: str | None
    interactions: int
    surveys: int
    invitations: int
    responses: int
    feedback: int


# ----------------------------------------------------------------------------------------------
# Quiet delivery: the demo's past messages are recorded as sent without printing them


@dataclass
class QuietMailer:
    """A Mailer that only counts: the demo sends thousands of past messages."""

    sent: int = 0

    def send(
        self,
        *,
        to: str,
        subject: str,
        body: str,
        html: str | None = None,
        message_id: str | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> str:
        self.sent += 1
        return message_id or f"<demo-{self.sent}@lindenfunk.example>"


@dataclass
class QuietPush:
    """SMS, messenger and app push of the demo: counted, never sent."""

    channels: frozenset[ContactChannel] = frozenset(
        {ContactChannel.SMS, ContactChannel.MESSENGER, ContactChannel.APP}
    )
    sent: int = 0

    def send(self, message: Outbound) -> Receipt:
        self.sent += 1
        return Receipt(provider_id=f"demo-{message.message_id}", status=MessageStatus.DELIVERED)


def _context() -> outreach.DeliveryContext:
    push = QuietPush()
    return outreach.DeliveryContext(
        adapters={
            ContactChannel.EMAIL: EmailAdapter(
                QuietMailer(), message_id_domain="lindenfunk.example"
            ),
            **{channel: push for channel in push.channels},
        },
        base_url=BASE_URL,
        secret=SECRET,
        company_name="Lindenfunk",
    )


# ----------------------------------------------------------------------------------------------
# Ids that follow the simulated clock


class _Clock:
    """The simulated time of the current step; ids drawn from the seed at that moment."""

    def __init__(self, rng: random.Random, at: datetime) -> None:
        self.rng = rng
        self.at = at
        self._last = 0

    def uuid7(self, *, nanoseconds: int | None = None) -> uuid.UUID:
        value = uuid7_from(self.rng, self.at).int
        if value <= self._last and value >> 80 == self._last >> 80:
            # the same millisecond: ids keep the order the rows were written in (a case's
            # "closed" comes before the re-survey sent with it), as live UUIDv7 ids do
            value = self._last + 1
        self._last = value
        return uuid.UUID(int=value)


@contextmanager
def _ids_from(clock: _Clock) -> Iterator[None]:
    # The services take their ids from cxm.db.new_id (UUIDv7 of the wall clock, random bits).
    # The demo must be the same for a seed, and its interaction ids must carry their moment as
    # the rest of the demo's do, so while it runs new ids come from the simulated clock.
    with mock.patch.object(_ids, "uuid7", clock.uuid7):
        yield


# ----------------------------------------------------------------------------------------------
# Steps on a simulated timeline


@dataclass(order=True)
class _Step:
    at: datetime
    seq: int
    run: Callable[[datetime], None] = field(compare=False)
    sends: bool = field(default=False, compare=False)  # may queue messages to the customer


@dataclass(slots=True)
class _Track:
    """What the steps of one case learn as they run (ids the later steps need)."""

    case_id: uuid.UUID | None = None
    skip: bool = False
    promise_id: uuid.UUID | None = None
    task_id: uuid.UUID | None = None
    interaction_id: uuid.UUID | None = None
    feedback_id: uuid.UUID | None = None
    notice_id: uuid.UUID | None = None


@dataclass(frozen=True, slots=True)
class _Signal:
    kind: str  # detractor | complaint
    ref: uuid.UUID
    at: datetime
    customer_id: uuid.UUID
    language: str
    subject: str
    description: str | None
    topic: str | None
    topics: tuple[str, ...]
    touchpoint_id: uuid.UUID | None
    score: int | None = None
    severity: str | None = None
    product_model: str | None = None


# Demo topics (feedback topics and comment themes) -> text-analytics taxonomy topics.
_TOPICS: dict[str, tuple[str, ...]] = {
    "dropped_calls": ("network_quality", "product_defect"),
    "network": ("network_quality",),
    "billing": ("billing",),
    "waiting_time": ("hotline_waiting",),
    "ok_but_wait": ("hotline_waiting",),
    "callback_missing": ("hotline_waiting", "staff"),
    "shop_queue": ("hotline_waiting",),
    "staff_unfriendly": ("staff",),
    "service": ("staff",),
    "unresolved": ("staff",),
    "price": ("price_tariff",),
    "ok_price": ("price_tariff",),
    "contract": ("contract_cancellation",),
    "delivery": ("delivery_provisioning",),
    "activation": ("delivery_provisioning",),
    "website": ("website_app",),
    "ok_website": ("website_app",),
    "app": ("website_app",),
    "device": ("product_defect",),
}
# Without a comment, the touchpoint says what the detractor was about.
_TOUCHPOINT_TOPIC = {
    "hotline_billing": "billing",
    "hotline_technical": "network_quality",
    "hotline_general": "hotline_waiting",
    "hotline_sales": "price_tariff",
    "web_home": "website_app",
}
_CATEGORY = {
    "billing": "billing",
    "network_quality": "technical",
    "product_defect": "technical",
    "website_app": "technical",
}
# The team when the touchpoint names none.
_TEAM = {
    "billing": "abrechnung",
    "network_quality": "technik",
    "product_defect": "technik",
    "website_app": "online",
    "price_tariff": "vertrieb",
    "delivery_provisioning": "vertrieb",
}
_ROOT_CAUSES: dict[str | None, tuple[str, ...]] = {
    "billing": ("billing_error", "billing_error", "tariff_misunderstanding"),
    "network_quality": ("network_coverage", "network_outage", "device_settings"),
    "product_defect": ("device_hardware", "device_software"),
    "hotline_waiting": ("staffing", "staffing", "callback_not_made"),
    "staff": ("agent_behaviour", "wrong_information"),
    "price_tariff": ("tariff_advice",),
    "contract_cancellation": ("process_error", "wrong_information"),
    "delivery_provisioning": ("logistics", "provisioning_error"),
    "website_app": ("app_bug", "usability"),
    None: ("other", "wrong_information"),
}
_RESOLUTION = {
    "billing_error": "Fehlbuchung storniert, Betrag gutgeschrieben.",
    "tariff_misunderstanding": "Rechnung erklärt; Tarifdetails per E-Mail zugeschickt.",
    "network_coverage": "Versorgungslücke bestätigt; Ausbau im Quartalsplan, bis dahin WLAN-Call.",
    "network_outage": "Störung am Standort behoben (Technik-Ticket geschlossen).",
    "device_settings": "Geräteeinstellungen korrigiert (VoLTE aktiviert).",
    "device_hardware": "Gerät getauscht.",
    "device_software": "Software-Update eingespielt.",
    "staffing": "Entschuldigt; Rückruf erledigt. Personalplanung Hotline angepasst.",
    "callback_not_made": "Versäumten Rückruf nachgeholt und entschuldigt.",
    "agent_behaviour": "Gespräch mit der Teamleitung; Feedback an die Mitarbeitenden gegeben.",
    "wrong_information": "Richtige Auskunft gegeben und schriftlich bestätigt.",
    "tariff_advice": "In günstigeren Tarif gewechselt.",
    "process_error": "Vertragsdaten korrigiert; Bestätigung verschickt.",
    "logistics": "Sendung beim Logistikpartner nachverfolgt und zugestellt.",
    "provisioning_error": "Anschluss/SIM neu geschaltet.",
    "app_bug": "Fehler in der App bestätigt; mit Version 4.2 behoben.",
    "usability": "Weg im Kundenportal erklärt; Hinweis an das Online-Team.",
    "other": "Anliegen geklärt.",
}
_GOODWILL = (("Gutschrift 10 €", 10.0), ("Eine Monatsgrundgebühr erlassen", 19.99),
             ("100 Freiminuten", 5.0), ("5 GB Datenvolumen", 5.0))  # fmt: skip
_CHECKS: dict[str, tuple[str, str]] = {
    "network_quality": ("Netzbetrieb", "Funkmessung am Standort: Störung oder Versorgungslücke?"),
    "product_defect": ("Reparaturpartner", "Garantiefall? Kostenvoranschlag für die Reparatur."),
    "delivery_provisioning": ("Logistikpartner", "Sendungsstatus und Zustellnachweis?"),
    "billing": ("Abrechnungsdienstleister", "Doppelte Buchung im Abrechnungslauf?"),
}
_REPLIES: dict[str | None, tuple[str, str]] = {
    "billing": (
        "wir haben Ihre Rechnung geprüft. Den zu viel berechneten Betrag schreiben wir Ihnen mit "
        "der nächsten Rechnung gut.",
        "we have checked your invoice. The amount charged in excess will be credited on your "
        "next invoice.",
    ),
    "network_quality": (
        "wir haben die Netzqualität an Ihrer Adresse geprüft und eine Messung beauftragt. Sobald "
        "das Ergebnis da ist, melden wir uns bei Ihnen.",
        "we have checked the network at your address and ordered a measurement. We will get back "
        "to you as soon as we have the result.",
    ),
    "product_defect": (
        "Ihr Gerät können Sie in jedem Lindenfunk-Shop abgeben; dort bekommen Sie sofort ein "
        "Ersatzgerät für die Dauer der Reparatur.",
        "you can hand in your device at any Lindenfunk shop; you will get a replacement there "
        "straight away while it is repaired.",
    ),
    "hotline_waiting": (
        "es tut uns leid, dass Sie so lange warten mussten. Ihr Anliegen haben wir jetzt direkt "
        "aufgenommen und kümmern uns darum.",
        "we are sorry you had to wait so long. We have now taken up your request directly and "
        "are taking care of it.",
    ),
    "staff": (
        "vielen Dank für Ihre offenen Worte. Wir haben Ihr Anliegen mit dem Team besprochen und "
        "kümmern uns persönlich darum.",
        "thank you for telling us so openly. We have discussed your request with the team and "
        "are taking care of it personally.",
    ),
    "price_tariff": (
        "wir haben Ihre Nutzung der letzten Monate angesehen: Mit einem anderen Tarif zahlen Sie "
        "weniger. Gern stellen wir für Sie um.",
        "we have looked at your usage over the last months: another tariff would cost you less. "
        "We are happy to switch you.",
    ),
    "contract_cancellation": (
        "wir haben Ihre Vertragsdaten geprüft und korrigiert. Die Bestätigung erhalten Sie in den "
        "nächsten Tagen.",
        "we have checked and corrected your contract details. You will receive the confirmation "
        "in the next few days.",
    ),
    "delivery_provisioning": (
        "wir haben beim Logistikpartner nachgefragt; Ihre Sendung ist unterwegs und kommt in den "
        "nächsten Tagen bei Ihnen an.",
        "we have checked with our logistics partner; your parcel is on its way and will reach "
        "you in the next few days.",
    ),
    "website_app": (
        "der Fehler in der App ist uns bekannt; das Update auf Version 4.2 behebt ihn. Bis dahin "
        "erreichen Sie alle Funktionen im Kundenportal.",
        "the fault in the app is known to us; the update to version 4.2 fixes it. Until then you "
        "can reach every function in the customer portal.",
    ),
    None: (
        "vielen Dank für Ihre Rückmeldung. Wir kümmern uns um Ihr Anliegen und melden uns, sobald "
        "wir mehr wissen.",
        "thank you for your feedback. We are taking care of your request and will get back to "
        "you as soon as we know more.",
    ),
}


# ----------------------------------------------------------------------------------------------
# Loading


def load(
    db: Session,
    rng: random.Random,
    catalogue: _Catalogue,
    *,
    story: Story,
    report: Progress,
) -> CaseCounts:
    """Adds the hero case, the notice about the fix and a queue of cases from recent signals."""
    before = _counts(db)
    loop = _Loop(db, rng, catalogue, story)
    with _ids_from(loop.clock):
        loop.hero()
        loop.queue()
        loop.run(report)
        loop.finish()
    hero = loop.hero_track.case_id
    after = _counts(db)
    delta = {name: after[name] - before[name] for name in after}
    open_cases = db.scalar(select(func.count()).select_from(Case).where(Case.is_open.is_(True)))
    sent = db.scalar(
        select(func.count())
        .select_from(OutboundMessage)
        .where(OutboundMessage.status.in_([MessageStatus.SENT, MessageStatus.DELIVERED]))
    )
    return CaseCounts(
        cases=delta["cases"],
        open_cases=int(open_cases or 0),
        notices=delta["notices"],
        messages=int(sent or 0),
        hero_case=cases.get_case(db, hero).reference if hero else None,
        interactions=delta["interactions"],
        surveys=delta["surveys"],
        invitations=delta["invitations"],
        responses=delta["responses"],
        feedback=delta["feedback"],
    )


def _counts(db: Session) -> dict[str, int]:
    tables: dict[str, type[Any]] = {
        "cases": Case,
        "notices": Notice,
        "interactions": Interaction,
        "surveys": Survey,
        "invitations": SurveyInvitation,
        "responses": SurveyResponse,
        "feedback": Feedback,
    }
    return {
        name: int(db.scalar(select(func.count()).select_from(model)) or 0)
        for name, model in tables.items()
    }


class _Loop:
    def __init__(
        self, db: Session, rng: random.Random, catalogue: _Catalogue, story: Story
    ) -> None:
        self.db = db
        self.rng = rng
        self.cat = catalogue
        self.story = story
        self.now = story.now
        self.cutoff = story.now - QUIET
        self.clock = _Clock(random.Random(rng.getrandbits(64)), story.start)
        self.ctx = _context()
        self.calendar = calendar_from_code(CALENDAR)
        self.steps: list[_Step] = []
        self.held: list[_Step] = []
        self.dept_key = {dept_id: key for key, dept_id in catalogue.departments.items()}
        self.tp = {
            row.id: (row.key, row.department_id)
            for row in db.execute(select(Touchpoint.id, Touchpoint.key, Touchpoint.department_id))
        }
        self.manager = db.scalar(
            select(User.id).where(User.role == "cx_manager").order_by(User.email).limit(1)
        )
        self.hero_customer: uuid.UUID | None = None
        self.hero_track = _Track()

    # -- plumbing ----------------------------------------------------------------------------

    def at(self, when: datetime, run: Callable[[datetime], None], *, sends: bool = False) -> None:
        """Plans a step; steps in the quiet minutes before now are left undone."""
        step = _Step(when, len(self.steps) + len(self.held), run, sends)
        if when < self.cutoff:
            self.steps.append(step)

    def hold(self, when: datetime, run: Callable[[datetime], None]) -> None:
        """Plans an opening in the quiet minutes: it runs last and its messages stay queued."""
        if when >= self.now:
            return
        step = _Step(when, len(self.steps) + len(self.held), run, sends=True)
        (self.held if when >= self.cutoff else self.steps).append(step)

    def on(
        self,
        track: _Track,
        when: datetime,
        run: Callable[[uuid.UUID, datetime], None],
        *,
        sends: bool = False,
    ) -> None:
        """Plans a step on the case of the track (skipped when it was linked or not opened)."""

        def step(at: datetime) -> None:
            if track.case_id is not None and not track.skip:
                run(track.case_id, at)

        self.at(when, step, sends=sends)

    def run(self, report: Progress) -> None:
        ordered = sorted(self.steps)
        total = len(ordered) + len(self.held)
        report("cases", 0, total)
        for done, step in enumerate(ordered, start=1):
            self.clock.at = step.at
            step.run(step.at)
            if step.sends:
                # The worker sends within the minute, after the step that queued the message.
                self.clock.at = step.at + DELIVERY_LAG
                self.deliver(self.clock.at)
            if done % 100 == 0:
                report("cases", done, total)
        for step in sorted(self.held):
            self.clock.at = step.at
            step.run(step.at)
        report("cases", total, total)

    def deliver(self, at: datetime) -> None:
        """Sends what the step queued, as the worker would within the minute."""
        while sum(outreach.deliver(self.db, self.ctx, now=at, limit=500).values()) == 500:
            pass

    def office(self, when: datetime, *, spread: int = 90) -> datetime:
        """The moment itself in office hours (Mon-Fri 8-18 Berlin), else the next opening."""
        local = when.astimezone(BERLIN)
        if local.weekday() < 5 and time(8) <= local.time() < time(18):
            return when
        day = local.date() if local.time() < time(8) else local.date() + timedelta(days=1)
        while day.weekday() >= 5:
            day += timedelta(days=1)
        opening = datetime.combine(day, time(8), BERLIN).astimezone(UTC)
        return opening + timedelta(minutes=self.rng.randrange(5, spread))

    def business(self, start: datetime, duration: timedelta) -> datetime:
        return _add_business_time(self.calendar, start, duration)

    def agents_of(self, team: str) -> list[uuid.UUID]:
        agents = self.cat.agents.get(team) or self.cat.agents.get("kundenservice") or []
        return [a.id for a in agents]

    # -- the hero case -----------------------------------------------------------------------

    def hero(self) -> None:
        """Plans the dropped-calls story end to end, one step per thing that happens."""
        chosen = self._hero_customer()
        if chosen is None:
            return
        customer, agent = chosen
        self.hero_customer = customer.id
        track = self.hero_track
        db = self.db
        day0 = self._hero_day()
        day1 = _next_weekday(day0)
        day2 = _next_weekday(day1)

        def berlin(day: date, hour: int, minute: int) -> datetime:
            return datetime.combine(day, time(hour, minute), BERLIN).astimezone(UTC)

        call = berlin(day0, 14, 5)
        opened = call + timedelta(minutes=13)
        english = str(customer.language) == "en"
        woman = str(customer.salutation) == "ms"
        kunde = "Kundin" if woman else "Kunde"
        place = " ".join(
            str(part)
            for part in (customer.postal_code, (customer.attributes or {}).get("city"))
            if part
        )
        technik = self.cat.departments.get("technik")
        complaint_text = (
            "Seit Wochen brechen meine Gespräche mit dem Smartphone Modell X ständig ab, meist "
            "nach ein, zwei Minuten – zu Hause und unterwegs. Ich bin beruflich auf das Telefon "
            "angewiesen. Bitte helfen Sie mir."
        )
        if english:
            complaint_text = (
                "For weeks my calls on the Smartphone Modell X keep dropping, mostly after a "
                "minute or two – at home and on the move. I need the phone for my work. Please "
                "help me."
            )
        about = {"demo_topic": "dropped_calls", "severity": "high", "via": "hotline"}

        def complaint(at: datetime) -> None:
            interaction, _key, _new = interactions.record(
                db,
                NewInteraction(
                    type="complaint",
                    occurred_at=at,
                    event_id="demo-hero-complaint",
                    customer_id=customer.id,
                    touchpoint="hotline_technical",
                    employee_id=agent,
                    text=complaint_text,
                    properties={**about, "model": data.FAULTY_MODEL},
                ),
                now=at,
            )
            track.interaction_id = interaction.id

        def recorded(at: datetime) -> None:
            item, _ = feedback.record_feedback(
                db,
                source=FeedbackSource.COMPLAINT,
                text=complaint_text,
                occurred_at=call,
                now=at,
                customer_id=customer.id,
                touchpoint="hotline_technical",
                language=str(customer.language),
                product_model=data.FAULTY_MODEL,
                recorded_by=agent,
                properties={"topic": "dropped_calls", **about},
                commit=False,
            )
            item.interaction_id = track.interaction_id
            db.commit()
            track.feedback_id = item.id

        def open_(at: datetime) -> None:
            result = cases.open_case(
                db,
                customer_id=customer.id,
                subject=(
                    "Dropped calls on the Smartphone Modell X"
                    if english
                    else "Gesprächsabbrüche mit dem Smartphone Modell X"
                ),
                description=complaint_text,
                now=at,
                calendar_code=CALENDAR,
                category="technical",
                priority=Priority.HIGH,
                source=CaseSource.COMPLAINT,
                feedback_id=track.feedback_id,
                touchpoint_id=self.cat.touchpoints["hotline_technical"][0],
                topic="network_quality",
                topics=("network_quality", "product_defect"),
                product_model=data.FAULTY_MODEL,
                opened_by=agent,
                signal_kind="complaint",
                signal_ref=str(track.feedback_id),
            )
            track.case_id = result.case.id

        def take(case_id: uuid.UUID, at: datetime) -> None:
            cases.assign(db, case_id, assignee_id=agent, team_id=technik, now=at, actor_id=agent)

        def checked_network(case_id: uuid.UUID, at: datetime) -> None:
            cases.add_note(
                db,
                case_id,
                text=(
                    f"Netzprüfung für {place}: keine Störung, gute LTE- und 5G-Versorgung. "
                    f"Kein Netzfehler am Standort {'der Kundin' if woman else 'des Kunden'}. "
                    "Verdacht auf das Gerät (Smartphone Modell X, Firmware 2.3.0)."
                ),
                now=at,
                actor_id=agent,
            )

        def work(case_id: uuid.UUID, at: datetime) -> None:
            cases.transition(db, case_id, CaseStatus.IN_PROGRESS, now=at, actor_id=agent)

        def inquire(case_id: uuid.UUID, at: datetime) -> None:
            task = cases.add_task(
                db,
                case_id,
                party=MAKER,
                question=HERO_QUESTION,
                due_at=self.business(at, 2 * BUSINESS_DAY),
                now=at,
                created_by=agent,
            )
            track.task_id = task.id

        def wait(case_id: uuid.UUID, at: datetime) -> None:
            cases.transition(
                db,
                case_id,
                CaseStatus.WAITING_THIRD_PARTY,
                now=at,
                actor_id=agent,
                note="Anfrage beim Hersteller gestellt; Rückruf zugesagt.",
            )

        def promise(case_id: uuid.UUID, at: datetime) -> None:
            # The agent answered on the phone: that is the first response.
            cases.record_first_response(db, case_id, now=at, actor_id=agent, how="call")
            made = cases.make_promise(
                db,
                case_id,
                description="Rückruf innerhalb von 24 Stunden mit der Antwort des Herstellers",
                due_at=opened + timedelta(hours=24),
                now=at,
                made_by=agent,
            )
            track.promise_id = made.id

        def answered(case_id: uuid.UUID, at: datetime) -> None:
            assert track.task_id is not None
            cases.answer_task(
                db,
                track.task_id,
                answer=(
                    "Ja: bekannter Softwarefehler in Firmware 2.3.0 (Gesprächsübergabe zwischen "
                    "LTE und 5G). Das Update 2.3.1 behebt ihn und steht ab sofort bereit."
                ),
                now=at,
                actor_id=agent,
            )

        def callback(case_id: uuid.UUID, at: datetime) -> None:
            interactions.record(
                db,
                NewInteraction(
                    type="call",
                    occurred_at=at,
                    direction=Direction.OUT,
                    event_id="demo-hero-callback",
                    customer_id=customer.id,
                    touchpoint="call_callback",
                    employee_id=agent,
                    text=(
                        f"Rückruf wie zugesagt. {kunde} Schritt für Schritt durch das Update "
                        "2.3.1 geführt; Testanruf ohne Abbruch."
                    ),
                    properties={
                        "duration_s": 1260,
                        "goodwill_minutes": 100,
                        "resolved": True,
                        "demo_topic": "dropped_calls",
                        "model": data.FAULTY_MODEL,
                        "case_id": str(case_id),
                    },
                ),
                now=at,
            )

        def kept(case_id: uuid.UUID, at: datetime) -> None:
            assert track.promise_id is not None
            cases.keep_promise(db, track.promise_id, now=at, actor_id=agent)

        def walked_through(case_id: uuid.UUID, at: datetime) -> None:
            cases.add_note(
                db,
                case_id,
                text=(
                    f"Rückruf wie zugesagt: {kunde} durch das Update 2.3.1 geführt (WLAN "
                    "verbinden, Akku über 50 %, Einstellungen › System › Software-Update, "
                    "installieren, neu starten). Testanruf über 5 Minuten ohne Abbruch. "
                    "100 Freiminuten als Kulanz gebucht."
                ),
                now=at,
                actor_id=agent,
            )

        def written(case_id: uuid.UUID, at: datetime) -> None:
            outreach.send_reply(
                db,
                case_id,
                body=(
                    "as discussed on the phone: update 2.3.1 for your Smartphone Modell X fixes "
                    "the dropped calls. Should you need it again: connect to Wi-Fi, charge the "
                    "battery above 50 %, open Settings › System › Software update, install and "
                    f"restart. Details: {UPDATE_LINK}\nWe have added 100 free minutes to your "
                    "account as an apology."
                    if english
                    else "wie eben am Telefon besprochen: Das Update 2.3.1 für Ihr Smartphone "
                    "Modell X behebt die Gesprächsabbrüche. Falls Sie es noch einmal brauchen: "
                    "mit dem WLAN verbinden, Akku über 50 % laden, Einstellungen › System › "
                    f"Software-Update öffnen, installieren und neu starten. Details: {UPDATE_LINK}"
                    "\nAls Entschuldigung haben wir Ihrem Konto 100 Freiminuten gutgeschrieben."
                ),
                now=at,
                sent_by=agent,
                idempotency_key="update-steps",
            )

        def resolve(case_id: uuid.UUID, at: datetime) -> None:
            cases.transition(
                db,
                case_id,
                CaseStatus.RESOLVED,
                now=at,
                actor_id=agent,
                root_cause="device_software",
                resolution_note=(
                    "Softwarefehler des Herstellers in Firmware 2.3.0, mit Update 2.3.1 behoben. "
                    f"{kunde} hat das Update installiert; Testanruf erfolgreich."
                ),
                goodwill=HERO_GOODWILL[0],
                goodwill_value_eur=HERO_GOODWILL[1],
            )

        def notice(case_id: uuid.UUID, at: datetime) -> None:
            item = outreach.create_notice(
                db,
                product_model=data.FAULTY_MODEL,
                title_de="Smartphone Modell X: Update 2.3.1 behebt Gesprächsabbrüche",
                title_en="Smartphone Modell X: update 2.3.1 fixes dropped calls",
                body_de=(
                    "bei einigen Geräten des Smartphone Modell X brechen Gespräche nach ein bis "
                    "zwei Minuten ab. Ursache ist ein Softwarefehler des Herstellers in der "
                    "Firmware 2.3.0, nicht unser Netz. Das Update 2.3.1 behebt den Fehler: "
                    "Verbinden Sie Ihr Gerät mit dem WLAN, laden Sie den Akku auf über 50 %, "
                    "öffnen Sie Einstellungen › System › Software-Update, installieren Sie das "
                    "Update und starten Sie neu. Bricht danach noch ein Gespräch ab, rufen Sie "
                    "uns an – wir helfen Ihnen Schritt für Schritt."
                ),
                body_en=(
                    "on some Smartphone Modell X devices calls drop after a minute or two. The "
                    "cause is a software fault of the maker in firmware 2.3.0, not our network. "
                    "Update 2.3.1 fixes it: connect your device to Wi-Fi, charge the battery "
                    "above 50 %, open Settings › System › Software update, install the update "
                    "and restart. If a call still drops afterwards, call us and we will help "
                    "you step by step."
                ),
                now=at,
                update_link=UPDATE_LINK,
                root_cause="device_software",
                case_id=case_id,
                created_by=self.manager,
            )
            track.notice_id = item.id

        def send(case_id: uuid.UUID, at: datetime) -> None:
            assert track.notice_id is not None
            outreach.send_notice(db, track.notice_id, now=at, sent_by=self.manager)

        def close(case_id: uuid.UUID, at: datetime) -> None:
            cases.transition(
                db,
                case_id,
                CaseStatus.CLOSED,
                now=at,
                actor_id=agent,
                note=f"{kunde} bestätigt: seit dem Update keine Gesprächsabbrüche mehr.",
            )

        def resurvey(case_id: uuid.UUID, at: datetime) -> None:
            self._answer_resurvey(case_id, at, solved="yes", ces=7, nps=9)

        self.at(call, complaint)
        self.at(call + timedelta(minutes=12), recorded)
        self.at(opened, open_, sends=True)
        minute = timedelta(minutes=1)
        for offset, step in enumerate((take, checked_network, work, inquire, wait, promise)):
            self.on(track, opened + (offset + 2) * minute, step, sends=step is wait)
        sending = (wait, written, resolve, send, close)
        for when, step in (
            (berlin(day1, 9, 40), answered),
            (berlin(day1, 9, 41), work),
            (berlin(day1, 10, 30), callback),
            (berlin(day1, 10, 51), kept),
            (berlin(day1, 10, 52), walked_through),
            (berlin(day1, 10, 55), written),
            (berlin(day1, 11, 5), resolve),
            (berlin(day1, 11, 30), notice),
            (berlin(day1, 15, 0), send),
            (berlin(day2, 10, 15), close),
            (berlin(day2, 19, 40), resurvey),
        ):
            self.on(track, when, step, sends=step in sending)

    def _hero_day(self) -> date:
        """The last Monday to Thursday before the maker's fix became known: they answer the
        next day."""
        day = (self.story.fix_known - timedelta(days=1)).astimezone(BERLIN).date()
        while day.weekday() > 3:
            day -= timedelta(days=1)
        return day

    def _hero_customer(self) -> tuple[Customer, uuid.UUID] | None:
        """A Modell X owner reachable by e-mail who had not reported the fault yet; Frau Weber
        if there is one."""
        agents = self.cat.agents.get("technik") or []
        german = [a for a in agents if a.language == "de"] or agents
        if not german:
            return None
        db = self.db
        owners = db.execute(
            select(
                Customer.id,
                Customer.last_name,
                Customer.salutation,
                Customer.language,
                Customer.display_name,
            )
            .join(Holding, Holding.customer_id == Customer.id)
            .where(
                Holding.model == data.FAULTY_MODEL,
                Holding.ended_on.is_(None),
                Holding.started_on <= self._hero_day() - timedelta(days=14),
                Customer.type == "private",
                Customer.merged_into_id.is_(None),
            )
        ).all()
        ids = [row.id for row in owners]
        ended = set(
            db.scalars(
                select(Holding.customer_id).where(
                    Holding.customer_id.in_(ids),
                    Holding.kind == "contract",
                    Holding.ended_on.is_not(None),
                )
            )
        )
        service = outreach.choose_channels(
            db, ids, purpose=Purpose.SERVICE, available=outreach.QUEUEABLE
        )
        survey = outreach.choose_channels(
            db, ids, purpose=Purpose.SURVEY, available=outreach.QUEUEABLE
        )
        eligible = sorted(
            (
                row
                for row in owners
                if row.id not in ended
                and service[row.id].channel is ContactChannel.EMAIL
                and survey[row.id].channel is ContactChannel.EMAIL
            ),
            key=lambda row: (
                row.last_name != "Weber",
                str(row.salutation) != "ms",
                str(row.language) != "de",
                row.display_name + str(row.id),
            ),
        )
        for row in eligible:
            reported = db.scalar(
                select(Interaction.id)
                .where(
                    Interaction.customer_id == row.id,
                    Interaction.properties["demo_topic"].as_string() == "dropped_calls",
                )
                .limit(1)
            )
            if reported is None:
                return _customer(db, row.id), german[0].id
        return (_customer(db, eligible[0].id), german[0].id) if eligible else None

    # -- the queue ---------------------------------------------------------------------------

    def queue(self) -> None:
        """Plans a case for recent detractor answers and complaints (all of the last three weeks,
        a share before), each taken as far as its time allows."""
        found = self._signals()
        customers = int(self.db.scalar(select(func.count()).select_from(Customer)) or 0)
        target = max(MIN_CASES, round(customers * CASES_PER_CUSTOMER))
        recent = [s for s in found if s.at >= self.now - RECENT]
        older = [s for s in found if s.at < self.now - RECENT]
        share = min(1.0, max(target - len(recent), 0) / len(older)) if older else 0.0
        for signal in found:
            if signal in recent or self.rng.random() < share:
                self._plan(signal)

    def _signals(self) -> list[_Signal]:
        db, since = self.db, self.now - WINDOW
        out: list[_Signal] = []
        rows = db.execute(
            select(
                SurveyResponse.id,
                SurveyResponse.customer_id,
                SurveyResponse.submitted_at,
                SurveyResponse.touchpoint_id,
                SurveyResponse.language,
                SurveyResponse.properties,
                SurveyAnswer.score,
            )
            .join(SurveyAnswer, SurveyAnswer.response_id == SurveyResponse.id)
            .join(Survey, Survey.id == SurveyResponse.survey_id)
            .where(
                SurveyAnswer.type == QuestionType.NPS,
                SurveyAnswer.score <= signals.SignalRules().detractor_max,
                SurveyResponse.customer_id.is_not(None),
                SurveyResponse.submitted_at >= since,
                Survey.key != cases.RESURVEY_KEY,
            )
            .order_by(SurveyResponse.submitted_at, SurveyResponse.id)
        ).all()
        comments = dict(
            db.execute(
                select(SurveyAnswer.response_id, SurveyAnswer.text).where(
                    SurveyAnswer.response_id.in_([r.id for r in rows]),
                    SurveyAnswer.text.is_not(None),
                )
            ).all()
        )
        for r in rows:
            comment = comments.get(r.id)
            theme = (r.properties or {}).get("demo_topic")
            topics = _TOPICS.get(str(theme), ()) if theme else ()
            if not topics and r.touchpoint_id in self.tp:
                tp_topic = _TOUCHPOINT_TOPIC.get(self.tp[r.touchpoint_id][0])
                topics = (tp_topic,) if tp_topic else ()
            out.append(
                _Signal(
                    kind="detractor",
                    ref=r.id,
                    at=r.submitted_at,
                    customer_id=r.customer_id,
                    language=r.language or "de",
                    subject=f"NPS {r.score}: {comment[:200]}" if comment else f"NPS {r.score}",
                    description=comment,
                    topic=topics[0] if topics else None,
                    topics=topics,
                    touchpoint_id=r.touchpoint_id,
                    score=r.score,
                )
            )
        for item in db.scalars(
            select(Feedback)
            .where(
                Feedback.source == FeedbackSource.COMPLAINT,
                Feedback.customer_id.is_not(None),
                Feedback.received_at >= since,
            )
            .order_by(Feedback.received_at, Feedback.id)
        ):
            assert item.customer_id is not None
            topics = _TOPICS.get(str((item.properties or {}).get("topic")), ())
            first_line = item.text.strip().splitlines()[0] if item.text.strip() else "Beschwerde"
            out.append(
                _Signal(
                    kind="complaint",
                    ref=item.id,
                    at=item.received_at,
                    customer_id=item.customer_id,
                    language=item.language or "de",
                    subject=first_line[:200],
                    description=item.text,
                    topic=topics[0] if topics else None,
                    topics=topics,
                    touchpoint_id=item.touchpoint_id,
                    severity=str((item.properties or {}).get("severity") or "medium"),
                    product_model=item.product_model,
                )
            )
        out = [s for s in out if s.customer_id != self.hero_customer]
        out.sort(key=lambda s: (s.at, s.kind, str(s.ref)))
        return out

    def _plan(self, s: _Signal) -> None:
        """One case from its signal as far as its time has come: triage, the first answer,
        perhaps a promise, a third-party check or a question to the customer, the solution,
        closing and the re-survey; a few take far longer than their SLA allows."""
        rng, track, db = self.rng, _Track(), self.db
        opened = s.at + timedelta(minutes=rng.randrange(2, 25))
        if opened >= self.now:
            return
        priority = Priority.NORMAL
        roll = rng.random()
        if (s.score is not None and s.score <= 2) or (s.severity == "high" and roll < 0.5):
            priority = Priority.HIGH
        if roll < 0.04:
            priority = Priority.URGENT
        elif roll < 0.10:
            priority = Priority.LOW
        team_key = None
        if s.touchpoint_id in self.tp:
            dept = self.tp[s.touchpoint_id][1]
            team_key = self.dept_key.get(dept) if dept else None
        if team_key is None or team_key in ("cx", "marketing"):
            team_key = _TEAM.get(s.topic or "", "kundenservice")
        team = self.cat.departments.get(team_key)
        agents = self.agents_of(team_key)
        # Routing assigns most cases at once; the rest wait in the team's queue.
        agent = rng.choice(agents) if agents else None
        routed = agent if rng.random() < 0.85 else None

        def open_(at: datetime) -> None:
            result = cases.open_case(
                db,
                customer_id=s.customer_id,
                subject=s.subject,
                description=s.description,
                now=at,
                calendar_code=CALENDAR,
                category=_CATEGORY.get(s.topic or "", "complaint"),
                priority=priority,
                source=CaseSource.DETRACTOR if s.kind == "detractor" else CaseSource.COMPLAINT,
                touchpoint_id=s.touchpoint_id,
                response_id=s.ref if s.kind == "detractor" else None,
                feedback_id=s.ref if s.kind == "complaint" else None,
                topic=s.topic,
                topics=s.topics,
                product_model=s.product_model,
                team_id=team,
                assignee_id=routed,
                signal_kind=s.kind,
                signal_ref=str(s.ref),
            )
            track.case_id = result.case.id
            # A second signal on the same matter joins the open case; nothing more to plan.
            track.skip = not result.created

        # The case opens as the worker reads the signal; people work in office hours.
        self.hold(opened, open_)
        if agent is None:
            return
        t = self.office(opened + timedelta(minutes=rng.randrange(10, 240)))
        if rng.random() < 0.1:
            t = self.office(t + timedelta(days=rng.randrange(1, 4)))

        def work(case_id: uuid.UUID, at: datetime) -> None:
            if routed is None:
                cases.assign(db, case_id, assignee_id=agent, team_id=team, now=at, actor_id=agent)
            cases.transition(db, case_id, CaseStatus.IN_PROGRESS, now=at, actor_id=agent)

        self.on(track, t, work)
        t = self.office(t + _pick(rng, ((0.6, 10, 180), (0.3, 180, 1200), (0.1, 1200, 3000))))
        if rng.random() < 0.5:
            de, en = _REPLIES.get(s.topic, _REPLIES[None])

            def reply(case_id: uuid.UUID, at: datetime) -> None:
                outreach.send_reply(
                    db,
                    case_id,
                    body=en if s.language == "en" else de,
                    now=at,
                    sent_by=agent,
                    idempotency_key="first",
                )

            self.on(track, t, reply, sends=True)
        else:

            def called(case_id: uuid.UUID, at: datetime) -> None:
                cases.record_first_response(db, case_id, now=at, actor_id=agent, how="call")
                cases.add_note(
                    db,
                    case_id,
                    text="Angerufen, Anliegen aufgenommen und die nächsten Schritte erklärt.",
                    now=at,
                    actor_id=agent,
                )

            self.on(track, t, called)
        first = t
        promised: datetime | None = None
        # Agents promise a call back more often while the matter is fresh.
        if rng.random() < (0.8 if t >= self.now - timedelta(days=3) else 0.4):
            promised = t + timedelta(hours=24 if rng.random() < 0.6 else 48)
            keep_at = t + timedelta(minutes=rng.randrange(60, 60 * 40))
            due = promised

            def promise(case_id: uuid.UUID, at: datetime) -> None:
                made = cases.make_promise(
                    db,
                    case_id,
                    description="Rückmeldung mit dem Ergebnis der Prüfung",
                    due_at=due,
                    now=at,
                    made_by=agent,
                )
                track.promise_id = made.id

            self.on(track, t + timedelta(minutes=2), promise)
            t += timedelta(minutes=3)
        check = _CHECKS.get(s.topic or "") if rng.random() < 0.35 else None
        if check is not None:
            party, asked_what = check
            asked = self.office(t + timedelta(minutes=rng.randrange(15, 180)))

            def ask(case_id: uuid.UUID, at: datetime) -> None:
                task = cases.add_task(
                    db,
                    case_id,
                    party=party,
                    question=asked_what,
                    due_at=self.business(at, 2 * BUSINESS_DAY),
                    now=at,
                    created_by=agent,
                )
                track.task_id = task.id
                cases.transition(
                    db, case_id, CaseStatus.WAITING_THIRD_PARTY, now=at, actor_id=agent
                )

            def answer(case_id: uuid.UUID, at: datetime) -> None:
                if track.task_id is not None:
                    cases.answer_task(
                        db, track.task_id, answer="Geprüft; das Ergebnis liegt vor.", now=at,
                        actor_id=agent,
                    )  # fmt: skip
                cases.transition(db, case_id, CaseStatus.IN_PROGRESS, now=at, actor_id=agent)

            t = asked + timedelta(minutes=rng.randrange(180, 60 * 24 * 5))
            self.on(track, asked, ask, sends=True)
            self.on(track, t, answer)
            t += timedelta(minutes=1)
        if rng.random() < 0.22:
            asked = self.office(t + timedelta(minutes=rng.randrange(10, 120)))

            def question(case_id: uuid.UUID, at: datetime) -> None:
                cases.transition(
                    db,
                    case_id,
                    CaseStatus.WAITING_CUSTOMER,
                    now=at,
                    actor_id=agent,
                    note="Rückfrage an die Kundschaft: Angaben bzw. Unterlagen fehlen noch.",
                )

            def resume(case_id: uuid.UUID, at: datetime) -> None:
                cases.transition(
                    db, case_id, CaseStatus.IN_PROGRESS, now=at, actor_id=agent,
                    note="Die Angaben sind da; weiter in Bearbeitung.",
                )  # fmt: skip

            t = asked + timedelta(minutes=rng.randrange(240, 60 * 24 * 6))
            self.on(track, asked, question)
            self.on(track, t, resume)
            t += timedelta(minutes=1)
        # Urgent and high-priority cases are worked on first.
        pace = {Priority.URGENT: 0.3, Priority.HIGH: 0.6, Priority.LOW: 1.3}.get(priority, 1.0)
        work_time = _pick(rng, ((0.2, 60, 600), (0.45, 600, 3000), (0.35, 3000, 9000)))
        resolved = self.office(t + work_time * pace)
        if rng.random() < 0.12:
            resolved += timedelta(days=rng.randrange(6, 20))
        if promised is not None:
            kept = max(min(keep_at, resolved - timedelta(minutes=5)), first + timedelta(minutes=4))
            if rng.random() < 0.15:
                kept = promised + timedelta(hours=rng.randrange(2, 30))

            def keep(case_id: uuid.UUID, at: datetime) -> None:
                if track.promise_id is not None:
                    cases.keep_promise(db, track.promise_id, now=at, actor_id=agent)

            self.on(track, kept, keep)
            resolved = max(resolved, kept + timedelta(minutes=5))
        root = (
            "device_software"
            if s.product_model == data.FAULTY_MODEL
            else rng.choice(_ROOT_CAUSES.get(s.topic, _ROOT_CAUSES[None]))
        )
        goodwill = rng.choice(_GOODWILL) if rng.random() < 0.25 else None

        def resolve(case_id: uuid.UUID, at: datetime) -> None:
            cases.transition(
                db,
                case_id,
                CaseStatus.RESOLVED,
                now=at,
                actor_id=agent,
                root_cause=root,
                resolution_note=_RESOLUTION.get(root, "Anliegen geklärt."),
                goodwill=goodwill[0] if goodwill else None,
                goodwill_value_eur=goodwill[1] if goodwill else None,
            )

        def close(case_id: uuid.UUID, at: datetime) -> None:
            cases.transition(db, case_id, CaseStatus.CLOSED, now=at, actor_id=agent)

        # Closed when the customer confirms, or by the agent a week after the solution.
        closed = resolved + timedelta(hours=rng.randrange(40, 24 * 8))
        self.on(track, resolved, resolve, sends=True)
        self.on(track, closed, close, sends=True)
        # Customers who were unhappy answer the follow-up more readily than others.
        if rng.random() < (0.7 if s.kind == "detractor" else 0.4):
            solved = rng.choices(("yes", "partly", "no"), (75, 16, 9))[0]
            effort = {
                "yes": rng.randint(5, 7),
                "partly": rng.randint(3, 5),
                "no": rng.randint(1, 3),
            }
            if solved == "no":
                nps = rng.randint(0, 6)
            elif solved == "partly":
                nps = rng.randint(4, 8)
            else:
                nps = rng.choices(range(11), (1, 1, 1, 1, 2, 2, 3, 10, 15, 17, 15))[0]

            def resurvey(case_id: uuid.UUID, at: datetime) -> None:
                self._answer_resurvey(case_id, at, solved=solved, ces=effort[solved], nps=nps)

            self.on(track, closed + timedelta(minutes=rng.randrange(60, 60 * 24 * 4)), resurvey)

    def _answer_resurvey(
        self, case_id: uuid.UUID, at: datetime, *, solved: str, ces: int, nps: int
    ) -> None:
        """The customer answers the follow-up survey that reached them (by its link)."""
        case = cases.get_case(self.db, case_id)
        if case.resurvey_invitation_id is None:
            return
        invitation = self.db.get(SurveyInvitation, case.resurvey_invitation_id)
        if (
            invitation is None
            or invitation.status is not InvitationStatus.SENT
            or invitation.sent_at is None
            or not invitation.sent_at <= at < invitation.expires_at
        ):
            return
        surveys.respond_with_token(
            self.db,
            surveys.token_for(invitation.id, secret=SECRET),
            answers={"solved": solved, "ces": ces, "nps": nps},
            now=at,
            secret=SECRET,
        )

    # -- after the timeline ------------------------------------------------------------------

    def finish(self) -> None:
        """The SLA watch as of now; the workers start after the demo's signals and contacts."""
        db, now = self.db, self.now
        self.clock.at = now - timedelta(minutes=1)
        cases.watch(db, now=now - timedelta(minutes=1), mailer=QuietMailer())
        # Ordered, not max(): PostgreSQL has no max() over uuid.
        last_interaction = db.scalar(
            select(Interaction.id).order_by(Interaction.id.desc()).limit(1)
        )
        if last_interaction is not None:
            watermarks.put(db, dispatch.WATERMARK, str(last_interaction), now=now)
        last_response = db.scalar(
            select(SurveyResponse.id).order_by(SurveyResponse.id.desc()).limit(1)
        )
        if last_response is not None:
            watermarks.put(db, signals._DETRACTORS, str(last_response), now=now)
        last_complaint = db.scalar(
            select(Feedback.id)
            .where(Feedback.source == FeedbackSource.COMPLAINT)
            .order_by(Feedback.id.desc())
            .limit(1)
        )
        if last_complaint is not None:
            watermarks.put(db, signals._COMPLAINTS, str(last_complaint), now=now)
        db.commit()


def _customer(db: Session, customer_id: uuid.UUID) -> Customer:
    customer = db.get(Customer, customer_id)
    assert customer is not None
    return customer


def _pick(rng: random.Random, bands: Sequence[tuple[float, int, int]]) -> timedelta:
    """Minutes from one of the (weight, low, high) bands."""
    weights = [w for w, _, _ in bands]
    _, low, high = rng.choices(list(bands), weights)[0]
    return timedelta(minutes=rng.randrange(low, high))


def _next_weekday(day: date) -> date:
    day += timedelta(days=1)
    while day.weekday() >= 5:
        day += timedelta(days=1)
    return day


def hero_case(db: Session) -> Case | None:
    """The demo's dropped-calls case: the case the notice about the fix names."""
    case_id = db.scalar(
        select(Notice.case_id).where(Notice.case_id.is_not(None)).order_by(Notice.created_at)
    )
    return db.get(Case, case_id) if case_id else None
