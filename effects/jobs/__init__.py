"""A job's life: created and charged (lifecycle), published (dispatch), run and finished (lifecycle),
recovered when lost (sweep), reported to the client (callbacks, payloads)."""
