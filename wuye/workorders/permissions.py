from wuye.core.access import Role, grant

grant({
    "workorders.view": set(Role) - {Role.OWNER},
    "workorders.create": set(Role),  # owners report their own; every department may record what it hears
    "workorders.manage_catalogue": {Role.PROJECT_MANAGER, Role.COMPANY_ADMIN, Role.QUALITY},
    # The weekly complaint analysis and its improvement actions: service center, managers and quality.
    "workorders.manage_improvements": {Role.CUSTOMER_SERVICE, Role.PROJECT_MANAGER, Role.QUALITY, Role.COMPANY_ADMIN},
})
