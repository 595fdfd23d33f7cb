"""One-time tokens of create forms, so a form sent twice creates one row.

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-22 01:52:58

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'lms_form_submission',
        sa.Column('token', sa.String(length=64), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('token', name=op.f('pk_lms_form_submission')),
    )
    with op.batch_alter_table('lms_form_submission', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_lms_form_submission_created_at'), ['created_at'], unique=False)


def downgrade():
    with op.batch_alter_table('lms_form_submission', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_lms_form_submission_created_at'))
    op.drop_table('lms_form_submission')
