"""Segments: saved rules over customers (attributes, holdings, NPS, value, risk, behaviour)."""
