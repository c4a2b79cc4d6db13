"""Create an API client and print its token, which is shown this once only."""

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from oms.access import actions, resources
from oms.errors import DomainError


class Command(BaseCommand):
    help = "Create an API client (an ERP, a shop module) and print its bearer token once."

    def add_arguments(self, parser):
        parser.add_argument("name")
        parser.add_argument(
            "--scope",
            action="append",
            default=[],
            dest="scopes",
            help="resource:read or resource:write, repeatable; one of: " + ", ".join(resources.all_scopes()),
        )
        parser.add_argument(
            "--account",
            action="append",
            type=int,
            dest="accounts",
            help="A marketplace account id it is limited to, repeatable (none: every account).",
        )
        parser.add_argument("--created-by", help="Username of the admin creating it.")

    def handle(self, *args, name, scopes, accounts, created_by, **options):
        creator = None
        if created_by:
            creator = get_user_model().objects.filter(username=created_by).first()
            if creator is None:
                raise CommandError(f"No user {created_by!r}.")
        try:
            client, token = actions.create_api_client(
                name=name, scopes=scopes, account_ids=accounts, created_by=creator
            )
        except DomainError as error:
            raise CommandError(error.message) from None
        self.stderr.write(f"API client {client.name} ({client.token_prefix}…) created; its token, shown only now:")
        self.stdout.write(token)
