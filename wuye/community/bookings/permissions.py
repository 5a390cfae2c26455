"""Who may do what with facility bookings (SPEC §7). Scope is the usual one: `core.access.scoped`.

The front desk (customer service) runs the venues: it books for a household that calls or walks in, cancels, and
marks a booking used or a no-show; it and the project manager set venues up (hours, slots, fees, rules). Finance
reads the bookings (their fees are its money); quality and administration see everything. Owners read their
project's venues and book, see and cancel their own household's bookings in the portal."""

from wuye.core.access import Role, grant, resource

CS, FIN, OWNER = Role.CUSTOMER_SERVICE, Role.FINANCE, Role.OWNER
PM, QA, ADMIN = Role.PROJECT_MANAGER, Role.QUALITY, Role.COMPANY_ADMIN

grant({
    "bookings.view": {CS, FIN, PM, QA, ADMIN},
    # Book for a unit, cancel at any time, mark used or no-show.
    "bookings.manage": {CS, PM, ADMIN},
    # Set venues up: opening hours, slot length, window, notice, fee, cancellation deadline, rules; close them.
    "bookings.manage_venues": {CS, PM, ADMIN},
    # Owners: book their project's venues for their own household and cancel before the deadline.
    "bookings.own": {OWNER},
})

resource("bookings.bookings", read="bookings.view", write=("bookings.manage",), owners=True)
resource("bookings.venues", read="bookings.view", write=("bookings.manage_venues",), owners=True)
