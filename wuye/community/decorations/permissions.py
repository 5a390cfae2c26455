"""Who may do what with decoration (SPEC §7). Scope is the usual one: `core.access.scoped`.

Owners apply for their own homes in the portal and follow their applications; the front desk (customer service)
applies for walk-ins, checks the documents and returns incomplete ones; engineering approves the plan, inspects the
works (with order and security) and accepts them; the project manager gives the final approval. The deposit and its
refund are billing's: finance asks for the refund (`billing.refund`), a second person approves
(`billing.approve_refund`)."""

from wuye.core.access import Role, grant, resource

CS, ENG, SEC, FIN = Role.CUSTOMER_SERVICE, Role.ENGINEERING, Role.SECURITY, Role.FINANCE
PM, QA, ADMIN, OWNER = Role.PROJECT_MANAGER, Role.QUALITY, Role.COMPANY_ADMIN, Role.OWNER

grant({
    "decorations.view": {CS, ENG, SEC, FIN, PM, QA, ADMIN},
    "decorations.apply": {OWNER, CS},
    "decorations.check": {CS},
    "decorations.approve_engineering": {ENG},
    "decorations.approve": {PM},
    "decorations.inspect": {ENG, SEC},
    "decorations.accept": {ENG},
})

resource("decorations.decorations", read="decorations.view",
         write=("decorations.apply", "decorations.check", "decorations.approve_engineering", "decorations.approve",
                "decorations.inspect", "decorations.accept"), owners=True)
