from django.contrib import admin
from django.urls import include, path

from wuye.api import api
from wuye.core.api import healthz

admin.site.site_header = admin.site.site_title = "Wuye 物业服务平台"

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("api/", api.urls),
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("", include("wuye.workorders.urls")),
    path("", include("wuye.billing.urls")),
    path("", include("wuye.collection.urls")),
    path("", include("wuye.quality.urls")),
    path("", include("wuye.facilities.urls")),
    path("", include("wuye.security.urls")),
    path("", include("wuye.environment.urls")),
    path("", include("wuye.community.urls")),
    path("", include("wuye.community.moveins.urls")),
    path("", include("wuye.community.takeovers.urls")),
    path("", include("wuye.community.decorations.urls")),
    path("", include("wuye.community.announcements.urls")),
    path("", include("wuye.community.emergencies.urls")),
    path("", include("wuye.community.catalogue.urls")),
    path("", include("wuye.community.bookings.urls")),
    path("", include("wuye.community.activities.urls")),
    path("", include("wuye.onboarding.views")),
    path("", include("wuye.web.urls")),
]
