"""The SQL warehouse: schema, engine factory and the data version used for caching."""
