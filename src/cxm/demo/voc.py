"""The demo's voice of the customer: consent, surveys, invitations, responses and feedback.

It builds on the history the generator wrote. Every interaction that fires one of the demo's
trigger rules gets an invitation, decided as ``surveys.services.invite`` decides it (the one
contact-fatigue policy first, then consent for surveys on the customer's preferred channels);
a share of those sent are answered, with scores that follow what happened at the touchpoint
(the wait, whether it was solved, a late parcel, the shop, the dropped-calls story) and comments
that fit the score. Complaints, posts and calls become unsolicited feedback, joined by reviews,
forum posts and agent notes.
"""

from __future__ import annotations

import math
import random
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from itertools import accumulate
from typing import TYPE_CHECKING, Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from cxm.consent.domain import ConsentDecision, ContactChannel, Purpose, consent_state
from cxm.consent.models import ChannelPreference, ConsentEntry
from cxm.demo import data, voc_data
from cxm.demo.common import Progress, insert_rows, table, uuid4_from, uuid7_from, weighted
from cxm.feedback.domain import FeedbackSource
from cxm.feedback.models import Feedback
from cxm.interactions.models import Interaction
from cxm.shared import watermarks
from cxm.shared.errors import Conflict
from cxm.surveys import dispatch
from cxm.surveys.domain import (
    FatiguePolicy,
    InvitationStatus,
    ResponseChannel,
    fatigue_allows,
    nps_category,
)
from cxm.surveys.models import (
    Survey,
    SurveyAnswer,
    SurveyInvitation,
    SurveyResponse,
    SurveyVersion,
    TriggerRuleRow,
)
from cxm.touchpoints.domain import Channel
from cxm.touchpoints.models import JourneyStage, Touchpoint

if TYPE_CHECKING:
    from cxm.demo.generator import _Catalogue, _Person

# The interaction types the voice of the customer reads from the history.
SOURCE_TYPES = frozenset(
    {"call", "order", "purchase", "visit", "complaint", "social_post", "delivery"}
)

# The default policy of the settings (survey_fatigue_days=30, survey_fatigue_max=1).
POLICY = FatiguePolicy(window=timedelta(days=30), max_invitations=1)

# Share of sent invitations answered, by the channel they went out on.
RESPONSE_RATES: dict[ContactChannel, float] = {
    ContactChannel.EMAIL: 0.23,
    ContactChannel.SMS: 0.17,
    ContactChannel.APP: 0.32,
    ContactChannel.PHONE: 0.27,
    ContactChannel.LETTER: 0.15,
    ContactChannel.MESSENGER: 0.30,
}
# Unhappy customers answer more readily than indifferent ones.
_RATE_BY_CATEGORY = {"detractor": 1.2, "passive": 0.8, "promoter": 1.05}
_RATE_BY_KIND = {"relationship": 0.85, "visit": 1.1, "purchase": 1.1}
_DELIVERED = (InvitationStatus.SENT, InvitationStatus.RESPONDED)
# Share of responses with a comment.
_TEXT_SHARE = {"detractor": 0.55, "passive": 0.27, "promoter": 0.38}
_UNSUBSCRIBE = 0.03  # of unanswered e-mail invitations

_HOTLINE_BASE = {
    "hotline_billing": 8.0,
    "hotline_technical": 8.0,
    "hotline_general": 8.5,
    "hotline_sales": 8.7,
}
_SHOP_QUALITY = {
    "berlin": -0.3,
    "hamburg": 0.2,
    "muenchen": 0.4,
    "koeln": 0.3,
    "frankfurt": -0.2,
    "stuttgart": 0.3,
    "duesseldorf": 0.0,
    "leipzig": 0.1,
    "dresden": -0.9,
    "hannover": 0.0,
}
_SHOP_CITY = {key: city for key, city, _ in data.SHOPS}
_SEGMENT = {"young": -0.4, "family": 0.0, "professional": -0.2, "best_ager": 0.4, "business": -0.3}
_WEB_HOURS = list(
    accumulate((1, 0.5, 0.3, 0.2, 0.3, 0.8, 2, 3, 4, 5, 5, 5, 6, 5, 5, 5, 6, 7, 8, 9, 8, 6, 4, 2))
)

# Preferred channels for contact, by the generator's preferred contact channel.
_PREFERENCES: dict[str, tuple[ContactChannel, ...]] = {
    "phone": (ContactChannel.PHONE, ContactChannel.EMAIL),
    "email": (ContactChannel.EMAIL,),
    "chat": (ContactChannel.EMAIL,),
    "app": (ContactChannel.APP, ContactChannel.EMAIL),
    "web": (ContactChannel.EMAIL,),
    "store": (ContactChannel.EMAIL, ContactChannel.PHONE),
    "letter": (ContactChannel.LETTER, ContactChannel.EMAIL),
}


@dataclass(frozen=True, slots=True)
class Story:
    """The period and the dates of the dropped-calls story the scores follow."""

    start: datetime
    now: datetime
    fault_start: datetime
    fix_known: datetime


@dataclass(frozen=True, slots=True)
class VoiceCounts:
    surveys: int
    invitations: int
    responses: int
    feedback: int
    consent_entries: int
    channel_preferences: int
    interactions: int  # the survey responses on the customers' timelines


def check_empty(db: Session) -> None:
    """Raises Conflict when one of the demo's surveys exists already."""
    keys = [spec.key for spec in voc_data.SURVEYS]
    found = db.scalar(select(Survey.key).where(Survey.key.in_(keys)))
    if found is not None:
        raise Conflict(f"survey '{found}' exists; load the demo into an empty database")


def load(
    db: Session,
    rng: random.Random,
    people: Sequence[_Person],
    catalogue: _Catalogue,
    kept: Sequence[dict[str, Any]],
    *,
    story: Story,
    report: Progress,
) -> VoiceCounts:
    """Loads consent, surveys, invitations, responses and feedback for the written history."""
    return _Voice(db, rng, people, catalogue, kept, story, report).run()


@dataclass(slots=True)
class _SurveyRef:
    id: uuid.UUID
    key: str
    valid_days: int
    touchpoint_id: uuid.UUID | None
    # (valid from, version id, questions), oldest first
    versions: list[tuple[datetime, uuid.UUID, list[dict[str, Any]]]]

    def version_at(self, at: datetime) -> tuple[uuid.UUID, list[dict[str, Any]]]:
        chosen = self.versions[0]
        for version in self.versions:
            if version[0] <= at:
                chosen = version
        return chosen[1], chosen[2]


@dataclass(frozen=True, slots=True)
class _Rule:
    survey: _SurveyRef
    touchpoint_id: uuid.UUID | None
    delay: timedelta


