"""Visitors at the gate (来访登记): registration with the identity checked and masked, the host unit's confirmation
(portal or a call on record), the temporary pass (code and QR) checked at exit; owners pre-register and share
the pass."""
