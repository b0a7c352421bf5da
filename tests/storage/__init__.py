"""Storage against real databases: SQLite, and PostgreSQL when HELPLINE_TEST_DATABASE_URL is set."""
