"""Greening (绿化养护): seasonal plans and their dated tasks with `greening.task` clocks."""
