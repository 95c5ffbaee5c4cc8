"""Insights: what drives NPS (key drivers, moments of truth), customer value and churn risk."""
