"""Service cases: lifecycle, business-hours SLA clocks, promises and escalation."""
