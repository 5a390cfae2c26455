from wuye.core.access import Role, grant, resource

BOOKS = {Role.FINANCE, Role.CUSTOMER_SERVICE, Role.PROJECT_MANAGER, Role.QUALITY, Role.COMPANY_ADMIN}

grant({
    "billing.view": BOOKS,
    "billing.charge": {Role.FINANCE, Role.CUSTOMER_SERVICE, Role.PROJECT_MANAGER, Role.COMPANY_ADMIN},
    "billing.collect": {Role.FINANCE, Role.CUSTOMER_SERVICE, Role.COMPANY_ADMIN},
    "billing.pay_own": {Role.OWNER},
    # A walk-in's fee taken on the spot (a temporary car at the exit booth): order/security runs the booth.
    # Renewing a monthly parking pass: its owner in the portal, or the desk.
    "billing.renew_pass": {Role.OWNER, Role.CUSTOMER_SERVICE, Role.FINANCE, Role.PROJECT_MANAGER, Role.COMPANY_ADMIN},
    "billing.collect_walk_in": {Role.SECURITY, Role.FINANCE, Role.CUSTOMER_SERVICE, Role.PROJECT_MANAGER,
                                Role.COMPANY_ADMIN},
    "billing.refund": {Role.FINANCE},
    # A second person approves a refund: the project manager or a finance supervisor (refunds.is_decider).
    "billing.approve_refund": {Role.FINANCE, Role.PROJECT_MANAGER},
    # Asking to write a debt off (finance, the project manager); the project manager approves (write_offs.py).
    "billing.write_off": {Role.FINANCE, Role.PROJECT_MANAGER},
    "billing.approve_write_off": {Role.PROJECT_MANAGER},
    # 抄表: taking meter readings (recording and importing them), not looking at them.
    "billing.read_meters": {Role.FINANCE, Role.ENGINEERING, Role.CUSTOMER_SERVICE, Role.PROJECT_MANAGER},
    # A flagged reading is billed only once finance or the project manager confirms or corrects it (meters.py).
    "billing.review_readings": {Role.FINANCE, Role.PROJECT_MANAGER},
    # Looking at meters and readings: whoever takes readings, and whoever reads the books the readings are billed
    # into. The company's quality department audits meter reading (抄表核查: readings against the photos and the
    # consumption curve) in its inspections, so it reads meters on every face, but records none.
    "billing.view_meters": BOOKS | {Role.ENGINEERING},
    # Master data (基础资料): charge items, tariffs, meters, parking spaces and monthly passes are finance's lists;
    # the project manager and the company administrator may keep them too.
    "billing.manage_master": {Role.FINANCE, Role.PROJECT_MANAGER, Role.COMPANY_ADMIN},
})

# What each face (API, console, portal, exports) checks before it shows a list or a page of these records.
resource("billing.accounts", read="billing.view", owners=True,
         write=("billing.charge", "billing.collect", "billing.write_off", "billing.pay_own"))
resource("billing.runs", read="billing.view", write=("billing.charge",))
resource("billing.meters", read="billing.view_meters", write=("billing.read_meters", "billing.manage_master"),
         owners=True)
resource("billing.shared_costs", read="billing.view", write=("billing.charge",), owners=True)
resource("billing.notices", read="billing.view", owners=True)
resource("billing.payments", read="billing.view", write=("billing.collect", "billing.pay_own"), owners=True)
resource("billing.refunds", read="billing.view", write=("billing.refund", "billing.approve_refund"), owners=True)
resource("billing.write_offs", read="billing.view", write=("billing.write_off", "billing.approve_write_off"))
resource("billing.reports", read="billing.view")
# Master data: charge items with their tariffs, and the parking register (spaces and monthly passes).
resource("billing.charge_items", read="billing.view", write=("billing.manage_master",))
resource("billing.parking", read="billing.view", write=("billing.manage_master",))
