"""Who the caller is: the page checks a pasted key here and shows the account's name and role."""

from __future__ import annotations

from fastapi import APIRouter

from service.deps import AnyKey
from service.schemas import AccountPublic

router = APIRouter(tags=["accounts"])


@router.get("/me", response_model=AccountPublic, summary="The account of the X-API-Key")
def me(account: AnyKey) -> AccountPublic:
    """401 without a valid key. Accounts are created with ``matcher users add NAME --role ROLE``."""
    return AccountPublic(name=account.name, role=account.role)
