from __future__ import annotations

import pytest
from ckan import model
from ckan.cli.cli import ckan


@pytest.mark.usefixtures("clean_db")
def test_create_admin_creates_a_sysadmin_once(cli, tmp_path):
    credentials = tmp_path / "admin-login.txt"

    first = cli.invoke(ckan, ["vnopendata", "create-admin", "--credentials-file", str(credentials)])
    assert first.exit_code == 0, first.output
    password = credentials.read_text().split("password: ")[1].strip()
    assert password in first.output
    assert credentials.stat().st_mode & 0o777 == 0o600

    user = model.User.get("admin")
    assert user is not None
    assert user.sysadmin
    assert user.validate_password(password)

    second = cli.invoke(ckan, ["vnopendata", "create-admin"])
    assert second.exit_code == 0, second.output
    assert password not in second.output
    assert "already exists" in second.output
    model.Session.expire_all()
    assert model.User.get("admin").validate_password(password)


def test_db_clean_then_init_gives_a_working_portal(cli, reset_database):
    # `ckan db clean` drops every table, then clears the search index;
    # `ckan db init` (with the plugins' migrations) brings the portal back.
    cleaned = cli.invoke(ckan, ["db", "clean", "--yes"])
    assert cleaned.exit_code == 0, cleaned.output
    assert "Clearing search index: SUCCESS" in cleaned.output
    model.repo.tables_created_and_initialised = False
    reset_database()
    import ckan.tests.helpers as helpers

    assert helpers.call_action("package_search")["count"] == 0
