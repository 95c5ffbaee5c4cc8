import json
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx
import pytest
from aiosmtpd.controller import Controller

from cxm.consent.domain import ContactChannel
from cxm.outreach.channels import (
    ConsoleSmsAdapter,
    EmailAdapter,
    HttpSmsAdapter,
    Outbound,
    PermanentDeliveryError,
    Receipt,
    TransientDeliveryError,
    WebhookAdapter,
    build_adapters,
    email_message_id,
    verify_signature,
)
from cxm.outreach.domain import MessageStatus
from cxm.shared.mail import ConsoleMailer, SmtpMailer
from tests.fakes import RecordingHandler, smtp_server

KEY = "0196a3c2-7d1e-7c4b-9f0a-1b2c3d4e5f60"
SIGNED_AT = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def mail(to: str = "anna.weber@example.com") -> Outbound:
    return Outbound(
        message_id=KEY,
        channel=ContactChannel.EMAIL,
        to=to,
        subject="Ihre Anfrage [CASE-2026-00042]",
        body="Guten Tag, Frau Weber,\n\nwir haben Ihre Anfrage erhalten.",
        html="<p>Guten Tag, Frau Weber,</p>",
    )


def sms(to: str = "+4915112345678", channel: ContactChannel = ContactChannel.SMS) -> Outbound:
    return Outbound(
        message_id=KEY, channel=channel, to=to, subject=None, body="Ihr Techniker kommt."
    )


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port


# --- e-mail over a real local SMTP server ------------------------------------------------------


@dataclass
class RefusingHandler(RecordingHandler):
    """Refuses unknown users permanently (550) and busy mailboxes for now (450)."""

    async def handle_RCPT(  # noqa: N802
        self, server: Any, session: Any, envelope: Any, address: str, options: list[str]
    ) -> str:
        if address.endswith("@refused.example"):
            return "550 5.1.1 No such user"
        if address.endswith("@busy.example"):
            return "450 4.2.1 Mailbox busy, try again later"
        envelope.rcpt_tos.append(address)
        return "250 OK"


@contextmanager
def refusing_smtp_server() -> Iterator[tuple[int, RefusingHandler]]:
    handler = RefusingHandler()
    controller = Controller(handler, hostname="127.0.0.1", port=free_port())
    controller.start()
    try:
        yield controller.port, handler
    finally:
        controller.stop()


def test_mail_arrives_with_the_message_id_derived_from_the_idempotency_key() -> None:
    with smtp_server() as (port, received):
        adapter = EmailAdapter(SmtpMailer(host="127.0.0.1", port=port))
        first = adapter.send(mail())
        again = adapter.send(mail())
    assert first == again == Receipt(provider_id=f"<{KEY}@cxm.local>", status=MessageStatus.SENT)
    assert [m["Message-ID"] for m in received.messages] == [f"<{KEY}@cxm.local>"] * 2
    message = received.messages[0]
    assert message["X-Cxm-Message-Id"] == KEY
    assert message["To"] == "anna.weber@example.com"
    assert message.is_multipart()


def test_a_key_with_unusual_characters_still_gives_a_stable_valid_message_id() -> None:
    odd = email_message_id("case 42/ack <de>")
    assert odd == email_message_id("case 42/ack <de>")
    assert odd.startswith("<") and odd.endswith("@cxm.local>") and " " not in odd


def test_the_console_mailer_keeps_the_message_id_and_header_too() -> None:
    mailer = ConsoleMailer()
    EmailAdapter(mailer, message_id_domain="mail.lindenfunk.de").send(mail())
    assert mailer.sent[0]["Message-ID"] == f"<{KEY}@mail.lindenfunk.de>"
    assert mailer.sent[0]["X-Cxm-Message-Id"] == KEY


def test_mailers_without_a_message_id_still_make_one_up() -> None:
    mailer = ConsoleMailer()
    sent_id = mailer.send(to="a@example.com", subject="s", body="b")
    assert sent_id.endswith("@cxm.local>")


def test_extra_headers_cannot_override_the_addressing() -> None:
    with pytest.raises(ValueError):
        ConsoleMailer().send(to="a@example.com", subject="s", body="b", headers={"To": "x@y.z"})


