"""What the tests and the benchmarks share: the Durham seed's people, the test workspace's ids, plan
builders, the Slack stand-in and the question corpus. Not shipped with the bot (see pyproject.toml): it is
imported from the checkout, and imports the package, never tests/ or benchmarks/."""
