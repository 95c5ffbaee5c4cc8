from cxm.accounts.domain import Permission, Role, hash_token, new_token, role_allows


def test_admins_may_do_everything() -> None:
    assert all(role_allows(Role.ADMIN, p) for p in Permission)


def test_agents_record_interactions_but_do_not_manage_users_or_merge() -> None:
    assert role_allows(Role.AGENT, Permission.INTERACTIONS_WRITE)
    assert not role_allows(Role.AGENT, Permission.USERS_MANAGE)
    assert not role_allows(Role.AGENT, Permission.CUSTOMERS_MERGE)


def test_analysts_only_read() -> None:
    assert role_allows(Role.ANALYST, Permission.CUSTOMERS_READ)
    assert not role_allows(Role.ANALYST, Permission.CUSTOMERS_WRITE)
    assert not role_allows(Role.ANALYST, Permission.INTERACTIONS_WRITE)


def test_tokens_are_unique_and_only_their_hash_is_kept() -> None:
    a, b = new_token(), new_token()
    assert a != b and a.startswith("cxm_") and len(a) > 40
    assert hash_token(a) != a and hash_token(a) == hash_token(a) and len(hash_token(a)) == 64
