"""The community home (SPEC §7) is open to every staff role: each process below it checks its own permissions."""

from wuye.core.access import STAFF_ROLES, grant

grant({"community.view": STAFF_ROLES})
