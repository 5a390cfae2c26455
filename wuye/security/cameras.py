"""Plate cameras at the vehicle gates: the adapter interface and the simulated camera of the demo (signed payloads;
only where simulated devices are allowed)."""
