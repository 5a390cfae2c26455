from wuye.core.access import Role, grant

grant({
    # The State Council's holiday schedule is one for the whole platform: the company administration imports it.
    "core.manage_calendar": {Role.COMPANY_ADMIN},
    # Whether the background jobs run (the scheduler's and the Celery workers' heartbeat): the administration's.
    "core.watch_jobs": {Role.COMPANY_ADMIN},
})
