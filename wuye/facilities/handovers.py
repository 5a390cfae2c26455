"""Shift handovers (交接班) at duty posts: 三清, confirmed by a different user of the incoming shift."""
