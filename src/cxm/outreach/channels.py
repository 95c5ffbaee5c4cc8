"""Delivering outbound messages: one adapter per channel family, each with a console twin.

Adapters classify every failure as transient (retry later with the same idempotency key) or
permanent (give up: the address or the content is wrong). Channels without an adapter here:
phone (an agent calls) and letter (printed through the company's letter shop).
The app channel is a push via the company's own app backend, which receives a signed webhook
and delivers the notification to the customer's devices.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
import smtplib
import sys
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol

import httpx

from cxm.consent.domain import ContactChannel
from cxm.outreach.domain import MessageStatus
from cxm.shared.mail import Mailer

MESSAGE_ID_HEADER = "X-Cxm-Message-Id"
SIGNATURE_HEADER = "X-Cxm-Signature"
_E164 = re.compile(r"\+[1-9][0-9]{1,14}")
_SAFE_KEY = re.compile(r"[A-Za-z0-9._-]{1,200}")


@dataclass(frozen=True)
class Outbound:
    message_id: str  # idempotency key: stable for one logical message across retries
    channel: ContactChannel
    to: str
    subject: str | None
    body: str
    html: str | None = None
    metadata: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Receipt:
    provider_id: str
    status: MessageStatus  # sent, or delivered where the provider confirms at once


class DeliveryError(Exception):
    """A message could not be handed to its channel."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class TransientDeliveryError(DeliveryError):
    """Try again later with the same message id (provider busy, network down, 4xx/429/5xx)."""


class PermanentDeliveryError(DeliveryError):
    """Retrying cannot help: bad address, refused recipient, rejected content."""


class ChannelAdapter(Protocol):
    channels: frozenset[ContactChannel]

    def send(self, message: Outbound) -> Receipt:
        """Hands the message over; raises TransientDeliveryError or PermanentDeliveryError."""
        ...


def _require(adapter: ChannelAdapter, message: Outbound) -> None:
    if message.channel not in adapter.channels:
        raise PermanentDeliveryError(f"{type(adapter).__name__} cannot send {message.channel}")


# --- e-mail -----------------------------------------------------------------------------------


def email_message_id(key: str, *, domain: str = "cxm.local") -> str:
    """The Message-ID derived from an idempotency key: the same key always gives the same id."""
    local = key if _SAFE_KEY.fullmatch(key) else hashlib.sha256(key.encode()).hexdigest()[:40]
    return f"<{local}@{domain}>"


class EmailAdapter:
    """E-mail through a Mailer; a resend carries the same Message-ID so receivers can dedupe."""

    channels = frozenset({ContactChannel.EMAIL})

    def __init__(self, mailer: Mailer, *, message_id_domain: str = "cxm.local") -> None:
        self.mailer = mailer
        self.message_id_domain = message_id_domain

    @contextmanager
    def batch(self) -> Iterator[None]:
        """One SMTP connection for a delivery run, where the mailer supports it."""
        batch = getattr(self.mailer, "batch", None)
        if batch is None:
            yield
        else:
            with batch():
                yield

    def send(self, message: Outbound) -> Receipt:
        _require(self, message)
        if "@" not in message.to:
            raise PermanentDeliveryError("not an e-mail address")
        try:
            sent_id = self.mailer.send(
                to=message.to,
                subject=message.subject or "",
                body=message.body,
                html=message.html,
                message_id=email_message_id(message.message_id, domain=self.message_id_domain),
                headers={MESSAGE_ID_HEADER: message.message_id},
            )
        except smtplib.SMTPRecipientsRefused as error:
            codes = [code for code, _ in error.recipients.values()]
            detail = "; ".join(f"{code} {text!r}" for code, text in error.recipients.values())
            if codes and all(400 <= code < 500 for code in codes):
                raise TransientDeliveryError(f"recipient deferred: {detail}") from error
            raise PermanentDeliveryError(f"recipient refused: {detail}") from error
        except (smtplib.SMTPConnectError, smtplib.SMTPAuthenticationError) as error:
            # Our own server or credentials: fixable without touching the message, so retry.
            raise TransientDeliveryError(f"smtp {error.smtp_code}: {error.smtp_error!r}") from error
        except smtplib.SMTPResponseException as error:
            text = f"smtp {error.smtp_code}: {error.smtp_error!r}"
            if 500 <= error.smtp_code < 600:
                raise PermanentDeliveryError(text) from error
            raise TransientDeliveryError(text) from error
        except (smtplib.SMTPException, OSError) as error:
            # Disconnects, refused connections and timeouts (OSError covers all three).
            raise TransientDeliveryError(f"smtp unavailable: {error!r}") from error
        except ValueError as error:
            # Header values the e-mail package refuses (e.g. line breaks in an address).
            raise PermanentDeliveryError(f"message rejected: {error}") from error
        return Receipt(provider_id=sent_id, status=MessageStatus.SENT)


