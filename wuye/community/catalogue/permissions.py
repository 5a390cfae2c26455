"""Who may do what with paid services (SPEC §7). Scope is the usual one: `core.access.scoped`.

The front desk accepts an owner's order (opening the work order) and can order for a walk-in; engineering and the
desk mark the job done (the charge goes to billing); the project manager and finance keep the catalogue's prices.
Owners read the catalogue of their projects and order for their own homes."""

from wuye.core.access import Role, grant, resource

CS, ENG, FIN, OWNER = Role.CUSTOMER_SERVICE, Role.ENGINEERING, Role.FINANCE, Role.OWNER
PM, QA, ADMIN = Role.PROJECT_MANAGER, Role.QUALITY, Role.COMPANY_ADMIN

grant({
    "catalogue.view": {CS, ENG, FIN, PM, QA, ADMIN},
    "catalogue.manage": {FIN, PM, ADMIN},
    "catalogue.accept": {CS, PM, ADMIN},
    "catalogue.fulfil": {CS, ENG, PM, ADMIN},
    "catalogue.order": {OWNER},
})

resource("catalogue.items", read="catalogue.view", write=("catalogue.manage",), owners=True)
resource("catalogue.orders", read="catalogue.view", write=("catalogue.accept", "catalogue.fulfil", "catalogue.order"),
         owners=True)
