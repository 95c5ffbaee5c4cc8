"""Customer journeys: named stages over touchpoints and interaction types, a goal and a timeout;
instances reconstructed from the interaction history, funnels, paths and emotion curves."""
