"""The settings pages: touchpoints and journey stages, taxonomies, users and roles, API tokens
and outbound channels. They only call other features' services."""
