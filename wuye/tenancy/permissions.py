from wuye.core.access import Role, grant

grant({
    "tenancy.view_places": set(Role),
    "tenancy.manage_places": {Role.PROJECT_MANAGER, Role.COMPANY_ADMIN},
    "tenancy.manage_projects": {Role.COMPANY_ADMIN},
})
