"""Community activities — 社区活动: sign-up, capacity and check-in (SPEC §7)."""
