"""Monitoring of AWX: the Prometheus stack, scraping, rules, routing and dashboards."""
