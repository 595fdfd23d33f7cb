"""sessions, two-factor, email verification, erasure

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-21 20:24:26.691095

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('lms_recovery_code',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('code_hash', sa.String(length=64), nullable=False),
    sa.Column('used_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['lms_user.id'], name=op.f('fk_lms_recovery_code_user_id_lms_user'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_lms_recovery_code')),
    sa.UniqueConstraint('code_hash', name=op.f('uq_lms_recovery_code_code_hash'))
    )
    with op.batch_alter_table('lms_recovery_code', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_lms_recovery_code_user_id'), ['user_id'], unique=False)

    # Existing accounts get a random session token (their current sessions end), then the column
    # becomes required.
    with op.batch_alter_table('lms_user', schema=None) as batch_op:
        batch_op.add_column(sa.Column('session_token', sa.String(length=64), nullable=True))
    random_token = {"postgresql": "md5(random()::text || id::text)",
                    "sqlite": "lower(hex(randomblob(32)))"}.get(op.get_bind().dialect.name, "'rotate-me'")
    op.execute(f"UPDATE lms_user SET session_token = {random_token}")
    with op.batch_alter_table('lms_user', schema=None) as batch_op:
        batch_op.alter_column('session_token', existing_type=sa.String(length=64), nullable=False)
        batch_op.add_column(sa.Column('email_verified_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('totp_secret_ciphertext', sa.String(length=255), nullable=True))
        batch_op.add_column(sa.Column('totp_enabled_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('totp_last_step', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('erased_at', sa.DateTime(timezone=True), nullable=True))



def downgrade():
    with op.batch_alter_table('lms_user', schema=None) as batch_op:
        batch_op.drop_column('erased_at')
        batch_op.drop_column('totp_last_step')
        batch_op.drop_column('totp_enabled_at')
        batch_op.drop_column('totp_secret_ciphertext')
        batch_op.drop_column('email_verified_at')
        batch_op.drop_column('session_token')

    with op.batch_alter_table('lms_recovery_code', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_lms_recovery_code_user_id'))

    op.drop_table('lms_recovery_code')