# --- HTTP providers (SMS, messenger, webhook) -------------------------------------------------


def _classify(response: httpx.Response) -> None:
    if response.is_success:
        return
    text = f"HTTP {response.status_code}: {response.text[:200]}"
    if response.status_code in (408, 425, 429) or response.status_code >= 500:
        raise TransientDeliveryError(text)
    raise PermanentDeliveryError(text)


def _provider_receipt(response: httpx.Response, fallback_id: str) -> Receipt:
    try:
        data: Any = response.json()
    except ValueError:
        data = None
    if not isinstance(data, dict):
        return Receipt(provider_id=fallback_id, status=MessageStatus.SENT)
    status = MessageStatus.DELIVERED if data.get("status") == "delivered" else MessageStatus.SENT
    return Receipt(provider_id=str(data.get("id") or fallback_id), status=status)


class _HttpAdapter:
    def __init__(self, client: httpx.Client | None, timeout: float) -> None:
        self._owns_client = client is None
        self.client = client if client is not None else httpx.Client(timeout=timeout)

    def close(self) -> None:
        """Closes the HTTP client if this adapter created it."""
        if self._owns_client:
            self.client.close()

    def _post(self, url: str, *, content: bytes, headers: Mapping[str, str]) -> httpx.Response:
        try:
            response = self.client.post(url, content=content, headers=dict(headers))
        except httpx.TransportError as error:
            # Connection refused, DNS, timeouts, broken connections: all worth another try.
            raise TransientDeliveryError(f"{type(error).__name__}: {error}") from error
        _classify(response)
        return response


def _require_e164(number: str) -> None:
    if not _E164.fullmatch(number):
        raise PermanentDeliveryError("recipient is not an E.164 number (e.g. +4915112345678)")


class HttpSmsAdapter(_HttpAdapter):
    """SMS and messenger through an HTTP provider with bearer auth and idempotency keys."""

    channels = frozenset({ContactChannel.SMS, ContactChannel.MESSENGER})

    def __init__(
        self,
        url: str,
        api_key: str,
        sender: str,
        client: httpx.Client | None = None,
        timeout: float = 10.0,
    ) -> None:
        super().__init__(client, timeout)
        self.url = url
        self.api_key = api_key
        self.sender = sender

    def send(self, message: Outbound) -> Receipt:
        _require(self, message)
        _require_e164(message.to)
        payload: dict[str, str] = {
            "to": message.to,
            "from": self.sender,
            "text": message.body,
            "reference": message.message_id,
        }
        if message.channel == ContactChannel.MESSENGER:
            payload["channel"] = "messenger"
        response = self._post(
            self.url,
            content=json.dumps(payload, ensure_ascii=False).encode(),
            headers={
                "Authorization": f"Bearer {self.api_key}",
                "Idempotency-Key": message.message_id,
                "Content-Type": "application/json",
            },
        )
        return _provider_receipt(response, message.message_id)


