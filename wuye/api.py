"""The JSON API: one NinjaAPI, one router per app, mounted under /api/v1 (docs at /api/docs)."""

from ninja import NinjaAPI

from wuye.billing.api import router as billing_router
from wuye.community.api import router as community_router
from wuye.core.api import API_AUTH, LocalTimeRenderer, install_error_handlers
from wuye.core.api import router as core_router
from wuye.environment.api import router as environment_router
from wuye.facilities.api import router as facilities_router
from wuye.onboarding.api import router as onboarding_router
from wuye.people.api import router as people_router
from wuye.quality.api import router as quality_router
from wuye.security.api import router as security_router
from wuye.tenancy.api import router as tenancy_router
from wuye.workorders.api import router as workorders_router

api = NinjaAPI(
    title="Wuye API",
    version="1",
    description=(
        "物业服务平台 JSON API. Authenticate with POST /api/v1/auth/token, then `Authorization: Bearer <token>`."
    ),
    auth=API_AUTH,
    renderer=LocalTimeRenderer(),
    urls_namespace="api",
    docs_url="/docs",
    openapi_url="/openapi.json",
)
install_error_handlers(api)

api.add_router("/v1/", core_router)
api.add_router("/v1/", onboarding_router)
api.add_router("/v1/", tenancy_router)
api.add_router("/v1/", people_router)
api.add_router("/v1/", workorders_router)
api.add_router("/v1/", billing_router)
api.add_router("/v1/", quality_router)
api.add_router("/v1/", facilities_router)
api.add_router("/v1/", security_router)
api.add_router("/v1/", environment_router)
api.add_router("/v1/", community_router)
