"""Facility bookings — 场地预约: bookable facilities with slots, rules and fees (SPEC §7)."""
