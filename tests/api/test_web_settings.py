"""The settings pages: touchpoints and stages, taxonomy rules, users and roles, API tokens shown
once, channels without secrets; roles decide who sees and changes what."""

from __future__ import annotations

import re

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Connection
from sqlalchemy.orm import Session

from cxm import features
from cxm.accounts import services as accounts
from cxm.accounts.domain import Role
from cxm.accounts.models import User
from cxm.admin import web as settings_web
from cxm.app import create_app
from cxm.config import Settings
from cxm.shared.clock import FixedClock
from cxm.shared.errors import Conflict
from cxm.textanalytics import services as textanalytics
from cxm.touchpoints import services as touchpoints
from tests import factories
from tests.fakes import smtp_server

PASSWORD = "richtig-geheim"


@pytest.fixture
def app(app: FastAPI) -> FastAPI:
    """The application with the settings pages, until features.py mounts them."""
    if settings_web.router not in features.WEB_ROUTERS:
        app.include_router(settings_web.router)
    return app


def _csrf(html: str) -> str:
    match = re.search(r'name="csrf" value="([^"]+)"', html)
    assert match, "form without CSRF token"
    return match.group(1)


def _login_as(client: TestClient, db: Session, role: Role) -> User:
    user = factories.user(db, role=role)
    accounts.set_password(db, user.id, PASSWORD)
    form = client.get("/login")
    response = client.post(
        "/login",
        data={"email": user.email, "password": PASSWORD, "csrf": _csrf(form.text), "next": "/app"},
        follow_redirects=False,
    )
    assert response.status_code == 303
    return user


def _token(client: TestClient) -> str:
    return _csrf(client.get("/app/settings").text)


def test_agents_see_no_settings(client: TestClient, db: Session) -> None:
    _login_as(client, db, Role.AGENT)
    for url in (
        "/app/settings",
        "/app/settings/touchpoints",
        "/app/settings/taxonomy",
        "/app/settings/users",
        "/app/settings/tokens",
        "/app/settings/channels",
    ):
        assert client.get(url).status_code == 403, url
    assert "/app/settings" not in client.get("/app").text


def test_analysts_read_the_catalogue_but_change_nothing(
    client: TestClient, db: Session, clock: FixedClock
) -> None:
    factories.touchpoint(db, now=clock.now(), key="hotline", name_de="Service-Hotline")
    _login_as(client, db, Role.ANALYST)
    home = client.get("/app/settings")
    assert home.status_code == 200
    assert "/app/settings/users" not in home.text and "/app/settings/channels" not in home.text
    listing = client.get("/app/settings/touchpoints")
    assert listing.status_code == 200 and "Service-Hotline" in listing.text
    assert 'data-testid="touchpoint-form"' not in listing.text
    taxonomy = client.get("/app/settings/taxonomy")
    assert taxonomy.status_code == 200 and "billing" in taxonomy.text
    assert "/topics/new" not in taxonomy.text
    csrf = _csrf(listing.text)
    refused = client.post(
        "/app/settings/touchpoints",
        data={
            "csrf": csrf,
            "key": "shop",
            "name_de": "Laden",
            "name_en": "Shop",
            "channel": "store",
        },
    )
    assert refused.status_code == 403
    assert client.get("/app/settings/users").status_code == 403
    assert client.get("/app/settings/channels").status_code == 403


