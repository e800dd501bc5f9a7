"""manage.py staff_invite <email>: a one-time link for a staff member's first authenticator app."""

from django.core.management.base import BaseCommand, CommandError

from accounts.models import User
from accounts.staff_invitations import STAFF_INVITATION_HOURS, staff_invitation_create, staff_invitation_url
from core.errors import ApplicationError


class Command(BaseCommand):
    help = (
        "Print a one-time link that lets a staff member (e.g. one made with createsuperuser) set up "
        "their authenticator app, which the admin requires. Hand it over yourself."
    )

    def add_arguments(self, parser):
        parser.add_argument("email")
        parser.add_argument("--hours", type=int, default=STAFF_INVITATION_HOURS, help="How long the link is valid.")

    def handle(self, *args, email, hours, **options):
        user = User.objects.filter(email__iexact=email.strip()).first()
        if user is None:
            raise CommandError(f"No account with the address {email}")
        if hours < 1 or hours > 24 * 7:
            raise CommandError("--hours must be between 1 and 168")
        try:
            _invitation, token = staff_invitation_create(user=user, hours=hours)
        except ApplicationError as exc:
            raise CommandError(exc.message) from exc
        self.stdout.write(f"Invitation for {user.email} (valid {hours} h, once):")
        self.stdout.write(staff_invitation_url(token))
        self.stdout.write(
            "They open it signed in with their password, then set up their authenticator app; the admin opens after."
        )
