"""Sending e-mail: an SMTP mailer and a console twin, chosen by settings."""

from __future__ import annotations

import smtplib
import sys
from dataclasses import dataclass, field
from email.message import EmailMessage
from typing import Protocol


class Mailer(Protocol):
    def send(self, *, to: str, subject: str, body: str, html: str | None = None) -> str:
        """Sends the message; returns its Message-ID."""
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

    def send(self, *, to: str, subject: str, body: str, html: str | None = None) -> str:
        message = _message(self.sender, to, subject, body, html)
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

    def send(self, *, to: str, subject: str, body: str, html: str | None = None) -> str:
        message = _message(self.sender, to, subject, body, html)
        self.sent.append(message)
        print(f"--- mail to {to}: {subject}\n{body}\n---", file=sys.stderr)
        return str(message["Message-ID"])


def _message(sender: str, to: str, subject: str, body: str, html: str | None) -> EmailMessage:
    from email.utils import make_msgid

    message = EmailMessage()
    message["From"] = sender
    message["To"] = to
    message["Subject"] = subject
    message["Message-ID"] = make_msgid(domain="cxm.local")
    message.set_content(body)
    if html:
        message.add_alternative(html, subtype="html")
    return message