def test_a_manager_creates_edits_and_deactivates_a_touchpoint(
    client: TestClient, db: Session
) -> None:
    touchpoints.ensure_default_stages(db)
    db.commit()
    _login_as(client, db, Role.CX_MANAGER)
    page = client.get("/app/settings/touchpoints")
    assert page.status_code == 200 and 'for="tp_key"' in page.text
    csrf = _csrf(page.text)
    created = client.post(
        "/app/settings/touchpoints",
        data={
            "csrf": csrf,
            "key": "filiale-mitte",
            "name_de": "Filiale <Mitte>",
            "name_en": "Store centre",
            "channel": "store",
            "stage": "purchase",
            "controllable": "on",
        },
    )
    assert created.status_code == 200 and "Kontaktpunkt angelegt." in created.text
    assert "Filiale &lt;Mitte&gt;" in created.text
    tp = touchpoints.get_touchpoint(db, "filiale-mitte")
    assert tp.stage is not None and tp.stage.key == "purchase"

    edit = client.get("/app/settings/touchpoints/filiale-mitte")
    assert edit.status_code == 200
    saved = client.post(
        "/app/settings/touchpoints/filiale-mitte",
        data={
            "csrf": csrf,
            "name_de": "Filiale Mitte",
            "name_en": "Store centre",
            "channel": "store",
            "stage": "service",
            "controllable": "on",
        },
    )
    assert "Kontaktpunkt gespeichert." in saved.text
    db.refresh(tp)
    assert tp.name_de == "Filiale Mitte" and tp.stage is not None and tp.stage.key == "service"

    off = client.post(
        "/app/settings/touchpoints/filiale-mitte/active", data={"csrf": csrf, "active": "false"}
    )
    assert "Kontaktpunkt deaktiviert" in off.text
    db.refresh(tp)
    assert not tp.active
    assert 'data-testid="toggle-filiale-mitte">Aktivieren' in off.text


def test_touchpoint_errors_are_shown_at_their_field(
    client: TestClient, db: Session, clock: FixedClock
) -> None:
    factories.touchpoint(db, now=clock.now(), key="hotline")
    _login_as(client, db, Role.CX_MANAGER)
    csrf = _token(client)
    bad = client.post(
        "/app/settings/touchpoints",
        data={"csrf": csrf, "key": "Hot Line", "name_de": "", "name_en": "X", "channel": "fax"},
    )
    assert bad.status_code == 422
    for name in ("tp_key", "tp_name_de", "tp_channel"):
        assert f'id="e-{name}"' in bad.text, name
    assert 'value="Hot Line"' in bad.text
    duplicate = client.post(
        "/app/settings/touchpoints",
        data={"csrf": csrf, "key": "hotline", "name_de": "A", "name_en": "B", "channel": "phone"},
    )
    assert duplicate.status_code == 409 and 'data-testid="error-tp_key"' in duplicate.text
    unknown_stage = client.post(
        "/app/settings/touchpoints",
        data={
            "csrf": csrf,
            "key": "neu",
            "name_de": "A",
            "name_en": "B",
            "channel": "phone",
            "stage": "gibt-es-nicht",
        },
    )
    assert unknown_stage.status_code == 422 and 'id="e-tp_stage"' in unknown_stage.text
    expired = client.post(
        "/app/settings/touchpoints",
        data={"csrf": "alt", "key": "neu", "name_de": "A", "name_en": "B", "channel": "phone"},
    )
    assert expired.status_code == 400


def test_stages_are_created_and_renamed(client: TestClient, db: Session) -> None:
    touchpoints.ensure_default_stages(db)
    db.commit()
    _login_as(client, db, Role.CX_MANAGER)
    csrf = _token(client)
    created = client.post(
        "/app/settings/stages",
        data={"csrf": csrf, "key": "advocacy", "name_de": "Empfehlung", "name_en": "Advocacy"},
    )
    assert "Phase angelegt." in created.text
    stages = touchpoints.list_stages(db)
    assert stages[-1].key == "advocacy"
    assert client.get("/app/settings/stages/advocacy").status_code == 200
    renamed = client.post(
        "/app/settings/stages/advocacy",
        data={"csrf": csrf, "name_de": "Weiterempfehlung", "name_en": "Advocacy", "position": "0"},
    )
    assert "Phase gespeichert." in renamed.text
    db.expire_all()
    first = touchpoints.list_stages(db)
    assert any(s.key == "advocacy" and s.name_de == "Weiterempfehlung" for s in first)
    bad = client.post(
        "/app/settings/stages/advocacy", data={"csrf": csrf, "name_de": "", "name_en": "A"}
    )
    assert bad.status_code == 422 and 'id="e-stagee_name_de"' in bad.text
    assert client.get("/app/settings/stages/gibt-es-nicht").status_code == 404