@dataclass
class ConsoleSmsAdapter:
    """The SMS/messenger twin: records and prints instead of sending (no provider configured)."""

    channels: frozenset[ContactChannel] = frozenset({ContactChannel.SMS, ContactChannel.MESSENGER})
    sent: list[Outbound] = field(default_factory=list)

    def send(self, message: Outbound) -> Receipt:
        _require(self, message)
        _require_e164(message.to)
        self.sent.append(message)
        print(f"--- {message.channel} to {message.to}:\n{message.body}\n---", file=sys.stderr)
        return Receipt(provider_id=f"console-{message.message_id}", status=MessageStatus.SENT)


def signature_header(secret: str, body: bytes, *, at: datetime) -> str:
    """The X-Cxm-Signature value: t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>">."""
    timestamp = int(at.timestamp())
    return f"t={timestamp},v1={_digest(secret, timestamp, body)}"


def _digest(secret: str, timestamp: int, body: bytes) -> str:
    signed = f"{timestamp}.".encode() + body
    return hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()


def verify_signature(
    secret: str,
    header: str,
    body: bytes,
    *,
    now: datetime,
    tolerance: timedelta = timedelta(minutes=5),
) -> bool:
    """Whether the header signs exactly this body with this secret, within tolerance of now."""
    timestamp: int | None = None
    candidates: list[str] = []
    for part in header.split(","):
        key, _, value = part.strip().partition("=")
        if key == "t" and value.isdigit():
            timestamp = int(value)
        elif key == "v1":
            candidates.append(value)
    if timestamp is None or not candidates:
        return False
    signed_at = datetime.fromtimestamp(timestamp, UTC)
    if abs(now - signed_at) > tolerance:
        return False
    expected = _digest(secret, timestamp, body)
    # Several v1 values are allowed so receivers can accept old and new secrets while rotating.
    return any(hmac.compare_digest(expected, candidate) for candidate in candidates)


class WebhookAdapter(_HttpAdapter):
    """App push: posts a signed JSON event to the company's app backend, which notifies devices."""

    channels = frozenset({ContactChannel.APP})

    def __init__(
        self,
        url: str,
        secret: str,
        client: httpx.Client | None = None,
        timeout: float = 10.0,
        *,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        super().__init__(client, timeout)
        self.url = url
        self.secret = secret
        self.clock = clock

    def send(self, message: Outbound) -> Receipt:
        _require(self, message)
        now = self.clock()
        event = {
            "type": "outreach.message",
            "id": message.message_id,
            "created": int(now.timestamp()),
            "channel": str(message.channel),
            "to": message.to,
            "subject": message.subject,
            "body": message.body,
            "metadata": dict(message.metadata),
        }
        body = json.dumps(event, ensure_ascii=False, separators=(",", ":")).encode()
        response = self._post(
            self.url,
            content=body,
            headers={
                "Content-Type": "application/json",
                SIGNATURE_HEADER: signature_header(self.secret, body, at=now),
                MESSAGE_ID_HEADER: message.message_id,
            },
        )
        return _provider_receipt(response, message.message_id)


def build_adapters(
    *,
    mailer: Mailer,
    sms_url: str | None,
    sms_api_key: str | None,
    sms_sender: str,
    webhook_url: str | None,
    webhook_secret: str | None,
    client: httpx.Client | None = None,
) -> dict[ContactChannel, ChannelAdapter]:
    """Adapters per channel: e-mail always, SMS/messenger via HTTP or console, app if configured."""
    adapters: dict[ContactChannel, ChannelAdapter] = {ContactChannel.EMAIL: EmailAdapter(mailer)}
    sms: ChannelAdapter
    if sms_url:
        if not sms_api_key:
            raise ValueError("CXM_SMS_API_KEY is required when CXM_SMS_PROVIDER_URL is set")
        sms = HttpSmsAdapter(sms_url, sms_api_key, sms_sender, client=client)
    else:
        sms = ConsoleSmsAdapter()
    for channel in sms.channels:
        adapters[channel] = sms
    if webhook_url:
        if not webhook_secret:
            raise ValueError("CXM_WEBHOOK_SECRET is required when CXM_WEBHOOK_URL is set")
        adapters[ContactChannel.APP] = WebhookAdapter(webhook_url, webhook_secret, client=client)
    return adapters
