"""A job's life: created and charged (create), published (dispatch), run (run, remote) and finished
(transitions, refunds), deleted (delete), recovered when lost (sweep), reported to the client
(callbacks, payloads)."""
