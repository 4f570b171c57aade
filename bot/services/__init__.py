"""The domain: queries, updates, calendar and digest. Slack-free by rule."""
