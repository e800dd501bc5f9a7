"""How long personal data is kept (docs/privacy.md)."""

from photomania.settings.core import env

# Audit rows keep the client's IP address this long, then forget it (the event itself stays).
AUDIT_IP_RETENTION_DAYS = env.int("AUDIT_IP_RETENTION_DAYS", default=90)

# A job's photos: the source is deleted this long after the job completed (at once when it failed
# or was refunded), the result and its copies this long after it completed.
SOURCE_RETENTION_DAYS = env.int("SOURCE_RETENTION_DAYS", default=7)
RESULT_RETENTION_DAYS = env.int("RESULT_RETENTION_DAYS", default=30)
