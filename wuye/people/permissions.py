from wuye.core.access import Role, grant, resource

FRONT_OFFICE = {Role.CUSTOMER_SERVICE, Role.PROJECT_MANAGER, Role.COMPANY_ADMIN}

grant({
    # 业主档案: the customer-service center keeps owner records; the manager and administration too.
    "people.view_residents": set(Role) - {Role.OWNER},
    "people.manage_residents": FRONT_OFFICE,
    "people.view_pii": FRONT_OFFICE | {Role.FINANCE},
    "people.manage_vehicles": FRONT_OFFICE | {Role.SECURITY},
    "people.manage_staff": {Role.COMPANY_ADMIN},
})

# Owner records and vehicles; owners see their own household's.
resource("people.residents", read="people.view_residents", write=("people.manage_residents",), owners=True)
resource("people.vehicles", read="people.view_residents", write=("people.manage_vehicles",), owners=True)
# Staff accounts, roles and projects (员工): the company administration manages its own company's staff.
resource("people.staff", read="people.manage_staff", write=("people.manage_staff",))
