"""Move-in — 入伙: batches, the owner's steps, the joint house inspection, keys and agreements, the return visit
(SPEC §7)."""
