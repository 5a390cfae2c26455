"""Who may do what with community activities (SPEC §7). Scope is the usual one: `core.access.scoped`."""

from wuye.core.access import Role, grant, resource  # noqa: F401
