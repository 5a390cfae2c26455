from wuye.core.access import Role, grant

grant({
    "billing.view": {Role.FINANCE, Role.CUSTOMER_SERVICE, Role.PROJECT_MANAGER, Role.QUALITY, Role.COMPANY_ADMIN},
    "billing.charge": {Role.FINANCE, Role.CUSTOMER_SERVICE, Role.PROJECT_MANAGER, Role.COMPANY_ADMIN},
    "billing.collect": {Role.FINANCE, Role.CUSTOMER_SERVICE, Role.COMPANY_ADMIN},
    "billing.pay_own": {Role.OWNER},
    "billing.refund": {Role.FINANCE},
    # A second person approves a refund: the project manager or a finance supervisor (refunds.is_decider).
    "billing.approve_refund": {Role.FINANCE, Role.PROJECT_MANAGER},
    "billing.write_off": {Role.FINANCE, Role.PROJECT_MANAGER},
    "billing.read_meters": {Role.FINANCE, Role.ENGINEERING, Role.CUSTOMER_SERVICE, Role.PROJECT_MANAGER},
})
