"""The list of features, in dependency order; importing this registers every model and handler."""

from __future__ import annotations

from fastapi import APIRouter

from cxm.accounts import api as accounts_api
from cxm.accounts import models as accounts_models  # noqa: F401
from cxm.accounts import web as accounts_web
from cxm.admin import web as settings_web
from cxm.alerts import api as alerts_api
from cxm.alerts import models as alerts_models  # noqa: F401
from cxm.analytics import api as analytics_api
from cxm.analytics import journeys as analytics_journeys  # noqa: F401  (store tables)
from cxm.analytics import text_topics  # noqa: F401  (text topics into the store)
from cxm.cases import api as cases_api
from cxm.cases import models as cases_models  # noqa: F401
from cxm.consent import models as consent_models  # noqa: F401
from cxm.consent import services as consent_services  # noqa: F401  (merge handler)
from cxm.customers import api as customers_api
from cxm.customers import models as customers_models  # noqa: F401
from cxm.dashboard import web as dashboard_web
from cxm.desktop import cases_web as desktop_cases_web
from cxm.desktop import web as desktop_web
from cxm.feedback import api as feedback_api
from cxm.feedback import models as feedback_models  # noqa: F401
from cxm.feedback import web as feedback_web
from cxm.imports import models as imports_models  # noqa: F401
from cxm.insights import api as insights_api
from cxm.insights import web as insights_web
from cxm.interactions import api as interactions_api
from cxm.interactions import services as interactions_services  # noqa: F401  (merge handler)
from cxm.journeys import api as journeys_api
from cxm.journeys import models as journeys_models  # noqa: F401
from cxm.journeys import web as journeys_web
from cxm.outreach import api as outreach_api
from cxm.outreach import models as outreach_models  # noqa: F401
from cxm.outreach import services as outreach_services  # noqa: F401  (case event handlers)
from cxm.segments import api as segments_api
from cxm.segments import models as segments_models  # noqa: F401
from cxm.segments import web as segments_web
from cxm.shared import watermarks  # noqa: F401
from cxm.surveys import admin_web as surveys_admin_web
from cxm.surveys import api as surveys_api
from cxm.surveys import models as surveys_models  # noqa: F401
from cxm.surveys import web as surveys_web
from cxm.textanalytics import api as textanalytics_api
from cxm.textanalytics import models as textanalytics_models  # noqa: F401
from cxm.touchpoints import api as touchpoints_api

API_ROUTERS: tuple[APIRouter, ...] = (
    accounts_api.router,
    customers_api.router,
    touchpoints_api.router,
    interactions_api.router,
    surveys_api.router,
    surveys_web.api_router,
    feedback_api.router,
    alerts_api.router,
    analytics_api.router,
    textanalytics_api.router,
    cases_api.router,
    outreach_api.router,
    journeys_api.router,
    insights_api.router,
    segments_api.router,
)

# Server-rendered pages, mounted at the root.
WEB_ROUTERS: tuple[APIRouter, ...] = (
    accounts_web.router,
    dashboard_web.router,
    desktop_web.router,
    desktop_cases_web.router,
    feedback_web.router,
    surveys_web.router,
    surveys_admin_web.router,
    settings_web.router,
    journeys_web.router,
    insights_web.router,
    segments_web.router,
)
