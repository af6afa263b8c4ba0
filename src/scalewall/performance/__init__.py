"""How a cluster runs a workload: roofline, collectives, parallel plans, planner."""
