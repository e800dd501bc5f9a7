"""How long personal data is kept (docs/privacy.md)."""

from photomania.settings.core import env

# Audit rows keep the client's IP address this long, then forget it (the event itself stays).
AUDIT_IP_RETENTION_DAYS = env.int("AUDIT_IP_RETENTION_DAYS", default=90)