def test_a_manager_adds_a_keyword_rule_to_the_taxonomy(client: TestClient, db: Session) -> None:
    _login_as(client, db, Role.CX_MANAGER)
    page = client.get("/app/settings/taxonomy")
    assert page.status_code == 200
    name = textanalytics.taxonomies(db)[0].name
    form = client.get(f"/app/settings/taxonomy/{name}/topics/new")
    assert form.status_code == 200 and 'for="topic_keywords"' in form.text
    csrf = _csrf(form.text)
    saved = client.post(
        f"/app/settings/taxonomy/{name}/topics",
        data={
            "csrf": csrf,
            "new": "true",
            "topic_id": "esim",
            "label": "eSIM <Aktivierung>",
            "keywords": "esim\ne-sim*\n",
            "patterns": r"\bqr[- ]?code\b",
        },
    )
    assert saved.status_code == 200 and "Thema gespeichert" in saved.text
    assert "eSIM &lt;Aktivierung&gt;" in saved.text
    taxonomy = next(t for t in textanalytics.taxonomies(db) if t.name == name)
    topic = next(t for t in taxonomy.topics if t.id == "esim")
    assert topic.keywords == ("esim", "e-sim*") and topic.patterns == (r"\bqr[- ]?code\b",)

    again = client.post(
        f"/app/settings/taxonomy/{name}/topics",
        data={"csrf": csrf, "new": "true", "topic_id": "esim", "label": "x", "keywords": "x"},
    )
    assert again.status_code == 409 and 'id="e-topic_id"' in again.text
    broken = client.post(
        f"/app/settings/taxonomy/{name}/topics",
        data={
            "csrf": csrf,
            "new": "false",
            "topic_id": "esim",
            "label": "eSIM",
            "keywords": "esim",
            "patterns": "(unclosed",
        },
    )
    assert broken.status_code == 422 and 'id="e-topic_patterns"' in broken.text
    edit = client.get(f"/app/settings/taxonomy/{name}/topics/esim")
    assert edit.status_code == 200 and "e-sim*" in edit.text


def test_an_analyst_cannot_edit_the_taxonomy(client: TestClient, db: Session) -> None:
    _login_as(client, db, Role.ANALYST)
    name = textanalytics.taxonomies(db)[0].name
    assert client.get(f"/app/settings/taxonomy/{name}/topics/new").status_code == 403


def test_an_admin_creates_a_user_changes_the_role_and_deactivates_them(
    client: TestClient, db: Session
) -> None:
    accounts.create_department(db, key="service", name="Kundenservice")
    _login_as(client, db, Role.ADMIN)
    page = client.get("/app/settings/users")
    assert page.status_code == 200 and 'for="user_email"' in page.text
    csrf = _csrf(page.text)
    created = client.post(
        "/app/settings/users",
        data={
            "csrf": csrf,
            "email": "Neu@Example.com",
            "name": "Nora <Neu>",
            "role": "agent",
            "department": "service",
            "language": "en",
            "password": "sehr-geheim-1",
        },
    )
    assert created.status_code == 200 and "Benutzer angelegt." in created.text
    assert "Nora &lt;Neu&gt;" in created.text
    user = next(u for u in accounts.list_users(db) if u.email == "neu@example.com")
    assert user.role is Role.AGENT and user.department is not None
    assert accounts.check_login(db, email="neu@example.com", password="sehr-geheim-1")

    changed = client.post(
        f"/app/settings/users/{user.id}",
        data={"csrf": csrf, "role": "analyst", "department": "", "active": "on"},
    )
    assert "Benutzer gespeichert." in changed.text
    db.refresh(user)
    assert user.role is Role.ANALYST and user.department_id is None

    off = client.post(f"/app/settings/users/{user.id}", data={"csrf": csrf, "role": "analyst"})
    assert off.status_code == 200
    db.refresh(user)
    assert not user.active
    assert accounts.check_login(db, email="neu@example.com", password="sehr-geheim-1") is None

    password = client.post(
        f"/app/settings/users/{user.id}/password", data={"csrf": csrf, "password": "kurz"}
    )
    assert password.status_code == 422 and 'id="e-pw_password"' in password.text


