"""Who may do what with move-in (SPEC §7). Scope is the usual one: `core.access.scoped`."""

from wuye.core.access import Role, grant, resource  # noqa: F401
