"""The API's resources an API client is given scopes on (`<resource>:read`, `<resource>:write`).

Each app declares the resources it owns once, from its AppConfig.ready; an API view names its
resource in `api_resource`. A view without one is closed to API clients.
"""

from dataclasses import dataclass

ACCESSES = ("read", "write")


@dataclass(frozen=True)
class Resource:
    name: str
    label: str


_declared: dict[str, Resource] = {}


def declare(name: str, *, label) -> Resource:
    resource = _declared.setdefault(name, Resource(name=name, label=label))
    if resource.label != label:
        raise ValueError(f"API resource {name!r} is already declared with another label.")
    return resource


def declared() -> list[Resource]:
    return sorted(_declared.values(), key=lambda resource: resource.name)


def all_scopes() -> list[str]:
    return [f"{resource.name}:{access}" for resource in declared() for access in ACCESSES]