def test_user_form_errors_and_the_admin_cannot_lock_themselves_out(
    client: TestClient, db: Session
) -> None:
    admin = _login_as(client, db, Role.ADMIN)
    csrf = _token(client)
    bad = client.post(
        "/app/settings/users",
        data={"csrf": csrf, "email": "kein-at", "name": "", "role": "chef", "password": "kurz"},
    )
    assert bad.status_code == 422
    for name in ("user_email", "user_name", "user_role"):
        assert f'id="e-{name}"' in bad.text, name
    taken = client.post(
        "/app/settings/users",
        data={"csrf": csrf, "email": admin.email, "name": "Zweit", "role": "agent"},
    )
    assert taken.status_code == 409 and 'id="e-user_email"' in taken.text
    myself = client.post(
        f"/app/settings/users/{admin.id}", data={"csrf": csrf, "role": "agent", "active": "on"}
    )
    assert myself.status_code == 409
    db.refresh(admin)
    assert admin.role is Role.ADMIN


def test_the_last_active_admin_stays_an_admin(db: Session) -> None:
    first = factories.user(db, role=Role.ADMIN)
    second = factories.user(db, role=Role.ADMIN)
    accounts.update_user(db, second.id, role=Role.AGENT, department_key=None, active=True)
    with pytest.raises(Conflict, match="last active admin"):
        accounts.update_user(db, first.id, role=Role.ADMIN, department_key=None, active=False)


def test_a_managers_token_is_shown_once_and_revoked(
    client: TestClient, db: Session, clock: FixedClock
) -> None:
    manager = _login_as(client, db, Role.CX_MANAGER)
    page = client.get("/app/settings/tokens")
    assert page.status_code == 200 and 'data-testid="tokens-empty"' in page.text
    assert 'id="token_user"' not in page.text  # only admins issue tokens for others
    issued = client.post(
        "/app/settings/tokens", data={"csrf": _csrf(page.text), "name": "CRM-Import"}
    )
    assert issued.status_code == 201
    assert issued.headers["cache-control"] == "no-store"
    plain = re.search(r'value="(cxm_[^"]+)" readonly', issued.text)
    assert plain is not None
    assert accounts.authenticate(db, token=plain.group(1), now=clock.now()) == manager
    again = client.get("/app/settings/tokens")
    assert plain.group(1) not in again.text and "CRM-Import" in again.text
    (token,) = accounts.list_tokens(db, user_id=manager.id)
    revoked = client.post(
        f"/app/settings/tokens/{token.id}/revoke", data={"csrf": _csrf(again.text)}
    )
    assert revoked.status_code == 200 and "Token widerrufen" in revoked.text
    db.expire_all()
    assert accounts.authenticate(db, token=plain.group(1), now=clock.now()) is None


def test_an_admin_issues_a_token_for_another_user_and_others_cannot_revoke_it(
    client: TestClient, db: Session, clock: FixedClock
) -> None:
    robot = factories.user(db, role=Role.ANALYST, name="Export-Roboter")
    _login_as(client, db, Role.ADMIN)
    csrf = _token(client)
    issued = client.post(
        "/app/settings/tokens", data={"csrf": csrf, "name": "Export", "owner": str(robot.id)}
    )
    assert issued.status_code == 201 and 'data-testid="new-token"' in issued.text
    (token,) = accounts.list_tokens(db, user_id=robot.id)
    empty_name = client.post("/app/settings/tokens", data={"csrf": csrf, "name": ""})
    assert empty_name.status_code == 422 and 'id="e-token_name"' in empty_name.text

    client.cookies.clear()
    _login_as(client, db, Role.ANALYST)
    csrf = _token(client)
    assert "Export-Roboter" not in client.get("/app/settings/tokens").text
    refused = client.post(f"/app/settings/tokens/{token.id}/revoke", data={"csrf": csrf})
    assert refused.status_code == 403
    other = client.post(
        "/app/settings/tokens", data={"csrf": csrf, "name": "x", "owner": str(robot.id)}
    )
    assert other.status_code == 403


