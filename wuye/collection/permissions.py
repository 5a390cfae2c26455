from wuye.core.access import Role, grant, resource

grant({
    # The collection worklist (催缴): finance works it, the project manager follows it.
    "collection.view": {Role.FINANCE, Role.PROJECT_MANAGER},
    # Logging a call or a visit, printing a building's reminder notices.
    "collection.log_contact": {Role.FINANCE},
})

resource("collection.worklist", read="collection.view", write=("collection.log_contact",))
