"""Outreach: messages to customers on their channels, templates, proactive notices."""
