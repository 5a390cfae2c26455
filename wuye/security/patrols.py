"""Patrols (巡逻): routes with ordered checkpoints, rounds generated ahead per schedule, opened with their clocks when
their time comes, scans (on time / late), missed checkpoints reported once by the SLA sweep's handler, rounds
closed, findings opening work orders or rectifications."""