def test_a_refused_recipient_is_a_permanent_failure() -> None:
    with refusing_smtp_server() as (port, received):
        adapter = EmailAdapter(SmtpMailer(host="127.0.0.1", port=port))
        with pytest.raises(PermanentDeliveryError) as caught:
            adapter.send(mail("nobody@refused.example"))
    assert "550" in caught.value.reason
    assert received.messages == []


def test_a_temporarily_refused_recipient_is_worth_another_try() -> None:
    with refusing_smtp_server() as (port, _):
        adapter = EmailAdapter(SmtpMailer(host="127.0.0.1", port=port))
        with pytest.raises(TransientDeliveryError):
            adapter.send(mail("full@busy.example"))


def test_a_closed_smtp_port_is_a_transient_failure() -> None:
    adapter = EmailAdapter(SmtpMailer(host="127.0.0.1", port=free_port(), timeout=2))
    with pytest.raises(TransientDeliveryError):
        adapter.send(mail())


def test_an_address_without_at_sign_fails_permanently_before_any_connection() -> None:
    adapter = EmailAdapter(SmtpMailer(host="127.0.0.1", port=free_port()))
    with pytest.raises(PermanentDeliveryError):
        adapter.send(mail("not-an-address"))


# --- HTTP providers against a real local HTTP server --------------------------------------------


@dataclass
class Provider:
    """A local HTTP endpoint: POST /<status> answers with that status and records the request."""

    url: str
    requests: list[tuple[str, dict[str, str], bytes]] = field(default_factory=list)


@pytest.fixture
def provider() -> Iterator[Provider]:
    record: list[tuple[str, dict[str, str], bytes]] = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802
            body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            record.append((self.path, dict(self.headers.items()), body))
            if self.path == "/slow":
                time.sleep(0.5)
            status = int(self.path.strip("/")) if self.path.strip("/").isdigit() else 200
            answer = {"id": "prov-7781", "status": "accepted"} if status < 300 else {"error": "x"}
            payload = json.dumps(answer).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    server.block_on_close = False
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield Provider(url=f"http://127.0.0.1:{server.server_address[1]}", requests=record)
    finally:
        server.shutdown()
        server.server_close()


def test_sms_is_posted_with_bearer_auth_and_the_idempotency_key(provider: Provider) -> None:
    adapter = HttpSmsAdapter(f"{provider.url}/200", "sk-test", "Lindenfunk")
    receipt = adapter.send(sms())
    adapter.close()
    assert receipt == Receipt(provider_id="prov-7781", status=MessageStatus.SENT)
    [(path, headers, body)] = provider.requests
    assert headers["Authorization"] == "Bearer sk-test"
    assert headers["Idempotency-Key"] == KEY
    assert json.loads(body) == {
        "to": "+4915112345678",
        "from": "Lindenfunk",
        "text": "Ihr Techniker kommt.",
        "reference": KEY,
    }


def test_messenger_goes_to_the_same_provider_marked_as_messenger(provider: Provider) -> None:
    with httpx.Client() as client:
        HttpSmsAdapter(f"{provider.url}/201", "k", "cxm", client=client).send(
            sms(channel=ContactChannel.MESSENGER)
        )
    assert json.loads(provider.requests[0][2])["channel"] == "messenger"


@pytest.mark.parametrize(
    ("status", "error"),
    [(429, TransientDeliveryError), (500, TransientDeliveryError), (503, TransientDeliveryError)]
    + [(400, PermanentDeliveryError), (401, PermanentDeliveryError)],
)
def test_provider_answers_map_to_transient_or_permanent_failures(
    provider: Provider, status: int, error: type[Exception]
) -> None:
    with pytest.raises(error):
        HttpSmsAdapter(f"{provider.url}/{status}", "k", "cxm").send(sms())


def test_a_provider_timeout_is_transient(provider: Provider) -> None:
    with pytest.raises(TransientDeliveryError):
        HttpSmsAdapter(f"{provider.url}/slow", "k", "cxm", timeout=0.1).send(sms())


def test_an_unreachable_provider_is_transient() -> None:
    with pytest.raises(TransientDeliveryError):
        HttpSmsAdapter(f"http://127.0.0.1:{free_port()}/", "k", "cxm").send(sms())


