"""The metrics layer: KPI catalog, periods, and the engine that computes KPIs."""
