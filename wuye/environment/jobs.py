"""Periodic jobs of the environment (tasks generated and clocks started, tasks not done closed)."""
