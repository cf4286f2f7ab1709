"""The audit log: what is recorded, that nothing can change or remove an
entry, that `ckan vnopendata audit verify` finds tampering, and who reads it."""

from __future__ import annotations

import codecs
import csv
import io

import ckan.plugins.toolkit as tk
import pytest
import sqlalchemy as sa
from ckan import model
from ckan.cli.cli import ckan

from access.helpers import REQUEST_FIELDS, as_user
from ckanext.vnopendata.model.access import AUDIT_TABLE, AuditEntry
from ckanext.vnopendata.sharing import audit


def _flow(world):
    """A request approved and its grant revoked, another refused."""
    approved = as_user(
        world.official,
        "vnopendata_access_request_create",
        package_id=world.restricted["id"],
        **REQUEST_FIELDS,
    )
    grant = as_user(world.admin, "vnopendata_access_request_approve", id=approved["id"])["grant"]
    as_user(world.admin, "vnopendata_access_grant_revoke", id=grant["id"], reason="Hết hạn dự án")
    refused = as_user(
        world.citizen,
        "vnopendata_access_request_create",
        package_id=world.inter_agency["id"],
        requester_type="data_subject",
        **REQUEST_FIELDS,
    )
    as_user(
        world.admin,
        "vnopendata_access_request_refuse",
        id=refused["id"],
        reason="Không đủ căn cứ",
        legal_basis_number="13/2023/NĐ-CP",
        legal_basis_article="Điều 2",
    )
    return approved, grant, refused


def test_every_step_is_recorded_with_who_what_where_and_why(world):
    approved, grant, refused = _flow(world)
    entries = as_user(world.sysadmin, "vnopendata_audit_list", limit=100)["results"]
    steps = [(e["action"], e["object_id"], e["user_name"]) for e in reversed(entries)]
    assert steps == [
        ("request_create", approved["id"], "official"),
        ("request_approve", approved["id"], "admin"),
        ("grant_create", grant["id"], "admin"),
        ("grant_revoke", grant["id"], "admin"),
        ("request_create", refused["id"], "citizen"),
        ("request_refuse", refused["id"], "admin"),
    ]
    refusal = entries[0]
    assert refusal["reason"] == "Không đủ căn cứ"
    assert refusal["detail"]["legal_basis_number"] == "13/2023/NĐ-CP"
    assert refusal["package_id"] == world.inter_agency["id"]
    assert refusal["owner_org"] == world.owner["id"]


@pytest.mark.ckan_config("ckanext.vnopendata.review.required", "true")
def test_review_transitions_and_class_changes_are_recorded(world):
    from access.helpers import make_dataset

    dataset = make_dataset(world.owner["id"], "restricted", name="du-lieu-moi")
    entries = as_user(
        world.sysadmin, "vnopendata_audit_list", package_id=dataset["name"], limit=100
    )["results"]
    actions = [e["action"] for e in reversed(entries)]
    assert actions[0] == "sharing_class_change"
    assert entries[-1]["detail"]["to"]["sharing_class"] == "restricted"
    assert "review_submit" in actions and "review_approve" in actions
    approve = next(e for e in entries if e["action"] == "review_approve")
    assert approve["detail"] == {"from": "submitted", "to": "published"}


@pytest.mark.parametrize(
    "statement",
    [
        f"UPDATE {AUDIT_TABLE} SET reason = 'sửa' WHERE seq = 1",
        f"DELETE FROM {AUDIT_TABLE} WHERE seq = 1",
        f"TRUNCATE {AUDIT_TABLE}",
    ],
)
def test_the_database_refuses_to_change_or_remove_entries(world, statement):
    _flow(world)
    with (
        pytest.raises(sa.exc.DBAPIError, match="append-only"),
        model.ensure_engine().begin() as connection,
    ):
        connection.exec_driver_sql(statement)
    assert audit.verify()[1] is None


def test_an_entry_out_of_chain_is_refused_on_insert(world):
    _flow(world)
    with (
        pytest.raises(sa.exc.DBAPIError, match="does not follow"),
        model.ensure_engine().begin() as connection,
    ):
        connection.exec_driver_sql(
            f"INSERT INTO {AUDIT_TABLE} (seq, created, action, detail, prev_hash, hash) "
            "VALUES (100, now(), 'request_create', '{}', 'x', 'y')"
        )


def test_the_orm_refuses_to_change_an_entry(world):
    _flow(world)
    entry = model.Session.get(AuditEntry, 1)
    entry.reason = "khác"
    with pytest.raises(RuntimeError, match="append-only"):
        model.Session.flush()
    model.Session.rollback()


