"""The community operations API (SPEC §7, §9): each process app's router, mounted together under /api/v1."""

from ninja import Router

from .activities.api import router as activities
from .announcements.api import router as announcements
from .bookings.api import router as bookings
from .catalogue.api import router as catalogue
from .decorations.api import router as decorations
from .emergencies.api import router as emergencies
from .moveins.api import router as moveins
from .takeovers.api import router as takeovers

router = Router()
for module_router in (moveins, takeovers, decorations, announcements, emergencies, catalogue, bookings, activities):
    router.add_router("", module_router)
