"""Reading Stripe objects (plain dicts) in the pinned API version's shape and in the current one."""


def object_id(value) -> str | None:
    """The id of an expandable field: the object's ``id`` when expanded, else the id string itself."""
    if isinstance(value, dict):
        return value.get("id")
    return value or None


def price_of(item: dict) -> tuple[str | None, dict | None]:
    """A subscription item's or invoice line's price id (and object when expanded), in either API shape."""
    for value in (item.get("price"), item.get("plan")):
        if value:
            return object_id(value), value if isinstance(value, dict) else None
    details = (item.get("pricing") or {}).get("price_details") or {}
    value = details.get("price")
    return object_id(value), value if isinstance(value, dict) else None


def is_proration(line: dict) -> bool:
    """Whether an invoice line is a proration: ``proration`` (2024-06-20) or under ``parent.*_details`` (current)."""
    if line.get("proration"):
        return True
    parent = line.get("parent") or {}
    return any(
        (parent.get(key) or {}).get("proration") for key in ("subscription_item_details", "invoice_item_details")
    )