@dataclass(frozen=True, slots=True)
class _Candidate:
    """Something that asks for an invitation: a trigger interaction or a relationship wave."""

    created_at: datetime
    delay: timedelta
    survey: _SurveyRef
    kind: str  # hotline | order | purchase | visit | relationship
    row: dict[str, Any] | None = None


@dataclass(frozen=True, slots=True)
class _Experience:
    """What a customer went through: the mean NPS it leads to, the effort, what they'd say."""

    mu: float
    effort: float
    themes: dict[str, dict[str, float]]  # NPS category -> comment theme -> weight
    ctx: dict[str, Any]


def _themes(
    negative: Mapping[str, float], mixed: Mapping[str, float], positive: Mapping[str, float]
) -> dict[str, dict[str, float]]:
    return {"detractor": dict(negative), "passive": dict(mixed), "promoter": dict(positive)}


def _clamp(value: float, low: int, high: int) -> int:
    return max(low, min(high, round(value)))


class _Voice:
    def __init__(
        self,
        db: Session,
        rng: random.Random,
        people: Sequence[_Person],
        catalogue: _Catalogue,
        kept: Sequence[dict[str, Any]],
        story: Story,
        report: Progress,
    ) -> None:
        self.db = db
        self.rng = rng
        self.people = people
        self.by_id = {p.id: p for p in people}
        self.cat = catalogue
        self.kept = kept
        self.story = story
        self.report = report
        self.tp_key = {tp_id: key for key, (tp_id, _) in catalogue.touchpoints.items()}
        self.agents = {a.id: a for a in catalogue.staff}
        self.late: dict[str, int] = {}
        self.complaints: dict[uuid.UUID, list[datetime]] = {}
        self.consent_rows: list[dict[str, Any]] = []
        self.preference_rows: list[dict[str, Any]] = []
        self.invitations: list[dict[str, Any]] = []
        self.responses: list[dict[str, Any]] = []
        self.answers: list[dict[str, Any]] = []
        self.timeline: list[dict[str, Any]] = []
        self.feedback: list[dict[str, Any]] = []

    # -- plumbing ------------------------------------------------------------------------------

    def run(self) -> VoiceCounts:
        self._app_store()
        surveys = self._surveys()
        rules = self._rules(surveys)
        candidates = self._read_history(rules)
        waves = self._waves()
        relationship = surveys["relationship-nps"]
        for p in self.people:
            preferences = self._preferences(p)
            ledger = self._consent(p)
            own = candidates.get(p.id, []) + self._relationship(p, waves, relationship)
            own.sort(key=lambda c: c.created_at)
            scheduled: list[datetime] = []
            for candidate in own:
                self._invite(p, candidate, preferences, ledger, scheduled)
        self._widget(surveys["website-feedback"])
        self._unsolicited()

        db, report = self.db, self.report
        insert_rows(db, ConsentEntry, self.consent_rows, "consent", report)
        insert_rows(db, ChannelPreference, self.preference_rows, "channel preferences", report)
        insert_rows(db, SurveyInvitation, self.invitations, "invitations", report)
        insert_rows(db, SurveyResponse, self.responses, "responses", report)
        insert_rows(db, SurveyAnswer, self.answers, "answers", report)
        insert_rows(db, Interaction, self.timeline, "survey interactions", report)
        insert_rows(db, Feedback, self.feedback, "feedback", report)
        # Every demo interaction has had its trigger rules applied; the dispatcher starts after.
        last = db.scalar(select(Interaction.id).order_by(Interaction.id.desc()).limit(1))
        if last is not None:
            watermarks.put(db, dispatch.WATERMARK, str(last), now=self.story.now)
            db.commit()
        return VoiceCounts(
            surveys=len(surveys),
            invitations=len(self.invitations),
            responses=len(self.responses),
            feedback=len(self.feedback),
            consent_entries=len(self.consent_rows),
            channel_preferences=len(self.preference_rows),
            interactions=len(self.timeline),
        )

    def _moment(self, begin: datetime, end: datetime) -> datetime:
        """A time between begin and end, at an hour people are online."""
        rng = self.rng
        seconds = max((end - begin).total_seconds(), 1.0)
        day = (begin + timedelta(seconds=rng.random() * seconds)).date()
        hour = weighted(rng, _WEB_HOURS)
        at = datetime(
            day.year, day.month, day.day, hour, rng.randrange(60), rng.randrange(60), tzinfo=UTC
        )
        if not begin <= at < end:
            at = begin + timedelta(seconds=rng.random() * seconds)
        return at

    def _pick(self, weights: Mapping[str, float]) -> str:
        options = [(key, w) for key, w in weights.items() if w > 0]
        return options[weighted(self.rng, list(accumulate(w for _, w in options)))][0]

    # -- catalogue -----------------------------------------------------------------------------

    def _app_store(self) -> None:
        spec = voc_data.APP_STORE
        found = self.db.execute(
            select(Touchpoint.id, Touchpoint.channel).where(Touchpoint.key == spec.key)
        ).first()
        if found is not None:
            self.cat.touchpoints[spec.key] = (found.id, str(found.channel))
        else:
            tp_id = uuid4_from(self.rng)
            stage = self.db.scalar(select(JourneyStage.id).where(JourneyStage.key == spec.stage))
            self.db.add(
                Touchpoint(
                    id=tp_id,
                    key=spec.key,
                    name_de=spec.name_de,
                    name_en=spec.name_en,
                    channel=Channel(spec.channel),
                    stage_id=stage,
                    department_id=self.cat.departments[spec.department],
                    controllable=spec.controllable,
                    description=spec.description,
                    active=True,
                    created_at=self.story.now,
                    updated_at=self.story.now,
                )
            )
            self.db.commit()
            self.cat.touchpoints[spec.key] = (tp_id, spec.channel)
        self.tp_key[self.cat.touchpoints[spec.key][0]] = spec.key

    def _surveys(self) -> dict[str, _SurveyRef]:
        """The demo's live surveys; they were set up two months before the period."""
        rng, story = self.rng, self.story
        created = story.start - timedelta(days=60)
        reworded = story.start + (story.now - story.start) / 2
        surveys: list[dict[str, Any]] = []
        versions: list[dict[str, Any]] = []
        triggers: list[dict[str, Any]] = []
        refs: dict[str, _SurveyRef] = {}
        self.report("surveys", 0, len(voc_data.SURVEYS))
        for spec in voc_data.SURVEYS:
            survey_id = uuid4_from(rng)
            tp_id = self.cat.touchpoints[spec.touchpoint][0] if spec.touchpoint else None
            texts = [(created, spec.title_de, spec.title_en, list(spec.questions))]
            if spec.key == "relationship-nps":
                changed = [voc_data.NPS_QUESTION, voc_data.RELATIONSHIP_V2_COMMENT]
                texts.append((reworded, spec.title_de, spec.title_en, changed))
            ref = _SurveyRef(survey_id, spec.key, spec.valid_days, tp_id, [])
            for number, (at, title_de, title_en, questions) in enumerate(texts, start=1):
                version_id = uuid4_from(rng)
                copied = [dict(q) for q in questions]
                ref.versions.append((at, version_id, copied))
                versions.append(
                    {
                        "id": version_id,
                        "survey_id": survey_id,
                        "number": number,
                        "title_de": title_de,
                        "title_en": title_en,
                        "intro_de": spec.intro_de,
                        "intro_en": spec.intro_en,
                        "questions": copied,
                        "created_at": at,
                    }
                )
            surveys.append(
                {
                    "id": survey_id,
                    "key": spec.key,
                    "name": spec.name,
                    "status": "live",
                    "current_version_id": None,
                    "touchpoint_id": tp_id,
                    "anonymous_enabled": spec.anonymous_enabled,
                    "invitation_valid_days": spec.valid_days,
                    "created_at": created,
                    "updated_at": ref.versions[-1][0],
                }
            )
            for trigger in spec.triggers:
                triggers.append(
                    {
                        "id": uuid4_from(rng),
                        "survey_id": survey_id,
                        "interaction_type": trigger.interaction_type,
                        "touchpoint_id": (
                            self.cat.touchpoints[trigger.touchpoint][0]
                            if trigger.touchpoint
                            else None
                        ),
                        "delay_minutes": trigger.delay_minutes,
                        "active": True,
                        "created_at": created,
                    }
                )
            refs[spec.key] = ref
        db = self.db
        # Surveys and versions point at each other: versions go in after their surveys.
        db.execute(table(Survey).insert(), surveys)
        db.execute(table(SurveyVersion).insert(), versions)
        surveys_table = table(Survey)
        for ref in refs.values():
            db.execute(
                update(surveys_table)
                .where(surveys_table.c.id == ref.id)
                .values(current_version_id=ref.versions[-1][1])
            )
        db.execute(table(TriggerRuleRow).insert(), triggers)
        db.commit()
        self.report("surveys", len(refs), len(refs))
        return refs

    def _rules(self, surveys: Mapping[str, _SurveyRef]) -> dict[str, list[_Rule]]:
        rules: dict[str, list[_Rule]] = {}
        for spec in voc_data.SURVEYS:
            for trigger in spec.triggers:
                tp_id = self.cat.touchpoints[trigger.touchpoint][0] if trigger.touchpoint else None
                rules.setdefault(trigger.interaction_type, []).append(
                    _Rule(surveys[spec.key], tp_id, timedelta(minutes=trigger.delay_minutes))
                )
        return rules

    def _read_history(self, rules: Mapping[str, list[_Rule]]) -> dict[uuid.UUID, list[_Candidate]]:
        """Each customer's interactions that fire a trigger rule (as apply_triggers matches)."""
        for row in self.kept:
            props = row["properties"]
            if row["type"] == "delivery" and props.get("late"):
                self.late[props["order_id"]] = int(props.get("days", 7))
        candidates: dict[uuid.UUID, list[_Candidate]] = {}
        for row in self.kept:
            if row["type"] == "complaint":
                self.complaints.setdefault(row["customer_id"], []).append(row["occurred_at"])
            for rule in rules.get(row["type"], ()):
                if rule.touchpoint_id is not None and rule.touchpoint_id != row["touchpoint_id"]:
                    continue
                kind = row["type"] if row["type"] in ("order", "purchase", "visit") else "hotline"
                candidates.setdefault(row["customer_id"], []).append(
                    _Candidate(row["occurred_at"], rule.delay, rule.survey, kind, row)
                )
        return candidates

    # -- consent -------------------------------------------------------------------------------

    def _preferences(self, p: _Person) -> list[ContactChannel]:
        rng = self.rng
        channels = list(_PREFERENCES[p.preferred])
        if p.app_user and ContactChannel.APP not in channels and rng.random() < 0.3:
            channels.append(ContactChannel.APP)
        if p.mobile is not None and rng.random() < 0.15:
            channels.append(ContactChannel.SMS)
        at = self._signed(p)
        if rng.random() < 0.3:
            at = self._moment(at, self.story.now)
        for rank, channel in enumerate(channels):
            self.preference_rows.append(
                {
                    "id": uuid4_from(rng),
                    "customer_id": p.id,
                    "channel": channel.value,
                    "rank": rank,
                    "updated_at": at,
                }
            )
        return channels

    def _signed(self, p: _Person) -> datetime:
        """When the customer signed the contract (and gave their first consents)."""
        day = datetime.combine(p.since, time(9), UTC)
        if p.joined_at is not None:
            day = min(p.joined_at, datetime.combine(p.since, time(5), UTC))
        return min(day, self.story.now - timedelta(minutes=1))

    def _record(
        self,
        p: _Person,
        ledger: list[ConsentDecision],
        purpose: Purpose,
        channel: ContactChannel,
        granted: bool,
        source: str,
        at: datetime,
    ) -> None:
        ledger.append(ConsentDecision(purpose, channel, granted, at, source))
        self.consent_rows.append(
            {
                "id": uuid4_from(self.rng),
                "customer_id": p.id,
                "purpose": purpose.value,
                "channel": channel.value,
                "granted": granted,
                "source": source,
                "at": at,
                "recorded_by": None,
            }
        )

    def _consent(self, p: _Person) -> list[ConsentDecision]:
        """The customer's consent history up to the period, and grants made during it."""
        rng, story = self.rng, self.story
        signed = self._signed(p)
        period_begin = max(story.start, signed)
        ledger: list[ConsentDecision] = []
        contract, portal = voc_data.SOURCE_CONTRACT, voc_data.SOURCE_PORTAL
        unsubscribe = voc_data.SOURCE_UNSUBSCRIBE
        email, service, survey = ContactChannel.EMAIL, Purpose.SERVICE, Purpose.SURVEY

        def add(
            purpose: Purpose, channel: ContactChannel, granted: bool, src: str, at: datetime
        ) -> None:
            self._record(p, ledger, purpose, channel, granted, src, at)

        def later(begin: datetime) -> datetime:
            return self._moment(begin, story.now)

        def before_period() -> datetime:
            return signed + (story.start - signed) * rng.uniform(0.1, 0.95)

        # Service messages rest on the contract; the demo records the channels named in it.
        add(service, email, True, contract, signed)
        if p.mobile is not None and rng.random() < 0.6:
            add(service, ContactChannel.SMS, True, contract, signed)
        if p.paper_invoice:
            add(service, ContactChannel.LETTER, True, contract, signed)

        # Surveys: most agree by e-mail when they sign or later in the portal; some withdraw.
        chance = 0.45 if p.preferred == "letter" else 0.72 if p.segment == "best_ager" else 0.82
        roll = rng.random()
        if roll < chance:
            if rng.random() < 0.72:
                add(survey, email, True, contract, signed)
            else:
                add(survey, email, True, portal, later(signed))
            if rng.random() < 0.04:
                source = portal if rng.random() < 0.6 else voc_data.SOURCE_HOTLINE
                add(survey, email, False, source, later(period_begin))
        elif roll < chance + 0.06 and signed < story.start:
            add(survey, email, True, contract, signed)
            add(survey, email, False, unsubscribe, before_period())
        if p.app_user and rng.random() < 0.45:
            add(survey, ContactChannel.APP, True, voc_data.SOURCE_APP, later(signed))
        if p.preferred == "phone" and rng.random() < 0.35:
            add(survey, ContactChannel.PHONE, True, voc_data.SOURCE_HOTLINE, later(signed))
        if p.preferred == "letter" and rng.random() < 0.5:
            add(survey, ContactChannel.LETTER, True, contract, signed)

        # Marketing follows the consents the generator gave (the newsletter goes by them).
        if p.email_consent:
            if rng.random() < 0.3:
                add(Purpose.MARKETING, email, True, portal, signed + (period_begin - signed) / 2)
            else:
                add(Purpose.MARKETING, email, True, contract, signed)
        elif signed < story.start and rng.random() < 0.35:
            add(Purpose.MARKETING, email, True, contract, signed)
            add(Purpose.MARKETING, email, False, unsubscribe, before_period())
        if p.phone_consent:
            source = contract if rng.random() < 0.7 else voc_data.SOURCE_SHOP
            add(Purpose.MARKETING, ContactChannel.PHONE, True, source, signed)
        return ledger

    # -- invitations -----------------------------------------------------------------------------

    def _waves(self) -> list[datetime]:
        """The relationship survey goes out quarterly, starting six weeks into the period."""
        story = self.story
        waves: list[datetime] = []
        at = datetime.combine((story.start + timedelta(days=45)).date(), time(7), UTC)
        while at < story.now - timedelta(days=3):
            waves.append(at)
            at += timedelta(days=91)
        return waves

    def _relationship(
        self, p: _Person, waves: Sequence[datetime], survey: _SurveyRef
    ) -> list[_Candidate]:
        rng = self.rng
        begin = p.joined_at or self.story.start
        end = p.active_until or self.story.now
        chosen: list[_Candidate] = []
        for wave in waves:
            if begin + timedelta(days=30) <= wave < end and rng.random() < 0.3:
                delay = timedelta(days=rng.randrange(0, 3), minutes=rng.randrange(60, 600))
                chosen.append(_Candidate(wave, delay, survey, "relationship"))
        return chosen

    def _invite(
        self,
        p: _Person,
        c: _Candidate,
        preferences: Sequence[ContactChannel],
        ledger: list[ConsentDecision],
        scheduled: list[datetime],
    ) -> None:
        """As surveys.services.invite decides: fatigue, then consent on the preferred channels."""
        rng, story = self.rng, self.story
        send_at = c.created_at + c.delay
        recent = [t for t in scheduled if t > send_at - POLICY.window]
        channel: ContactChannel | None = None
        reason: str | None = None
        if not fatigue_allows(POLICY, recent, at=send_at):
            reason = (
                f"contact fatigue: {len(recent)} invitation(s) within {POLICY.window.days} days"
            )
        else:
            channel, why = _allowed_channel(preferences, ledger, at=c.created_at)
            if channel is None:
                reason = f"no consent for surveys ({why})"
        version_id, questions = c.survey.version_at(c.created_at)
        invitation_id = uuid7_from(rng, c.created_at)
        expires_at = send_at + timedelta(days=c.survey.valid_days)
        status = InvitationStatus.SKIPPED
        if reason is None:
            scheduled.append(send_at)
            status = InvitationStatus.SENT if send_at < story.now else InvitationStatus.SCHEDULED
        responded_at: datetime | None = None
        row = c.row
        touchpoint_id = row["touchpoint_id"] if row is not None else c.survey.touchpoint_id
        if status is InvitationStatus.SENT:
            assert channel is not None
            experience = self._experience(p, c)
            scores = self._scores(experience)
            category = nps_category(scores[0])
            rate = (
                RESPONSE_RATES[channel]
                * _RATE_BY_CATEGORY[category]
                * _RATE_BY_KIND.get(c.kind, 1.0)
            )
            if row is not None and (
                row["properties"].get("repeat_contact")
                or row["properties"].get("resolved") is False
            ):
                rate *= 2.0  # a problem still not solved: they want to be heard
            elif c.kind == "relationship" and self._unhappy(p, c.created_at):
                rate *= 2.0
            if rng.random() < rate:
                submitted = send_at + timedelta(hours=rng.lognormvariate(math.log(5), 1.2))
                if submitted < min(expires_at, story.now):
                    responded_at = submitted
                    status = InvitationStatus.RESPONDED
                    self._respond(
                        survey=c.survey,
                        version_id=version_id,
                        questions=questions,
                        at=submitted,
                        language=p.lang,
                        customer_id=p.id,
                        touchpoint_id=touchpoint_id,
                        invitation_id=invitation_id,
                        channel=ResponseChannel.LINK,
                        experience=experience,
                        scores=scores,
                        properties={},
                    )
            unanswered_mail = responded_at is None and channel is ContactChannel.EMAIL
            if unanswered_mail and rng.random() < _UNSUBSCRIBE:
                gone = send_at + timedelta(hours=rng.lognormvariate(math.log(8), 1.0))
                if gone < story.now:
                    self._record(
                        p,
                        ledger,
                        Purpose.SURVEY,
                        ContactChannel.EMAIL,
                        False,
                        voc_data.SOURCE_UNSUBSCRIBE,
                        gone,
                    )
        self.invitations.append(
            {
                "id": invitation_id,
                "survey_id": c.survey.id,
                "version_id": version_id,
                "customer_id": p.id,
                "touchpoint_id": touchpoint_id,
                "trigger_interaction_id": row["id"] if row is not None else None,
                "channel": channel.value if channel else None,
                "language": p.lang,
                "status": status.value,
                "skip_reason": reason,
                "created_at": c.created_at,
                "send_at": send_at,
                "sent_at": send_at if status in _DELIVERED else None,
                "expires_at": expires_at,
                "responded_at": responded_at,
            }
        )

    # -- responses -------------------------------------------------------------------------------

    def _scores(self, e: _Experience) -> tuple[int, int, int]:
        """NPS (0–10), CSAT (1–5) and CES 2.0 (1–7), correlated as real answers are."""
        rng = self.rng
        nps = _clamp(rng.gauss(e.mu, 2.0), 0, 10)
        csat = _clamp(1 + nps * 0.4 + rng.gauss(0, 0.6), 1, 5)
        ces = _clamp(2.0 + nps * 0.45 - e.effort + rng.gauss(0, 0.8), 1, 7)
        return nps, csat, ces

    def _respond(
        self,
        *,
        survey: _SurveyRef,
        version_id: uuid.UUID,
        questions: Sequence[dict[str, Any]],
        at: datetime,
        language: str,
        customer_id: uuid.UUID | None,
        touchpoint_id: uuid.UUID | None,
        invitation_id: uuid.UUID | None,
        channel: ResponseChannel,
        experience: _Experience,
        scores: tuple[int, int, int],
        properties: dict[str, Any],
        text_share: float | None = None,
    ) -> None:
        rng = self.rng
        nps, csat, ces = scores
        category = nps_category(nps)
        comment: tuple[str, str] | None = None
        if rng.random() < (text_share if text_share is not None else _TEXT_SHARE[category]):
            comment = self._comment(experience, category, language)
        response_id = uuid7_from(rng, at)
        answered: dict[str, int] = {}
        for q in questions:
            kind, score, text = q["type"], None, None
            if kind == "nps":
                score = nps
            elif kind == "csat":
                if rng.random() < 0.04:
                    continue
                score = csat
            elif kind == "ces":
                if rng.random() < 0.06:
                    continue
                score = ces
            elif kind == "text" and comment is not None:
                text = comment[1]
            else:
                continue
            if score is not None:
                answered[q["key"]] = score
            self.answers.append(
                {
                    "id": uuid7_from(rng, at),
                    "response_id": response_id,
                    "question_key": q["key"],
                    "type": kind,
                    "score": score,
                    "choices": None,
                    "text": text,
                }
            )
        if comment is not None:
            properties = {**properties, "demo_topic": comment[0]}
        self.responses.append(
            {
                "id": response_id,
                "survey_id": survey.id,
                "version_id": version_id,
                "invitation_id": invitation_id,
                "customer_id": customer_id,
                "touchpoint_id": touchpoint_id,
                "channel": channel.value,
                "language": language,
                "submitted_at": at,
                "external_id": None,
                "properties": properties,
            }
        )
        if customer_id is not None:
            # As surveys.services._record puts it on the customer's timeline.
            self.timeline.append(
                {
                    "id": uuid7_from(rng, at),
                    "event_id": f"survey-response:{response_id}",
                    "customer_id": customer_id,
                    "touchpoint_id": None,
                    "channel": Channel.WEB.value,
                    "direction": "in",
                    "type": "survey_response",
                    "occurred_at": at,
                    "received_at": at,
                    "employee_id": None,
                    "text": comment[1] if comment is not None else None,
                    "properties": {"survey_response_id": str(response_id), "scores": answered},
                }
            )

    def _comment(self, e: _Experience, category: str, language: str) -> tuple[str, str]:
        theme = self._pick(e.themes[category])
        pool = voc_data.COMMENTS[theme]
        if theme == "website" and "page_group" in e.ctx:
            pool = voc_data.WEBSITE_COMMENTS[e.ctx["page_group"]]
        templates = pool.get(language) or pool["de"]
        if e.ctx.get("agent") is None:
            templates = tuple(t for t in templates if "{agent}" not in t)
        return theme, self.rng.choice(templates).format_map(e.ctx)

    # -- experiences -----------------------------------------------------------------------------

    def _owner_effect(self, p: _Person, at: datetime) -> float:
        """Owners of the faulty model are unhappy while it drops calls, less so once fixed."""
        story = self.story
        if p.device is None or not p.owns_faulty_model:
            return 0.0
        if datetime.combine(p.device.bought_on, time(0), UTC) > at:
            return 0.0
        if story.fault_start <= at < story.fix_known:
            return -1.5
        return 0.2 if at >= story.fix_known else 0.0

    def _unresolved(self, p: _Person, at: datetime) -> bool:
        """Whether the customer's unresolved episode has begun and is not over at ``at`` (it
        ends when the customer leaves, or a month after its last contact for those who stay)."""
        if not p.episode or at < p.episode[0]:
            return False
        return p.quiet_from is not None or at < p.episode[-1] + timedelta(days=30)

    @staticmethod
    def _leaving_soon(p: _Person, at: datetime) -> bool:
        """Whether the customer gives notice within the five months after ``at``."""
        return p.cancel_at is not None and at < p.cancel_at <= at + timedelta(days=150)

    def _unhappy(self, p: _Person, at: datetime) -> bool:
        """Customers with a grievance answer the relationship survey more readily."""
        return self._unresolved(p, at) or self._leaving_soon(p, at)

    def _ctx(self, p: _Person, **extra: Any) -> dict[str, Any]:
        return {
            **p.ctx,
            "model": data.FAULTY_MODEL,
            "wait": self.rng.randrange(15, 45),
            "days": self.rng.randrange(3, 7),
            "agent": None,
            **extra,
        }

    def _experience(self, p: _Person, c: _Candidate) -> _Experience:
        if c.kind == "relationship" or c.row is None:
            return self._relationship_experience(p, c.created_at)
        if c.kind == "hotline":
            return self._hotline(p, c.row)
        if c.kind == "order":
            return self._order(p, c.row)
        return self._shop(p, c.row)

    def _hotline(self, p: _Person, row: dict[str, Any]) -> _Experience:
        story = self.story
        props = row["properties"]
        key = self.tp_key[row["touchpoint_id"]]
        at: datetime = row["occurred_at"]
        topic = props.get("demo_topic")
        wait = int(props.get("wait_s", 0))
        abandoned = bool(props.get("abandoned"))
        fixed = at >= story.fix_known
        resolved = bool(props.get("resolved", topic != "dropped_calls" or fixed))
        agent = self.agents.get(row["employee_id"]) if row["employee_id"] else None
        mu = _HOTLINE_BASE.get(key, 8.2) - min(wait / 300, 4.0) * 0.5
        effort = min(wait / 600, 2.0)
        if abandoned:
            mu, effort = 2.0, 3.0
        if not resolved:
            mu -= 1.8
            effort += 1.5
        if props.get("repeat_contact"):
            mu -= 0.8  # calling again about the same problem
            effort += 0.5
        if topic == "billing_complaint":
            mu -= 0.8
        if topic == "dropped_calls":
            mu += 0.6 if fixed else -2.2
        else:
            mu += self._owner_effect(p, at)
        if key == "hotline_technical" and story.fault_start <= at < story.fix_known:
            mu -= 0.7  # the technical queue had no answer for the faulty model yet
        if fixed:
            mu += 0.8  # more staff on the phones, and answers, once the fault was understood
        ctx = self._ctx(p, agent=agent.first if agent else None)
        if wait >= 300:
            ctx["wait"] = wait // 60
        dropped = topic == "dropped_calls"
        themes = _themes(
            {
                "waiting_time": 5 if abandoned else 3 if wait > 480 else 0,
                "dropped_calls": 6 if dropped else 0,
                "callback_missing": 2 if dropped and not fixed else 0,
                "billing": 3
                if topic in ("billing_question", "billing_complaint", "roaming")
                else 0,
                "network": 3 if topic in ("network", "dsl_outage") else 0,
                "unresolved": 0.2 if resolved else 2.5,
                "staff_unfriendly": 0 if abandoned else 0.7,
                "contract": 1.5 if topic == "tariff_change" else 0,
            },
            {"ok": 1, "ok_but_wait": 2 if wait > 300 else 0.3, "ok_slow": 0.3 if resolved else 1.5},
            {
                "staff_competent": 3 if agent else 0.3,
                "fast": 2 if wait < 180 else 0.2,
                "problem_solved": 2 if resolved else 0,
                "fix_callback": 4 if dropped and fixed else 0,
            },
        )
        return _Experience(mu, effort, themes, ctx)

    def _order(self, p: _Person, row: dict[str, Any]) -> _Experience:
        props = row["properties"]
        key = self.tp_key[row["touchpoint_id"]]
        at: datetime = row["occurred_at"]
        late = self.late.get(str(props.get("order_id", "")))
        agent = self.agents.get(row["employee_id"]) if row["employee_id"] else None
        mu = 8.8 if key == "web_checkout" else 8.6
        if late:
            mu -= 3.0
        if props.get("new_customer"):
            mu += 0.3
        mu += self._owner_effect(p, at)
        ctx = self._ctx(p, agent=agent.first if agent else None, page_group="checkout")
        if late:
            ctx["days"] = max(late - 3, 2)
        themes = _themes(
            {
                "delivery": 5 if late else 0.3,
                "website": 1.5 if key == "web_checkout" else 0,
                "price": 0.8,
                "contract": 1.0,
                "staff_unfriendly": 0.6 if agent else 0,
                "billing": 0.4,
            },
            {"ok": 1, "ok_price": 1, "ok_slow": 1.5 if late else 0.2},
            {
                "delivery_fast": 0 if late else 3,
                "easy_order": 2,
                "staff_competent": 1.5 if agent else 0,
            },
        )
        return _Experience(mu, 1.5 if late else 0.0, themes, ctx)

    def _shop(self, p: _Person, row: dict[str, Any]) -> _Experience:
        story = self.story
        props = row["properties"]
        key = self.tp_key[row["touchpoint_id"]]
        shop = key.removeprefix("shop_")
        at: datetime = row["occurred_at"]
        topic = props.get("demo_topic")
        resolved = bool(props.get("resolved", True))
        fixed = at >= story.fix_known
        dropped = topic == "dropped_calls"
        agent = self.agents.get(row["employee_id"]) if row["employee_id"] else None
        mu = (9.4 if row["type"] == "purchase" else 9.3) + _SHOP_QUALITY.get(shop, 0.0)
        if topic:
            mu -= 0.3
        if not resolved:
            mu -= 1.5
        if dropped:
            mu += 0.6 if fixed else -2.4
        else:
            mu += self._owner_effect(p, at)
        ctx = self._ctx(p, agent=agent.first if agent else None, city=_SHOP_CITY.get(shop, p.city))
        themes = _themes(
            {
                "shop_queue": 2.5,
                "staff_unfriendly": 1.2,
                "unresolved": 2.5 if not resolved else 0.3,
                "dropped_calls": 5 if dropped and not fixed else 0,
                "contract": 0.8 if not topic else 0,
                "price": 0.5,
                "network": 2 if topic in ("network", "dsl_outage") else 0,
                "billing": 2 if topic in ("billing_question", "billing_complaint") else 0,
            },
            {"ok": 1, "ok_but_wait": 1, "ok_slow": 1 if topic else 0, "ok_price": 0.5},
            {
                "shop_advice": 4,
                "staff_competent": 2 if agent else 0,
                "problem_solved": 1.5 if topic and resolved else 0,
                "fix_callback": 3 if dropped and fixed else 0,
            },
        )
        return _Experience(mu, 0.0 if resolved else 1.5, themes, ctx)

    def _relationship_experience(self, p: _Person, at: datetime) -> _Experience:
        story = self.story
        mu = 8.0 + _SEGMENT.get(p.segment, 0.0)
        if p.dsl is not None:
            mu -= 0.3
        mu += 1.3 * self._owner_effect(p, at)
        complained = any(at - timedelta(days=90) <= t < at for t in self.complaints.get(p.id, ()))
        if complained:
            mu -= 1.8
        leaving = p.cancel_at is not None and p.cancel_at <= at
        if leaving:
            mu -= 3.0
        # After a problem that contacts did not solve, until it is solved or the customer goes.
        if self._unresolved(p, at):
            mu -= 2.0
            complained = True
        elif self._leaving_soon(p, at):
            mu -= 2.5  # no longer convinced: the price, the offer next door
        if (at.date() - p.since).days > 5 * 365:
            mu += 0.3
        owner = p.owns_faulty_model and at >= story.fault_start
        fixed = at >= story.fix_known
        themes = _themes(
            {
                "network": 2 + (2 if p.dsl is not None else 0),
                "dropped_calls": (1 if fixed else 6) if owner else 0,
                "price": 2.5,
                "waiting_time": 1.5,
                "billing": 2.5 if complained else 1.2,
                "contract": 2 if leaving else 0.5,
                "unresolved": 1.5 if complained else 0.3,
            },
            {"ok_price": 2, "ok": 1, "ok_but_wait": 1},
            {
                "network_good": 3,
                "staff_competent": 0.8,
                "app_good": 1.2 if p.app_user else 0,
                "fix_callback": 3 if owner and fixed else 0,
            },
        )
        return _Experience(mu, 0.0, themes, self._ctx(p))

    # -- the website widget ---------------------------------------------------------------------

    def _widget(self, survey: _SurveyRef) -> None:
        """Anonymous answers from the feedback widget and the survey's public link."""
        rng, story = self.rng, self.story
        days = (story.now - story.start).total_seconds() / 86400
        count = int(len(self.people) * 0.3 * days / 365)
        ctx = {
            "model": data.FAULTY_MODEL,
            "wait": 20,
            "days": 4,
            "city": "Berlin",
            "tariff": "Tarif M",
            "minutes": 100,
            "agent": None,
        }
        for _ in range(count):
            at = self._moment(story.start, story.now)
            page = rng.choice(voc_data.WIDGET_PAGES)
            language = "en" if rng.random() < 0.15 else "de"
            broken = (
                page in voc_data.FAULT_PAGES
                and story.fault_start <= at < story.fix_known
                and rng.random() < 0.5
            )
            mu = 7.4
            if page.startswith("/shop/kasse"):
                mu -= 0.8
            if broken:
                mu -= 2.5
            if at >= story.fix_known:
                mu += 0.5
            themes = _themes(
                {
                    "website": 4,
                    "dropped_calls": 4 if broken else 0,
                    "price": 0.8 if page.startswith("/tarife") else 0,
                },
                {"ok_website": 2, "ok": 0.5},
                {"website_good": 4, "easy_order": 1 if page.startswith("/shop") else 0},
            )
            experience = _Experience(
                mu, 0.0, themes, {**ctx, "page_group": voc_data.page_group(page)}
            )
            version_id, questions = survey.version_at(at)
            self._respond(
                survey=survey,
                version_id=version_id,
                questions=questions,
                at=at,
                language=language,
                customer_id=None,
                touchpoint_id=survey.touchpoint_id,
                invitation_id=None,
                channel=ResponseChannel.WIDGET
                if rng.random() < 0.85
                else ResponseChannel.ANONYMOUS,
                experience=experience,
                scores=self._scores(experience),
                properties={"page": page},
                text_share=0.6,
            )

    # -- unsolicited feedback -------------------------------------------------------------------

    def _add_feedback(
        self,
        *,
        source: FeedbackSource,
        text: str,
        occurred_at: datetime,
        language: str,
        topic: str,
        touchpoint: str | None,
        customer_id: uuid.UUID | None = None,
        interaction_id: uuid.UUID | None = None,
        rating: int | None = None,
        product_model: str | None = None,
        recorded_by: uuid.UUID | None = None,
        delay: timedelta = timedelta(0),
        **properties: Any,
    ) -> None:
        received = min(occurred_at + delay, self.story.now - timedelta(seconds=1))
        received = max(received, occurred_at)
        self.feedback.append(
            {
                "id": uuid7_from(self.rng, received),
                "external_id": None,
                "source": source.value,
                "customer_id": customer_id,
                "touchpoint_id": self.cat.touchpoints[touchpoint][0] if touchpoint else None,
                "interaction_id": interaction_id,
                "occurred_at": occurred_at,
                "received_at": received,
                "text": text,
                "rating": rating,
                "rating_scale": 5 if rating is not None else None,
                "language": language,
                "product_model": product_model,
                "recorded_by": recorded_by,
                "properties": {"topic": topic, **properties},
            }
        )

    def _unsolicited(self) -> None:
        for row in self.kept:
            p = self.by_id[row["customer_id"]]
            kind = row["type"]
            if kind == "complaint":
                self._complaint(p, row)
            elif kind == "social_post" and row["direction"] == "in":
                self._post(p, row)
            elif kind in ("call", "visit") and row["employee_id"] is not None:
                self._agent_note(p, row)
            if kind in ("visit", "purchase") and self.rng.random() < 0.06:
                self._shop_review(p, row)
            if kind == "call" and row["direction"] == "in":
                self._forum(p, row)
        for p in self.people:
            if p.app_user and self.rng.random() < 0.07:
                self._app_review(p)
            if self.rng.random() < 0.012:
                self._site_review(p, None, self._active(p))

    def _active(self, p: _Person) -> datetime:
        begin = max(self.story.start, p.joined_at or self.story.start)
        return self._moment(begin, p.active_until or self.story.now)

    def _model(self, p: _Person, demo_topic: str | None) -> str | None:
        if demo_topic == "dropped_calls":
            return data.FAULTY_MODEL
        if demo_topic == "device_defect" and p.device is not None:
            return p.device.model
        return None

    def _complaint(self, p: _Person, row: dict[str, Any]) -> None:
        props = row["properties"]
        demo_topic = str(props.get("demo_topic", "general"))
        key = self.tp_key[row["touchpoint_id"]]
        topic = voc_data.FEEDBACK_TOPICS.get(demo_topic, "service")
        self._add_feedback(
            source=FeedbackSource.COMPLAINT,
            text=row["text"] or "",
            occurred_at=row["occurred_at"],
            language=p.lang,
            topic=topic,
            touchpoint=key,
            customer_id=p.id,
            interaction_id=row["id"],
            product_model=self._model(p, demo_topic),
            demo_topic=demo_topic,
            severity=props.get("severity", "medium"),
            via="letter" if key == "letter_customer" else "form",
        )
        if self.rng.random() < 0.12:
            at = row["occurred_at"] + timedelta(hours=self.rng.randrange(2, 72))
            if at < self.story.now:
                self._site_review(p, topic, at, rating=1 if self.rng.random() < 0.7 else 2)

    def _post(self, p: _Person, row: dict[str, Any]) -> None:
        props = row["properties"]
        demo_topic = str(props.get("demo_topic", "generic"))
        key = self.tp_key[row["touchpoint_id"]]
        self._add_feedback(
            source=FeedbackSource.SOCIAL,
            text=row["text"] or "",
            occurred_at=row["occurred_at"],
            language=p.lang,
            topic=voc_data.FEEDBACK_TOPICS.get(demo_topic, "service"),
            touchpoint=key,
            customer_id=p.id,
            interaction_id=row["id"],
            product_model=self._model(p, demo_topic),
            delay=timedelta(minutes=self.rng.randrange(1, 30)),
            demo_topic=demo_topic,
            network="x" if key == "social_x" else "facebook",
            likes=int(props.get("likes", 0)),
        )

    def _agent_note(self, p: _Person, row: dict[str, Any]) -> None:
        rng, story = self.rng, self.story
        props = row["properties"]
        key = self.tp_key[row["touchpoint_id"]]
        demo_topic = props.get("demo_topic")
        callback = key == "call_callback" and demo_topic == "dropped_calls"
        if rng.random() >= (0.25 if callback else 0.05):
            return
        agent = self.agents[row["employee_id"]]
        if demo_topic is not None:
            topic = voc_data.FEEDBACK_TOPICS.get(str(demo_topic), "service")
        else:
            in_shop = key.startswith("shop_")
            topic = self._pick(
                {"staff": 2, "price": 1.5, "contract": 1, "praise": 1}
                if in_shop
                else {"price": 1.5, "contract": 1.5, "service": 1, "praise": 1}
            )
        if int(props.get("wait_s", 0)) > 900 and rng.random() < 0.5:
            topic = "waiting_time"
        note = topic
        if topic == "dropped_calls" and row["occurred_at"] >= story.fix_known:
            note = "dropped_calls_fixed"
        templates = voc_data.AGENT_NOTES.get(note) or voc_data.AGENT_NOTES["service"]
        language = agent.language if agent.language in templates else "de"
        female = p.salutation == "ms"
        ctx = self._ctx(
            p,
            kunde="Kundin" if female else "Kunde",
            er="sie" if female else "er",
            ihm="ihr" if female else "ihm",
        )
        if props.get("wait_s"):
            ctx["wait"] = max(int(props["wait_s"]) // 60, 1)
        self._add_feedback(
            source=FeedbackSource.AGENT_NOTE,
            text=rng.choice(templates[language]).format_map(ctx),
            occurred_at=row["occurred_at"],
            language=language,
            topic=topic,
            touchpoint=key,
            customer_id=p.id,
            interaction_id=row["id"],
            product_model=self._model(p, str(demo_topic) if demo_topic else None),
            recorded_by=agent.id,
            delay=timedelta(seconds=int(props.get("duration_s", 300)) + rng.randrange(30, 600)),
            **({"demo_topic": demo_topic} if demo_topic else {}),
        )

    def _review_text(
        self,
        reviews: voc_data.Reviews,
        rating: int,
        language: str,
        ctx: Mapping[str, Any],
        *,
        topic: str | None = None,
        owner: bool = False,
    ) -> tuple[str, str]:
        options = reviews[rating].get(language) or reviews[rating]["de"]
        if not owner:
            options = tuple(o for o in options if o[0] != "dropped_calls") or options
        if topic is not None:
            options = tuple(o for o in options if o[0] == topic) or options
        found, text = self.rng.choice(options)
        return found, text.format_map(ctx)

    def _author(self, p: _Person) -> str:
        return f"{p.first} {p.last[:1]}."

    def _shop_review(self, p: _Person, row: dict[str, Any]) -> None:
        rng = self.rng
        at = row["occurred_at"] + timedelta(hours=rng.randrange(2, 60))
        if at >= self.story.now:
            return
        experience = self._shop(p, row)
        rating = _clamp(1 + experience.mu * 0.44 + rng.gauss(0, 1.0), 1, 5)
        topic, text = self._review_text(voc_data.SHOP_REVIEWS, rating, p.lang, experience.ctx)
        self._add_feedback(
            source=FeedbackSource.REVIEW,
            text=text,
            occurred_at=at,
            language=p.lang,
            topic=topic,
            touchpoint=self.tp_key[row["touchpoint_id"]],
            customer_id=p.id if rng.random() < 0.35 else None,
            rating=rating,
            delay=timedelta(hours=rng.randrange(1, 24)),
            site="maps",
            author=self._author(p),
        )

    def _app_review(self, p: _Person) -> None:
        rng, story = self.rng, self.story
        at = self._active(p)
        troubled = self._owner_effect(p, at) < -1
        weights = (55, 15, 10, 10, 10) if troubled else (22, 10, 10, 16, 42)
        rating = 1 + weighted(rng, list(accumulate(weights)))
        topic, text = self._review_text(
            voc_data.APP_REVIEWS, rating, p.lang, self._ctx(p), owner=troubled
        )
        self._add_feedback(
            source=FeedbackSource.REVIEW,
            text=text,
            occurred_at=at,
            language=p.lang,
            topic=topic,
            touchpoint=voc_data.APP_STORE.key,
            rating=rating,
            product_model=data.FAULTY_MODEL if topic == "dropped_calls" else None,
            delay=timedelta(hours=rng.randrange(1, 48)),
            store=rng.choice(voc_data.APP_STORES),
            app_version=voc_data.APP_VERSIONS[
                min(int((at - story.start) / (story.now - story.start) * 5), 4)
            ],
            author=self._author(p),
        )

    def _site_review(
        self, p: _Person, topic: str | None, at: datetime, *, rating: int | None = None
    ) -> None:
        rng = self.rng
        owner = self._owner_effect(p, at) < -1
        if rating is None:
            rating = 1 + weighted(rng, list(accumulate((30, 15, 15, 15, 25))))
        found, text = self._review_text(
            voc_data.SITE_REVIEWS, rating, p.lang, self._ctx(p), topic=topic, owner=owner
        )
        self._add_feedback(
            source=FeedbackSource.REVIEW,
            text=text,
            occurred_at=at,
            language=p.lang,
            topic=found,
            touchpoint="web_review_site",
            customer_id=p.id if rng.random() < 0.4 else None,
            rating=rating,
            product_model=data.FAULTY_MODEL if found == "dropped_calls" else None,
            delay=timedelta(hours=rng.randrange(1, 24)),
            site="bewertungen.example.net",
            author=self._author(p),
        )

    def _forum(self, p: _Person, row: dict[str, Any]) -> None:
        rng = self.rng
        demo_topic = str(row["properties"].get("demo_topic", ""))
        chance = {"dropped_calls": 0.08, "network": 0.03, "dsl_outage": 0.03}.get(demo_topic, 0)
        if demo_topic == "billing_complaint":
            chance = 0.02
        if not chance or rng.random() >= chance:
            return
        topic = voc_data.FEEDBACK_TOPICS[demo_topic]
        posts = voc_data.FORUM_POSTS[topic]
        thread, text = rng.choice(posts.get(p.lang) or posts["de"])
        at = row["occurred_at"] + timedelta(hours=rng.randrange(1, 30))
        if at >= self.story.now:
            return
        self._add_feedback(
            source=FeedbackSource.FORUM,
            text=text.format_map(self._ctx(p)),
            occurred_at=at,
            language=p.lang,
            topic=topic,
            touchpoint="web_forum",
            customer_id=p.id if rng.random() < 0.7 else None,
            product_model=self._model(p, demo_topic),
            demo_topic=demo_topic,
            thread=thread,
            author=f"{p.first.lower()}{rng.randrange(10, 99)}",
        )


def _allowed_channel(
    preferences: Sequence[ContactChannel], ledger: Sequence[ConsentDecision], *, at: datetime
) -> tuple[ContactChannel | None, str]:
    """As consent.services.first_allowed_channel decides, with the ledger as it stood at ``at``."""
    decided = [d for d in ledger if d.at <= at]
    reasons: list[str] = []
    for channel in preferences or (ContactChannel.EMAIL,):
        state = consent_state(decided, purpose=Purpose.SURVEY, channel=channel)
        if state.allowed:
            return channel, state.reason
        reasons.append(f"{channel.value}: {state.reason}")
    return None, "; ".join(reasons)
