"""Sending e-mail: an SMTP mailer and a console twin, chosen by settings."""

from __future__ import annotations

import smtplib
import sys
from collections.abc import Iterator, Mapping
from contextlib import contextmanager, suppress
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

    _session: smtplib.SMTP | None = field(default=None, init=False, repr=False, compare=False)
    _depth: int = field(default=0, init=False, repr=False, compare=False)

    def _connect(self) -> smtplib.SMTP:
        smtp = smtplib.SMTP(self.host, self.port, timeout=self.timeout)
        if self.starttls:
            smtp.starttls()
        if self.user:
            smtp.login(self.user, self.password or "")
        return smtp

    @contextmanager
    def batch(self) -> Iterator[None]:
        """Keeps one SMTP connection open for the mails sent inside (one delivery run); not
        for sharing between threads."""
        self._depth += 1
        try:
            yield
        finally:
            self._depth -= 1
            if self._depth == 0 and self._session is not None:
                session, self._session = self._session, None
                with suppress(smtplib.SMTPException, OSError):
                    session.quit()

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
        if self._depth == 0:
            with self._connect() as smtp:
                smtp.send_message(message)
            return str(message["Message-ID"])
        if self._session is None:
            self._session = self._connect()
        try:
            self._session.send_message(message)
        except smtplib.SMTPServerDisconnected:
            # The server closed the kept connection (e.g. an idle timeout): once more, fresh.
            self._session = self._connect()
            self._session.send_message(message)
        except OSError:
            self._session = None  # broken: the next mail connects anew
            raise
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