def test_channels_show_the_adapters_without_secrets_and_send_a_test(
    client: TestClient, db: Session
) -> None:
    _login_as(client, db, Role.CX_MANAGER)
    page = client.get("/app/settings/channels")
    assert page.status_code == 200
    assert "Ausgabe im Server-Log" in page.text  # no SMTP/SMS configured in tests
    assert 'data-testid="channel-phone"' in page.text
    sent = client.post(
        "/app/settings/channels/test",
        data={"csrf": _csrf(page.text), "channel": "email", "address": "ops@example.com"},
    )
    assert sent.status_code == 200 and 'data-testid="test-sent"' in sent.text
    mailer = client.app.state.mailer  # type: ignore[attr-defined]
    assert mailer.sent[-1]["To"] == "ops@example.com"
    wrong = client.post(
        "/app/settings/channels/test",
        data={"csrf": _csrf(page.text), "channel": "sms", "address": "0151 kaputt"},
    )
    assert wrong.status_code == 422 and "E.164" in wrong.text
    no_adapter = client.post(
        "/app/settings/channels/test",
        data={"csrf": _csrf(page.text), "channel": "letter", "address": "Hauptstr. 1"},
    )
    assert no_adapter.status_code == 422 and 'id="e-test_channel"' in no_adapter.text


def test_configured_channels_show_hosts_but_never_secrets(
    db: Session, clock: FixedClock, connection: Connection, settings: Settings
) -> None:
    with smtp_server() as (port, received):
        configured = settings.model_copy(
            update={
                "smtp_host": "127.0.0.1",
                "smtp_port": port,
                "sms_provider_url": "https://sms.example.com/v1/send?key=url-geheimnis",
                "sms_api_key": "sms-geheimnis",
                "webhook_url": "https://app.example.com/hooks/cxm",
                "webhook_secret": "hook-geheimnis",
            }
        )
        application = create_app(configured, clock=clock)
        application.state.session_factory = lambda: Session(
            bind=connection, join_transaction_mode="create_savepoint", expire_on_commit=False
        )
        application.include_router(settings_web.router)
        with TestClient(application) as client:
            _login_as(client, db, Role.CX_MANAGER)
            page = client.get("/app/settings/channels")
            assert page.status_code == 200
            text = page.text
            assert "SMTP-Server" in text and f"127.0.0.1:{port}" in text
            assert "https://sms.example.com" in text and "https://app.example.com" in text
            for secret in ("geheimnis", "/v1/send", "/hooks/cxm"):
                assert secret not in text, secret
            sent = client.post(
                "/app/settings/channels/test",
                data={"csrf": _csrf(text), "channel": "email", "address": "ops@example.com"},
            )
            assert sent.status_code == 200 and 'data-testid="test-sent"' in sent.text
    assert [m["To"] for m in received.messages] == ["ops@example.com"]


def test_every_settings_page_renders_its_labels_in_both_languages(
    client: TestClient, db: Session
) -> None:
    admin = _login_as(client, db, Role.ADMIN)
    urls = [f"/app/settings/{s}" for s in settings_web.sections_for(admin)] + ["/app/settings"]
    for language in ("de", "en"):
        accounts.set_language(db, admin.id, language)
        for url in urls:
            page = client.get(url)
            assert page.status_code == 200, url
            assert not re.search(r"settings\.[a-z_]+\.", page.text.replace("/app/settings", "")), (
                url
            )
