"""Who may do what with the environment (§5). The environment department's cleaners and gardeners do the tasks;
its supervisor, the project manager and administration run zones and plans; quality and management see all."""

from wuye.core.access import Role, grant, resource

ENV, PM, QA, ADMIN = Role.ENVIRONMENT, Role.PROJECT_MANAGER, Role.QUALITY, Role.COMPANY_ADMIN

grant({
    "environment.view": {ENV, PM, QA, ADMIN},
    "environment.do_tasks": {ENV},
    "environment.manage": {ENV, PM, ADMIN},
})

resource("environment.cleaning", read="environment.view", write=("environment.do_tasks", "environment.manage"))
resource("environment.greening", read="environment.view", write=("environment.do_tasks", "environment.manage"))
resource("environment.kpis", read="environment.view", write=())
