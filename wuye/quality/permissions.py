from wuye.core.access import Role, grant, resource

STAFF = set(Role) - {Role.OWNER}
MANAGERS = {Role.QUALITY, Role.PROJECT_MANAGER, Role.COMPANY_ADMIN}

grant({
    "quality.view": STAFF,
    # The standards library and service packages: the company's quality department (and administration).
    "quality.manage_standards": {Role.QUALITY, Role.COMPANY_ADMIN},
    # Planning and carrying out inspections; a department's self-inspection (自查) is done by its own staff.
    "quality.inspect": MANAGERS,
    "quality.self_inspect": STAFF,
    # A responsible department reports what it did; the inspector's side verifies.
    "quality.rectify": STAFF,
    "quality.verify": MANAGERS,
    "quality.manage_surveys": {Role.QUALITY, Role.PROJECT_MANAGER, Role.CUSTOMER_SERVICE, Role.COMPANY_ADMIN},
    "quality.answer_surveys": set(Role),  # owners answer their own; staff enter phone and paper answers
    "quality.assess_staff": MANAGERS | {Role.CUSTOMER_SERVICE, Role.ENGINEERING, Role.SECURITY, Role.ENVIRONMENT,
                                        Role.FINANCE},  # supervisors of each department (checked in the service)
    # The assessment library (考核细则) is the company's; owners' praise and substantiated complaints are turned
    # into assessment records by the project's management (project manager, quality, administration).
    "quality.manage_assessment_items": {Role.QUALITY, Role.COMPANY_ADMIN},
    "quality.assess_tickets": MANAGERS,
    "quality.view_reports": MANAGERS,
    "quality.generate_reports": {Role.QUALITY, Role.COMPANY_ADMIN},  # the monthly report's "generate now"
})

resource("quality.standards", read="quality.view", write=("quality.manage_standards",))
resource("quality.inspections", read="quality.view", write=("quality.inspect", "quality.self_inspect"))
resource("quality.rectifications", read="quality.view", write=("quality.rectify", "quality.verify"))
resource("quality.surveys", read="quality.view", write=("quality.manage_surveys",), owners=True)
resource("quality.assessments", read="quality.view", write=("quality.assess_staff",))
resource("quality.reports", read="quality.view_reports", write=())
resource("quality.kpis", read="quality.view", write=())  # KPI figures and their drill-down (quality/kpis.py)
