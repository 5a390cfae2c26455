from wuye.core.access import Role, grant, resource

grant({
    "tenancy.view_places": set(Role),
    "tenancy.manage_places": {Role.PROJECT_MANAGER, Role.COMPANY_ADMIN},
    "tenancy.manage_projects": {Role.COMPANY_ADMIN},
    # A company on the platform: its operator (a superuser) only — no role of a company creates another.
    "tenancy.manage_companies": set(),
})

# Projects, buildings and units; owners see their own.
resource("tenancy.places", read="tenancy.view_places", write=("tenancy.manage_places", "tenancy.manage_projects"),
         owners=True)

# The project's rules (规则设置): every staff member may read them (they explain the deadlines); the project manager
# and the company administrator change them.
grant({
    "tenancy.view_rules": set(Role) - {Role.OWNER},
    "tenancy.manage_rules": {Role.PROJECT_MANAGER, Role.COMPANY_ADMIN},
})
resource("tenancy.rules", read="tenancy.view_rules", write=("tenancy.manage_rules",))
