"""Faults (故障): report, repair, post-repair test, back in service, fault report; monthly fault rate."""
