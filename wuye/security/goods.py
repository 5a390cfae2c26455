"""Goods release (物品放行): apply (portal or desk), the owner's consent for a tenant, desk approval with a slip (PDF
with a code), verified once at the gate and archived."""
