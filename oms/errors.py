"""Domain errors: raised by actions, turned into a clear message by the UI and the API."""


class DomainError(Exception):
    """A business rule refused the change; nothing was changed."""

    code = "domain_error"
    http_status = 409

    def __init__(self, message: str, *, details: dict | None = None):
        super().__init__(message)
        self.message = message
        self.details = details or {}


class IllegalTransition(DomainError):
    code = "illegal_transition"


class InvalidInput(DomainError):
    """A value in the request is wrong (`details`: field → messages); nothing was changed."""

    code = "invalid"
    http_status = 400


class NotSupportedByPlatform(DomainError):
    """The marketplace cannot do this: refused before anything changed or was sent."""

    code = "not_supported_by_platform"


class NotFound(DomainError):
    """What the change is about does not exist (or not where it was asked for)."""

    code = "not_found"
    http_status = 404
