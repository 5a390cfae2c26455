"""Who may do what with takeovers from the developer (SPEC §7). Scope is the usual one: `core.access.scoped`.

Engineering runs the inspection (plans it, checks the items, issues rectification notices, re-inspects, keeps
the document list); the project manager does all that and alone accepts a finding as is, signs the
confirmation or calls the takeover off. Customer service, quality and administration read. Owners see nothing
(their representatives are named on the takeover)."""

from wuye.core.access import Role, grant, resource

ENG, PM, CS, QA, ADMIN = Role.ENGINEERING, Role.PROJECT_MANAGER, Role.CUSTOMER_SERVICE, Role.QUALITY, Role.COMPANY_ADMIN

grant({
    "takeovers.view": {ENG, PM, CS, QA, ADMIN},
    "takeovers.inspect": {ENG, PM, ADMIN},
    "takeovers.accept": {PM, ADMIN},
})

resource("takeovers.takeovers", read="takeovers.view", write=("takeovers.inspect", "takeovers.accept"))
