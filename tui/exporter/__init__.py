"""`s4top exporter`: the live pollers of the dashboard (tui/live/pollers.py) exposed to
Prometheus. Counters and bounded state only, never a log buffer; no Textual, no screen
(tests/layout/test_layers.py)."""
