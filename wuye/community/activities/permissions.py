"""Who may do what with community activities (SPEC §7). Scope is the usual one: `core.access.scoped`.

The front desk and the project manager organise activities (create, publish, close, cancel) and check people in;
order/security may check in at the door. Owners read their communities' published activities and sign their own
household up."""

from wuye.core.access import Role, grant, resource

CS, SEC, OWNER = Role.CUSTOMER_SERVICE, Role.SECURITY, Role.OWNER
PM, QA, ADMIN = Role.PROJECT_MANAGER, Role.QUALITY, Role.COMPANY_ADMIN

grant({
    "activities.view": {CS, SEC, PM, QA, ADMIN},
    "activities.manage": {CS, PM, ADMIN},
    "activities.check_in": {CS, SEC, PM, ADMIN},
    "activities.sign_up": {OWNER},
})

resource("activities.activities", read="activities.view", write=("activities.manage", "activities.sign_up"),
         owners=True)
resource("activities.signups", read="activities.view", write=("activities.check_in", "activities.sign_up"),
         owners=True)
