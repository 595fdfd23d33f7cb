"""Accounts, roles and the append-only audit log.

Revision ID: 0001
Revises:
Create Date: 2026-11-21
"""
import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

ROLES = ("trainee", "mentor", "admin")

APPEND_ONLY = {
    "sqlite": [
        "CREATE TRIGGER lms_audit_event_no_update BEFORE UPDATE ON lms_audit_event "
        "BEGIN SELECT RAISE(ABORT, 'lms_audit_event is append-only'); END",
        "CREATE TRIGGER lms_audit_event_no_delete BEFORE DELETE ON lms_audit_event "
        "BEGIN SELECT RAISE(ABORT, 'lms_audit_event is append-only'); END",
    ],
    "postgresql": [
        "CREATE OR REPLACE FUNCTION lms_audit_event_append_only() RETURNS trigger "
        "LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'lms_audit_event is append-only'; END $$",
        "CREATE TRIGGER lms_audit_event_append_only BEFORE UPDATE OR DELETE ON lms_audit_event "
        "FOR EACH ROW EXECUTE FUNCTION lms_audit_event_append_only()",
    ],
}


def upgrade():
    op.create_table(
        "lms_user",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("full_name", sa.String(length=200), nullable=False),
        sa.Column("native_name", sa.String(length=200), nullable=True),
        sa.Column("locale", sa.String(length=16), nullable=False),
        sa.Column("password_hash", sa.String(length=255), nullable=False),
        sa.Column("is_active", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("email = lower(email)", name=op.f("ck_lms_user_email_lower_case")),
        sa.CheckConstraint("length(trim(full_name)) > 0", name=op.f("ck_lms_user_full_name_present")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_lms_user")),
        sa.UniqueConstraint("email", name=op.f("uq_lms_user_email")),
    )
    op.create_table(
        "lms_user_role",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("role", sa.Enum(*ROLES, name="role", native_enum=False, create_constraint=True, length=16),
                  nullable=False),
        sa.Column("granted_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("granted_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["granted_by_id"], ["lms_user.id"],
                                name=op.f("fk_lms_user_role_granted_by_id_lms_user")),
        sa.ForeignKeyConstraint(["user_id"], ["lms_user.id"], ondelete="CASCADE",
                                name=op.f("fk_lms_user_role_user_id_lms_user")),
        sa.PrimaryKeyConstraint("user_id", "role", name=op.f("pk_lms_user_role")),
    )
    op.create_table(
        "lms_audit_event",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        sa.Column("action", sa.String(length=64), nullable=False),
        sa.Column("target_user_id", sa.Integer(), nullable=True),
        sa.Column("details", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(["actor_id"], ["lms_user.id"],
                                name=op.f("fk_lms_audit_event_actor_id_lms_user")),
        sa.ForeignKeyConstraint(["target_user_id"], ["lms_user.id"],
                                name=op.f("fk_lms_audit_event_target_user_id_lms_user")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_lms_audit_event")),
    )
    op.create_index(op.f("ix_lms_audit_event_actor_id"), "lms_audit_event", ["actor_id"])
    op.create_index(op.f("ix_lms_audit_event_target_user_id"), "lms_audit_event", ["target_user_id"])
    op.create_index("ix_lms_audit_event_created_at", "lms_audit_event", ["created_at"])
    for statement in APPEND_ONLY.get(op.get_bind().dialect.name, []):
        op.execute(statement)


def downgrade():
    op.drop_table("lms_audit_event")
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP FUNCTION IF EXISTS lms_audit_event_append_only()")
    op.drop_table("lms_user_role")
    op.drop_table("lms_user")
