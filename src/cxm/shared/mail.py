"""Sending e-mail: an SMTP mailer and a console twin, chosen by settings."""

from __future__ import annotations

import smtplib
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.utils import make_msgid
from typing import Protocol


class Mailer(Protocol):
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
        """Sends the message (with the given Message-ID if any); returns its Message-ID."""
        ...


@dataclass
class SmtpMailer:
    host: str
    port: int = 25
    sender: str = "cxm <no-reply@example.com>"
    user: str | None = None
    password: str | None = None
    starttls: bool = False
    timeout: float = 30.0

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
        message = _message(self.sender, to, subject, body, html, message_id, headers)
        with smtplib.SMTP(self.host, self.port, timeout=self.timeout) as smtp:
            if self.starttls:
                smtp.starttls()
            if self.user:
                smtp.login(self.user, self.password or "")
            smtp.send_message(message)
        return str(message["Message-ID"])


@dataclass
class ConsoleMailer:
    """Prints mails instead of sending them (development, demo)."""

    sender: str = "cxm <no-reply@example.com>"
    sent: list[EmailMessage] = field(default_factory=list)

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
        message = _message(self.sender, to, subject, body, html, message_id, headers)
        self.sent.append(message)
        print(f"--- mail to {to}: {subject}\n{body}\n---", file=sys.stderr)
        return str(message["Message-ID"])


_RESERVED = frozenset({"from", "to", "subject", "message-id"})


def _message(
    sender: str,
    to: str,
    subject: str,
    body: str,
    html: str | None,
    message_id: str | None = None,
    headers: Mapping[str, str] | None = None,
) -> EmailMessage:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = to
    message["Subject"] = subject
    message["Message-ID"] = message_id or make_msgid(domain="cxm.local")
    for name, value in (headers or {}).items():
        if name.lower() in _RESERVED:
            raise ValueError(f"header {name!r} is set by the mailer, not by extra headers")
        message[name] = value
    message.set_content(body)
    if html:
        message.add_alternative(html, subtype="html")
    return message
