"""Who may do what with emergencies (SPEC §7). Scope is the usual one: `core.access.scoped`.

Every staff role reads the incidents of its projects (an emergency concerns everyone on duty) and keeps the log;
security, customer service, engineering and the manager start an incident as duty officer and mark it resolved;
the manager and administration close it with the after-action report and edit the playbooks' time limits.
Owners see none of it (they are told through announcements and messages)."""

from wuye.core.access import STAFF_ROLES, Role, grant, resource

SEC, CS, ENG = Role.SECURITY, Role.CUSTOMER_SERVICE, Role.ENGINEERING
PM, ADMIN = Role.PROJECT_MANAGER, Role.COMPANY_ADMIN

grant({
    "emergencies.view": STAFF_ROLES,
    "emergencies.start": {SEC, CS, ENG, PM},
    "emergencies.log": STAFF_ROLES,
    "emergencies.close": {PM, ADMIN},
    "emergencies.manage_playbooks": {PM, ADMIN},
})

resource("emergencies.incidents", read="emergencies.view",
         write=("emergencies.start", "emergencies.log", "emergencies.close"), owners=False)
resource("emergencies.playbooks", read="emergencies.view", write=("emergencies.manage_playbooks",), owners=False)
