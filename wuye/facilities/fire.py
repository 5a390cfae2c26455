"""Fire safety (消防): safety-hazard sweeps with findings that open rectifications, fire drills."""
