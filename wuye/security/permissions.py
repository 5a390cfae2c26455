"""Who may do what with order and security (§5). Scope (which projects, which households) is the usual one:
`core.access.scoped`.

Order/security keeps the gate, walks the patrols and runs the parking booth; customer service (the front desk)
registers visitors and approves goods releases and worker passes; the project manager, quality and administration
see everything. Finance reads the parking sessions (their fees are its money) but verifies no slip. Owners see
and register their own visitors and goods releases in the portal."""

from wuye.core.access import Role, grant, resource

S, CS, FIN, OWNER = Role.SECURITY, Role.CUSTOMER_SERVICE, Role.FINANCE, Role.OWNER
PM, QA, ADMIN = Role.PROJECT_MANAGER, Role.QUALITY, Role.COMPANY_ADMIN
MANAGEMENT = {PM, QA, ADMIN}

grant({
    "security.view": {S, CS} | MANAGEMENT,
    # The gate: visitors in and out, the call on record to the unit, worker passes issued and returned.
    "security.gate": {S, CS, PM, ADMIN},
    # The desk approves a goods release (with the owner's consent for a tenant); the gate verifies the slip.
    "security.approve_goods": {CS, PM, ADMIN},
    "security.verify_goods": {S, PM, ADMIN},
    "security.patrol": {S, PM, ADMIN},
    "security.manage_patrols": {S, PM, ADMIN},
    "security.parking": {S, PM, ADMIN},
    "security.view_parking": {S, CS, FIN} | MANAGEMENT,
    # Owners: their own visitors (pre-registered, confirmed) and goods releases (applied, consented).
    "security.own_visitors": {OWNER},
    "security.own_goods": {OWNER},
})

resource("security.visitors", read="security.view", write=("security.gate",), owners=True)
resource("security.worker_passes", read="security.view", write=("security.gate",))
resource("security.goods", read="security.view", write=("security.approve_goods", "security.verify_goods"),
         owners=True)
resource("security.patrols", read="security.view", write=("security.patrol", "security.manage_patrols"))
resource("security.parking", read="security.view_parking", write=("security.parking",))
resource("security.kpis", read="security.view", write=())
