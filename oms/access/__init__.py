"""Who may reach what: API clients (bearer tokens with scopes per resource) and account scopes.

An API client acts through a user of its own (the actor on its orders' events and the owner of
its idempotency records), which never logs in. An account scope limits a user, a person or an
API client's user, to some marketplace accounts: `selectors.within_scope` is the one filter every
screen, export and endpoint applies to what it reads.
"""
