"""Who may do what with announcements (SPEC §7). Scope is the usual one: `core.access.scoped`.

Every staff role reads the project's notices. The front desk, engineering (it plans the outages) and the manager
draft them; the project manager approves — never a notice they wrote themselves (another manager or the company
administration does) — publishes a scheduled one early and takes back a published one. Owners and residents read
the published notices of their project and buildings in the portal."""

from wuye.core.access import STAFF_ROLES, Role, grant, resource

CS, ENG, PM, ADMIN = Role.CUSTOMER_SERVICE, Role.ENGINEERING, Role.PROJECT_MANAGER, Role.COMPANY_ADMIN

grant({
    "announcements.view": STAFF_ROLES,
    "announcements.write": {CS, ENG, PM, ADMIN},
    "announcements.approve": {PM, ADMIN},
})

resource("announcements.announcement", read="announcements.view",
         write=("announcements.write", "announcements.approve"), owners=True)
