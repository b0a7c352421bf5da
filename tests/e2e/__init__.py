"""End-to-end tests: the real ``helpline run`` process against the fake Bot API server."""
