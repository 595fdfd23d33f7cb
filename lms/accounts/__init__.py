"""People: accounts, roles, logging in, and the admin pages that manage them."""
