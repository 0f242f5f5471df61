"""Recordings: an incident kept in SQLite (`s4top record`) and read back (`--replay`)."""
