"""Migration scripts, applied in revision order by ``storage.db.migrate``."""
