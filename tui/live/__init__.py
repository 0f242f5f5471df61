"""One domain's live state and its poll loops (log tail, series), shared by the dashboard
and, later, the exporter."""
