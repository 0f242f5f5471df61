"""The cache-refresh feature: batch lines and their plan, drafts, sending, pacing, history."""
