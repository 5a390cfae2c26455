"""Who may do what with facilities (§4). Scope (which projects) is the usual one: `core.access.scoped`.

Engineering runs the register, plans, operation logs and repairs; order/security does the fire checks, sweeps and
drills and is first on site at an entrapment; customer service takes the call that starts one and links owners'
repair requests to equipment; the project manager, quality and administration see everything. Owners and finance
see none of it."""

from wuye.core.access import Role, grant, resource

E, S, CS, ENV = Role.ENGINEERING, Role.SECURITY, Role.CUSTOMER_SERVICE, Role.ENVIRONMENT
PM, QA, ADMIN = Role.PROJECT_MANAGER, Role.QUALITY, Role.COMPANY_ADMIN
MANAGEMENT = {PM, QA, ADMIN}

grant({
    "facilities.view": {E, S, CS} | MANAGEMENT,
    # The register (台账), contractors and the label sheet; Excel import.
    "facilities.manage_register": {E, PM, ADMIN},
    "facilities.manage_plans": {E, PM, ADMIN},
    # Carrying out a task of a plan (engineering's maintenance; security's extinguisher and hydrant checks).
    "facilities.do_tasks": {E, S},
    "facilities.log_readings": {E},
    "facilities.report_faults": {E, S, CS, PM, ADMIN},
    "facilities.repair": {E, PM, ADMIN},
    "facilities.start_entrapment": {E, S, CS, PM, ADMIN},
    "facilities.fire_safety": {E, S, PM, ADMIN},
    # Shift handovers at duty posts: every department that keeps a post writes and confirms its own.
    "facilities.handover": {E, S, CS, ENV, PM, ADMIN},
    # The handover books are read by every department that keeps a post and by management, quality included.
    "facilities.view_handovers": {E, S, CS, ENV} | MANAGEMENT,
    "facilities.manage_posts": {E, S, PM, ADMIN},
})

resource("facilities.equipment", read="facilities.view", write=("facilities.manage_register",))
resource("facilities.maintenance", read="facilities.view", write=("facilities.manage_plans", "facilities.do_tasks"))
resource("facilities.operation", read="facilities.view", write=("facilities.log_readings",))
resource("facilities.faults", read="facilities.view", write=("facilities.report_faults", "facilities.repair"))
resource("facilities.entrapments", read="facilities.view", write=("facilities.start_entrapment",))
resource("facilities.fire", read="facilities.view", write=("facilities.fire_safety",))
resource("facilities.handovers", read="facilities.view_handovers", write=("facilities.handover",))
resource("facilities.kpis", read="facilities.view", write=())