def _tamper(statement: str) -> None:
    """What only the table's owner can do: switch the trigger off."""
    with model.ensure_engine().begin() as connection:
        connection.exec_driver_sql(f"ALTER TABLE {AUDIT_TABLE} DISABLE TRIGGER USER")
        connection.exec_driver_sql(statement)
        connection.exec_driver_sql(f"ALTER TABLE {AUDIT_TABLE} ENABLE TRIGGER USER")


def _verify(cli):
    model.Session.remove()
    return cli.invoke(ckan, ["vnopendata", "audit", "verify"])


def test_verify_passes_on_a_whole_chain(cli, world):
    _flow(world)
    result = _verify(cli)
    assert result.exit_code == 0, result.output
    assert "6 entries" in result.output


@pytest.mark.parametrize(
    ("statement", "broken", "problem"),
    [
        # An altered reason: the entry's hash no longer matches.
        (f"UPDATE {AUDIT_TABLE} SET reason = 'Đủ căn cứ' WHERE seq = 4", 4, "altered"),
        # An altered hash too: the next entry no longer names it.
        (
            f"UPDATE {AUDIT_TABLE} SET reason = 'x', hash = 'f00' WHERE seq = 3",
            3,
            "altered",
        ),
        # A removed entry in the middle.
        (f"DELETE FROM {AUDIT_TABLE} WHERE seq = 2", 3, "missing"),
        # The first entry removed and the rest renumbered.
        (
            f"DELETE FROM {AUDIT_TABLE} WHERE seq = 1; UPDATE {AUDIT_TABLE} SET seq = seq - 1",
            1,
            "does not name the hash",
        ),
    ],
)
def test_verify_names_the_first_broken_entry(cli, world, statement, broken, problem):
    _flow(world)
    _tamper(statement)
    result = _verify(cli)
    assert result.exit_code == 1
    assert f"broken at entry {broken}:" in result.output
    assert problem in result.output


def test_agency_admins_read_their_agency_only_and_filters_apply(world):
    approved, grant, refused = _flow(world)
    assert as_user(world.admin, "vnopendata_audit_list")["count"] == 6
    assert as_user(world.other_admin, "vnopendata_audit_list")["count"] == 0
    with pytest.raises(tk.NotAuthorized):
        as_user(world.other_admin, "vnopendata_audit_list", owner_org=world.owner["name"])
    for user in (world.official, world.citizen, world.owner_member):
        with pytest.raises(tk.NotAuthorized):
            as_user(user, "vnopendata_audit_list")
    by_user = as_user(world.admin, "vnopendata_audit_list", user_id="citizen")
    assert [e["action"] for e in by_user["results"]] == ["request_create"]
    by_action = as_user(world.admin, "vnopendata_audit_list", action="grant_revoke")
    assert [e["object_id"] for e in by_action["results"]] == [grant["id"]]
    by_dataset = as_user(world.admin, "vnopendata_audit_list", package_id="thong-ke-bhxh")
    assert by_dataset["count"] == 2
    assert as_user(world.admin, "vnopendata_audit_list", until="2000-01-01")["count"] == 0
    assert as_user(world.admin, "vnopendata_audit_list", since="2000-01-01")["count"] == 6
    paged = as_user(world.admin, "vnopendata_audit_list", limit=2, offset=2)
    assert paged["count"] == 6 and len(paged["results"]) == 2
    with pytest.raises(tk.ValidationError) as error:
        as_user(world.admin, "vnopendata_audit_list", action="drop_table", since="hôm qua")
    assert set(error.value.error_dict) == {"action", "since"}


def test_csv_export_is_utf8_with_bom_and_keeps_vietnamese(app, world):
    _flow(world)
    token = tk.get_action("api_token_create")(
        {"user": "admin", "ignore_auth": True}, {"user": "admin", "name": "csv"}
    )["token"]
    response = app.get("/audit.csv?action=grant_revoke", headers={"Authorization": token})
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("text/csv")
    raw = response.get_data()
    assert raw.startswith(codecs.BOM_UTF8)
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"))))
    assert [row["action"] for row in rows] == ["grant_revoke"]
    assert rows[0]["reason"] == "Hết hạn dự án"
    anonymous = app.flask_app.test_client().get("/audit.csv")
    assert anonymous.status_code == 302
    assert "/user/login" in anonymous.headers["Location"]
