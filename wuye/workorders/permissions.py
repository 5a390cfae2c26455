from wuye.core.access import Role, grant, resource

grant({
    "workorders.view": set(Role) - {Role.OWNER},
    "workorders.create": set(Role),  # owners report their own; every department may record what it hears
    "workorders.manage_catalogue": {Role.PROJECT_MANAGER, Role.COMPANY_ADMIN, Role.QUALITY},
    # The weekly complaint analysis and its improvement actions: service center, managers and quality.
    "workorders.manage_improvements": {Role.CUSTOMER_SERVICE, Role.PROJECT_MANAGER, Role.QUALITY, Role.COMPANY_ADMIN},
    # Master data, each list edited by the department that owns it: the service center keeps the ticket and
    # complaint categories; engineering the paid-service price list and the developer's warranty terms.
    "workorders.manage_categories": {Role.CUSTOMER_SERVICE, Role.PROJECT_MANAGER, Role.QUALITY, Role.COMPANY_ADMIN},
    "workorders.manage_price_list": {Role.ENGINEERING, Role.PROJECT_MANAGER, Role.COMPANY_ADMIN},
    "workorders.manage_warranty_terms": {Role.ENGINEERING, Role.PROJECT_MANAGER, Role.COMPANY_ADMIN},
})

# What each face (API, console, portal, exports) checks before it shows a list or a page of these records.
resource("workorders.tickets", read="workorders.view", write=("workorders.create",), owners=True)
# The complaint ledger (and its export) and the weekly analysis: staff only.
resource("workorders.complaint_reports", read="workorders.view", write=("workorders.manage_improvements",))
# The catalogue: every staff member reads it (pickers, price quotes); each list has its own editors.
resource("workorders.categories", read="workorders.view", write=("workorders.manage_categories",))
resource("workorders.price_list", read="workorders.view", write=("workorders.manage_price_list",))
resource("workorders.warranty_terms", read="workorders.view", write=("workorders.manage_warranty_terms",))
