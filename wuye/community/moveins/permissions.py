"""Who may do what with move-in (SPEC §7). Scope is the usual one: `core.access.scoped`.

Customer service (the desk) drafts batches, sends their notices and walks each unit through its steps;
engineering inspects the house with the owner (and the desk may record it); the manager, quality and
administration see everything and may act; finance reads (the fees are its money). Owners book their slot and
follow their own move-in and its inspection issues in the portal."""

from wuye.core.access import Role, grant, resource

CS, ENG, FIN, OWNER = Role.CUSTOMER_SERVICE, Role.ENGINEERING, Role.FINANCE, Role.OWNER
PM, QA, ADMIN = Role.PROJECT_MANAGER, Role.QUALITY, Role.COMPANY_ADMIN

grant({
    "moveins.view": {CS, ENG, FIN, PM, QA, ADMIN},
    "moveins.manage": {CS, PM, ADMIN},  # batches: draft, notice, open, close
    "moveins.desk": {CS, PM, ADMIN},  # identity, fees, keys, agreements, return visit, booking at the desk
    "moveins.inspect": {ENG, CS, PM, ADMIN},  # the joint house inspection
    "moveins.own": {OWNER},  # book a slot, follow one's own move-in
})

resource("moveins.move_ins", read="moveins.view", write=("moveins.desk", "moveins.inspect", "moveins.own"),
         owners=True)
resource("moveins.batches", read="moveins.view", write=("moveins.manage",), owners=True)
