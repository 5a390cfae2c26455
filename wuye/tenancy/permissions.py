from wuye.core.access import Role, grant, resource

grant({
    "tenancy.view_places": set(Role),
    "tenancy.manage_places": {Role.PROJECT_MANAGER, Role.COMPANY_ADMIN},
    "tenancy.manage_projects": {Role.COMPANY_ADMIN},
})

# Projects, buildings and units; owners see their own.
resource("tenancy.places", read="tenancy.view_places", write=("tenancy.manage_places", "tenancy.manage_projects"),
         owners=True)