@pytest.mark.parametrize("number", ["015112345678", "+49 151 12345678", "+0123", "anna"])
def test_a_number_not_in_e164_fails_permanently_without_a_request(
    provider: Provider, number: str
) -> None:
    with pytest.raises(PermanentDeliveryError):
        HttpSmsAdapter(f"{provider.url}/200", "k", "cxm").send(sms(number))
    with pytest.raises(PermanentDeliveryError):
        ConsoleSmsAdapter().send(sms(number))
    assert provider.requests == []


def test_the_console_sms_twin_records_what_it_would_send() -> None:
    twin = ConsoleSmsAdapter()
    receipt = twin.send(sms())
    assert twin.sent == [sms()] and receipt.status is MessageStatus.SENT


def test_the_webhook_is_signed_and_the_signature_verifies(provider: Provider) -> None:
    adapter = WebhookAdapter(f"{provider.url}/202", "whsec", clock=lambda: SIGNED_AT)
    message = Outbound(
        message_id=KEY,
        channel=ContactChannel.APP,
        to="customer-4711",
        subject="Störung",
        body="Seit 8 Uhr gestört.",
        metadata={"case_reference": "CASE-2026-00042"},
    )
    assert adapter.send(message).provider_id == "prov-7781"
    [(_, headers, body)] = provider.requests
    assert headers["X-Cxm-Message-Id"] == KEY
    event = json.loads(body)
    assert event["id"] == KEY and event["channel"] == "app" and event["body"] == message.body
    assert event["metadata"] == {"case_reference": "CASE-2026-00042"}
    signature = headers["X-Cxm-Signature"]
    assert signature.startswith(f"t={int(SIGNED_AT.timestamp())},v1=")
    soon = SIGNED_AT + timedelta(minutes=1)
    assert verify_signature("whsec", signature, body, now=soon)
    assert not verify_signature("whsec", signature, body.replace(b"8 Uhr", b"9 Uhr"), now=soon)
    assert not verify_signature("other", signature, body, now=soon)
    assert not verify_signature("whsec", signature, body, now=SIGNED_AT + timedelta(minutes=6))
    assert not verify_signature("whsec", "t=abc,v1=00", body, now=soon)
    assert not verify_signature("whsec", "", body, now=soon)


def test_webhook_failures_map_like_the_sms_provider(provider: Provider) -> None:
    adapter = WebhookAdapter(f"{provider.url}/500", "whsec")
    message = Outbound(KEY, ContactChannel.APP, "customer-4711", None, "x")
    with pytest.raises(TransientDeliveryError):
        adapter.send(message)
    with pytest.raises(PermanentDeliveryError):
        WebhookAdapter(f"{provider.url}/404", "whsec").send(message)


def test_an_adapter_refuses_a_channel_it_does_not_serve() -> None:
    with pytest.raises(PermanentDeliveryError):
        ConsoleSmsAdapter().send(mail())


def test_without_providers_email_and_console_sms_are_built_and_no_app_channel() -> None:
    adapters = build_adapters(
        mailer=ConsoleMailer(),
        sms_url=None,
        sms_api_key=None,
        sms_sender="cxm",
        webhook_url=None,
        webhook_secret=None,
    )
    assert set(adapters) == {ContactChannel.EMAIL, ContactChannel.SMS, ContactChannel.MESSENGER}
    assert isinstance(adapters[ContactChannel.SMS], ConsoleSmsAdapter)
    assert adapters[ContactChannel.SMS] is adapters[ContactChannel.MESSENGER]


def test_configured_providers_are_used_and_half_configurations_refused() -> None:
    adapters = build_adapters(
        mailer=ConsoleMailer(),
        sms_url="https://sms.example.com/v1/messages",
        sms_api_key="k",
        sms_sender="cxm",
        webhook_url="https://app.example.com/hooks/cxm",
        webhook_secret="s",
    )
    assert isinstance(adapters[ContactChannel.MESSENGER], HttpSmsAdapter)
    assert isinstance(adapters[ContactChannel.APP], WebhookAdapter)
    with pytest.raises(ValueError):
        build_adapters(
            mailer=ConsoleMailer(),
            sms_url="https://sms.example.com",
            sms_api_key=None,
            sms_sender="cxm",
            webhook_url=None,
            webhook_secret=None,
        )
    with pytest.raises(ValueError):
        build_adapters(
            mailer=ConsoleMailer(),
            sms_url=None,
            sms_api_key=None,
            sms_sender="cxm",
            webhook_url="https://app.example.com",
            webhook_secret=None,
        )
