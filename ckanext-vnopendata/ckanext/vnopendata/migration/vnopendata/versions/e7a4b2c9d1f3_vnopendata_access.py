"""vnopendata access: requests, grants and the append-only audit log

Revision ID: e7a4b2c9d1f3
Revises: e7a2b4c9d1f0
Create Date: 2026-11-30 00:00:00

The audit log refuses UPDATE, DELETE and TRUNCATE in the database itself
(a trigger), and each entry must name the hash of the one before it (checked
on INSERT), so nothing short of the table owner disabling the trigger can
rewrite it; `ckan vnopendata audit verify` detects that too.
"""

import sqlalchemy as sa
from alembic import op

revision = "e7a4b2c9d1f3"
down_revision = "e7a2b4c9d1f0"
branch_labels = None
depends_on = None

REQUEST = "vnopendata_access_request"
GRANT = "vnopendata_access_grant"
AUDIT = "vnopendata_audit_log"

APPEND_ONLY = f"""
CREATE OR REPLACE FUNCTION vnopendata_audit_refuse_change() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'vnopendata_audit_log is append-only: % refused', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END
$$;

CREATE OR REPLACE FUNCTION vnopendata_audit_check_chain() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    last_seq bigint;
    last_hash text;
BEGIN
    SELECT seq, hash INTO last_seq, last_hash FROM {AUDIT} ORDER BY seq DESC LIMIT 1;
    IF NEW.seq IS DISTINCT FROM COALESCE(last_seq, 0) + 1
       OR NEW.prev_hash IS DISTINCT FROM COALESCE(last_hash, '') THEN
        RAISE EXCEPTION 'vnopendata_audit_log entry % does not follow entry %',
            NEW.seq, COALESCE(last_seq, 0)
            USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    RETURN NEW;
END
$$;

CREATE TRIGGER vnopendata_audit_log_append_only
    BEFORE UPDATE OR DELETE ON {AUDIT}
    FOR EACH ROW EXECUTE FUNCTION vnopendata_audit_refuse_change();
CREATE TRIGGER vnopendata_audit_log_no_truncate
    BEFORE TRUNCATE ON {AUDIT}
    FOR EACH STATEMENT EXECUTE FUNCTION vnopendata_audit_refuse_change();
CREATE TRIGGER vnopendata_audit_log_chain
    BEFORE INSERT ON {AUDIT}
    FOR EACH ROW EXECUTE FUNCTION vnopendata_audit_check_chain();
"""


def upgrade():
    op.create_table(
        REQUEST,
        sa.Column("id", sa.UnicodeText, primary_key=True),
        sa.Column("package_id", sa.UnicodeText, nullable=False, index=True),
        sa.Column("owner_org", sa.UnicodeText, nullable=False, index=True),
        sa.Column("user_id", sa.UnicodeText, nullable=False, index=True),
        sa.Column("requester_type", sa.UnicodeText, nullable=False),
        sa.Column("requester_org_id", sa.UnicodeText),
        sa.Column("requester_agency_code", sa.UnicodeText),
        sa.Column("requester_name", sa.UnicodeText, nullable=False),
        sa.Column("purpose", sa.UnicodeText, nullable=False),
        sa.Column("legal_basis", sa.UnicodeText, nullable=False),
        sa.Column("items", sa.JSON, nullable=False),
        sa.Column("duration_days", sa.Integer, nullable=False),
        sa.Column("contact", sa.UnicodeText, nullable=False),
        sa.Column("state", sa.UnicodeText, nullable=False, index=True),
        sa.Column("created", sa.DateTime, nullable=False),
        sa.Column("due", sa.Date, nullable=False),
        sa.Column("decided", sa.DateTime),
        sa.Column("decided_by", sa.UnicodeText),
        sa.Column("grant_id", sa.UnicodeText),
        sa.Column("refusal_reason", sa.UnicodeText),
        sa.Column("legal_basis_number", sa.UnicodeText),
        sa.Column("legal_basis_article", sa.UnicodeText),
        sa.Column("refused_items", sa.JSON),
        sa.Column("complaint_route", sa.UnicodeText),
        sa.Column("withdrawn", sa.DateTime),
        sa.Column("overdue_notified", sa.DateTime),
    )
    op.create_table(
        GRANT,
        sa.Column("id", sa.UnicodeText, primary_key=True),
        sa.Column("request_id", sa.UnicodeText, nullable=False, unique=True),
        sa.Column("package_id", sa.UnicodeText, nullable=False, index=True),
        sa.Column("owner_org", sa.UnicodeText, nullable=False, index=True),
        sa.Column("user_id", sa.UnicodeText, nullable=False, index=True),
        sa.Column("expires", sa.Date, nullable=False),
        sa.Column("expires_at", sa.DateTime, nullable=False),
        sa.Column("conditions", sa.UnicodeText),
        sa.Column("created", sa.DateTime, nullable=False),
        sa.Column("created_by", sa.UnicodeText, nullable=False),
        sa.Column("revoked", sa.DateTime),
        sa.Column("revoked_by", sa.UnicodeText),
        sa.Column("revoke_reason", sa.UnicodeText),
        sa.Column("expiry_warned", sa.DateTime),
    )
    op.create_table(
        AUDIT,
        sa.Column("seq", sa.BigInteger, primary_key=True, autoincrement=False),
        sa.Column("created", sa.DateTime, nullable=False, index=True),
        sa.Column("user_id", sa.UnicodeText, index=True),
        sa.Column("user_name", sa.UnicodeText),
        sa.Column("action", sa.UnicodeText, nullable=False, index=True),
        sa.Column("package_id", sa.UnicodeText, index=True),
        sa.Column("owner_org", sa.UnicodeText, index=True),
        sa.Column("object_id", sa.UnicodeText),
        sa.Column("reason", sa.UnicodeText),
        sa.Column("detail", sa.UnicodeText, nullable=False),
        sa.Column("prev_hash", sa.UnicodeText, nullable=False),
        sa.Column("hash", sa.UnicodeText, nullable=False),
    )
    op.execute(APPEND_ONLY)


def downgrade():
    op.drop_table(AUDIT)
    op.execute("DROP FUNCTION IF EXISTS vnopendata_audit_check_chain()")
    op.execute("DROP FUNCTION IF EXISTS vnopendata_audit_refuse_change()")
    op.drop_table(GRANT)
    op.drop_table(REQUEST)
