"""`Authorization: Bearer <token>` for API clients (users keep `Authorization: Token <key>`)."""

from django.utils.translation import gettext_lazy as _
from rest_framework.authentication import BaseAuthentication, get_authorization_header
from rest_framework.exceptions import AuthenticationFailed

from oms.access import actions, selectors


class BearerAuthentication(BaseAuthentication):
    keyword = b"bearer"

    def authenticate(self, request):
        parts = get_authorization_header(request).split()
        if not parts or parts[0].lower() != self.keyword:
            return None
        if len(parts) != 2:
            raise AuthenticationFailed(_("Invalid Authorization header: Bearer and one token."))
        try:
            token = parts[1].decode("ascii")
        except UnicodeError:
            raise AuthenticationFailed(_("Invalid token.")) from None
        client = selectors.active_client(token)
        if client is None or not client.user.is_active:
            raise AuthenticationFailed(_("Invalid or revoked token."))
        actions.note_client_used(client)
        return client.user, client

    def authenticate_header(self, request) -> str:
        return 'Bearer realm="api"'
